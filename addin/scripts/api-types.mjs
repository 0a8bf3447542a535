// The pane's API types, generated from the service's OpenAPI document (addin/openapi.json, the
// service's `outforce openapi`), and the type check that makes a renamed field a build error.
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const require = createRequire(import.meta.url);

/** Writes the types of the document at `documentPath` to `outPath`. */
export async function generateTypes(documentPath, outPath) {
  const ast = await openapiTS(pathToFileURL(path.resolve(documentPath)), { exportType: true });
  const header = "// Generated from addin/openapi.json by scripts/api-types.mjs: do not edit.\n";
  await writeFile(outPath, header + astToString(ast));
}

/** Runs TypeScript's check of the project in `dir`: the exit status and what it printed. */
export function typecheck(dir) {
  const tsc = require.resolve("typescript/bin/tsc");
  const run = spawnSync(process.execPath, [tsc, "--noEmit", "-p", dir], { encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
