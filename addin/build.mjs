// Builds the task pane and the demo page into dist/: bundles with content-hashed names (served
// with a year-long cache), the HTML pages naming them, and dist/build.txt listing every file,
// written last: the service's build script embeds exactly these files and refuses a build
// older than the sources. (build.txt is plain lines, so the service's build script reads it
// without a JSON parser.)
import { build } from "esbuild";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { generateTypes, typecheck } from "./scripts/api-types.mjs";

// The API's types from the service's document, then the whole pane type-checked against them:
// a field the service renamed stops the build here (esbuild alone strips types unchecked).
await generateTypes("openapi.json", "src/pane/api-types.gen.ts");
const checked = typecheck(".");
if (checked.status !== 0) {
  console.error(checked.output);
  console.error("addin: the pane does not type-check against the API (addin/openapi.json)");
  process.exit(1);
}

const dist = "dist";
await rm(dist, { recursive: true, force: true });
await mkdir(path.join(dist, "assets"), { recursive: true });

const result = await build({
  entryPoints: {
    pane: "src/pane/main.tsx",
    "pane-style": "src/pane/pane.css",
    "office-host": "src/demo/office-host.ts",
    demo: "src/demo/demo.ts",
    "demo-style": "src/demo/demo.css",
  },
  bundle: true,
  format: "iife",
  target: ["chrome100", "edge100", "safari15", "firefox100"],
  minify: true,
  sourcemap: false,
  outdir: path.join(dist, "assets"),
  entryNames: "[name]-[hash]",
  metafile: true,
  logLevel: "warning",
  jsx: "automatic",
  jsxImportSource: "preact",
});

const outputs = {};
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (!output.entryPoint) continue;
  const name = path.basename(file).replace(/-[A-Z0-9]+\.(js|css)$/, "");
  outputs[name] = "assets/" + path.basename(file);
}

async function page(template, target) {
  let html = await readFile(template, "utf8");
  html = html.replace(/\{\{asset:([a-z-]+)\}\}/g, (_, name) => {
    if (!outputs[name]) throw new Error(`${template} names an unknown asset ${name}`);
    return outputs[name];
  });
  await writeFile(path.join(dist, target), html);
}
await page("src/pane/pane.html", "pane.html");
await page("src/demo/demo.html", "demo.html");

// Each bundle also gzipped once here, so the service sends the smaller file to a browser that
// accepts it without compressing on every request.
for (const file of Object.values(outputs)) {
  const bytes = await readFile(path.join(dist, file));
  await writeFile(path.join(dist, `${file}.gz`), gzipSync(bytes, { level: 9 }));
}

const files = [
  "pane.html",
  "demo.html",
  ...Object.values(outputs),
  ...Object.values(outputs).map((file) => `${file}.gz`),
].sort();
const listing = [
  ...files.map((file) => `file ${file}`),
  ...Object.entries(outputs).map(([name, file]) => `asset ${name} ${file}`),
];
await writeFile(path.join(dist, "build.txt"), listing.join("\n") + "\n");
console.log(`addin: built ${files.length} files into ${dist}/`);
