// The pane's build type-checks it against the service's OpenAPI document: a field the service
// renames must stop the build, not blank the pane. Runs the build's own generation and check
// on a copy of the pane, against the document as it is and with one field the pane reads
// renamed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateTypes, typecheck } from "../scripts/api-types.mjs";

const addin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The pane's sources in a fresh directory beside them (so its packages resolve), checked
 * against `document`: the type check's status and output. */
async function checkAgainst(document) {
  const dir = mkdtempSync(path.join(addin, ".typecheck-"));
  try {
    cpSync(path.join(addin, "src"), path.join(dir, "src"), { recursive: true });
    cpSync(path.join(addin, "tsconfig.json"), path.join(dir, "tsconfig.json"));
    writeFileSync(path.join(dir, "openapi.json"), JSON.stringify(document));
    await generateTypes(path.join(dir, "openapi.json"), path.join(dir, "src/pane/api-types.gen.ts"));
    return typecheck(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const served = JSON.parse(readFileSync(path.join(addin, "openapi.json"), "utf8"));

test("the pane type-checks against the document the service serves", async () => {
  const checked = await checkAgainst(served);
  assert.equal(checked.status, 0, checked.output);
});

test("a field the pane reads, renamed in the document, fails the pane's type check", async () => {
  const renamed = structuredClone(served);
  const link = renamed.components.schemas.LinkView;
  link.properties.salesforce_event = link.properties.salesforce_event_id;
  delete link.properties.salesforce_event_id;
  const checked = await checkAgainst(renamed);
  assert.notEqual(checked.status, 0, "the check passed with a renamed field");
  assert.match(checked.output, /salesforce_event_id/);
});

test("a link code the service adds without words for the rep fails the pane's type check", async () => {
  const added = structuredClone(served);
  added.components.schemas.LinkCode.enum.push("brand_new_reason");
  const checked = await checkAgainst(added);
  assert.notEqual(checked.status, 0, "the check passed with a code the pane cannot explain");
  assert.match(checked.output, /brand_new_reason/);
});
