// The task pane in a real headless Chromium (Debian's), against `outforce demo`: the service,
// the emulated Microsoft 365 and Salesforce, and the demo page that plays Outlook. Writes the
// README's screenshots of the pane (light and dark, 320 px) to docs/screenshots/.
//
//   OUTFORCE_TEST_BIN   the outforce binary (default ../target/debug/outforce)
//   CHROMIUM       the browser (default /usr/bin/chromium)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const binary = process.env.OUTFORCE_TEST_BIN ?? path.join(repo, "target/debug/outforce");
const shots = path.join(repo, "docs/screenshots");
const MEETING = "Customer advisory board";

let demo;
let base;
let browser;
let dataDir;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

before(async () => {
  const port = await freePort();
  dataDir = mkdtempSync(path.join(tmpdir(), "outforce-browser-"));
  demo = spawn(binary, ["demo", "--port", String(port), "--data-dir", dataDir], {
    // The demo's own settings only: a stray OUTFORCE_* variable would stop it (as it should).
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("OUTFORCE_"))),
      OUTFORCE_LOG__FORMAT: "json",
      OUTFORCE_LOG__FILTER: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`the demo did not start:\n${seen}`)), 60_000);
    demo.stdout.on("data", (chunk) => {
      seen += chunk;
      if (seen.includes("Press Ctrl-C to stop.")) {
        clearTimeout(timer);
        resolve();
      }
    });
    demo.on("exit", (code) => reject(new Error(`the demo exited (${code}):\n${seen}`)));
  });
  base = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    // The emulated Salesforce login page is HTTPS under the sandbox's throw-away CA.
    args: ["--no-sandbox", "--ignore-certificate-errors"],
  });
});

after(async () => {
  await browser?.close();
  demo?.kill("SIGTERM");
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function openDemo({ mode = "organizer", theme = "light", meeting = MEETING } = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const query = new URLSearchParams({ mode, theme, meeting });
  await page.goto(`${base}/?${query}`);
  const pane = page.frameLocator("#pane");
  await pane.locator("#connection-state").waitFor();
  return { context, page, pane, errors };
}

/** The pane's attendee entry for an address. */
function attendee(pane, email) {
  return pane.locator(`li.attendee[data-email="${email}"]`);
}

test("the Connect Salesforce dialog round trip connects the rep", async () => {
  const { context, pane, errors } = await openDemo();
  await assert.doesNotReject(pane.getByText("Not connected").waitFor());
  const popup = context.waitForEvent("page");
  await pane.getByRole("button", { name: "Connect Salesforce" }).click();
  const dialog = await popup;
  const visited = [dialog.url()];
  dialog.on("framenavigated", (frame) => visited.push(frame.url()));
  await dialog.waitForEvent("close");
  await pane.getByText("Connected", { exact: true }).waitFor();
  assert.ok(visited.some((url) => url.includes("/auth/salesforce/callback")), "back from Salesforce's login");
  assert.equal(await pane.locator("#connection-state").innerText(), "Connected");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the rep's calendar is followed from the pane's own first calls, and the pane says so", async () => {
  const { context, pane, errors } = await openDemo();
  const calendar = pane.locator("#calendar-state");
  await calendar.getByText(/Calendar followed/).waitFor({ timeout: 30_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a meeting's contacts, lead, strangers and colleague are shown as Salesforce knows them", async () => {
  const { context, pane, errors } = await openDemo();
  await attendee(pane, "jane.doe@acme-corp.example").getByText("Contact").waitFor();
  for (const email of ["jane.doe@acme-corp.example", "raj.patel@acme-corp.example", "mei.chen@globex.example"]) {
    const entry = attendee(pane, email);
    assert.equal(await entry.locator(".kind.contact").count(), 1, email);
  }
  assert.match(await attendee(pane, "jane.doe@acme-corp.example").innerText(), /Acme Corporation/);
  assert.equal(await attendee(pane, "priya.raman@hooli.example").locator(".kind.lead").count(), 1);
  for (const email of ["alex.kim@unknown-startup.example", "nadia@wayne-analytics.example"]) {
    assert.match(await attendee(pane, email).innerText(), /Not in Salesforce/);
  }
  const colleague = attendee(pane, "sam.lee@contoso-demo.example");
  assert.match(await colleague.innerText(), /Colleague/);
  assert.equal(await colleague.locator("input[type=checkbox]").count(), 0, "a colleague is not related");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a stranger becomes a contact under the Account the rule finds, and is matched", async () => {
  const { context, page, pane } = await openDemo();
  const nadia = attendee(pane, "nadia@wayne-analytics.example");
  await nadia.getByRole("button", { name: /Create contact/ }).click();
  const account = pane.locator("#create-account");
  await account.waitFor();
  assert.match(await account.innerText(), /Wayne Analytics/);
  assert.match(await account.innerText(), /exact name/);
  assert.equal(await pane.locator("#create-company").inputValue(), "Wayne Analytics");
  await pane.getByRole("button", { name: "Save" }).click();
  await nadia.locator(".kind.contact").waitFor();
  assert.equal(await nadia.locator("input[type=checkbox]").isChecked(), true, "the new contact is related");
  await page.locator("#org").getByText("nadia@wayne-analytics.example").waitFor();
  await context.close();
});

test("relating two contacts and an opportunity and pressing Sync writes the Salesforce Event", async () => {
  const { context, page, pane } = await openDemo();
  await attendee(pane, "jane.doe@acme-corp.example").locator("input[type=checkbox]").check();
  await attendee(pane, "raj.patel@acme-corp.example").locator("input[type=checkbox]").check();
  const lead = attendee(pane, "priya.raman@hooli.example").locator("input[type=checkbox]");
  assert.equal(await lead.isDisabled(), true, "a Lead cannot join Contacts");
  const search = pane.getByLabel("Search Accounts, Opportunities and Cases");
  await search.pressSequentially("acme ren");
  assert.equal(await search.inputValue(), "acme ren", "each keystroke lands after the one before");
  await pane.getByRole("button", { name: /Acme renewal 2027/ }).click();
  assert.match(await pane.locator(".chosen").innerText(), /Acme renewal 2027/);
  await pane.getByRole("button", { name: "Sync to Salesforce" }).click();
  await pane.locator("#sync-state.synced").waitFor();
  assert.match(await pane.locator("#sync-state").innerText(), /Synced/);
  const link = pane.getByRole("link", { name: "Open the Salesforce Event" });
  assert.match(await link.getAttribute("href"), /\/lightning\/r\/Event\/00U[A-Za-z0-9]+\/view$/);
  // Why it is as it is: the sync's decisions, from the meeting's history.
  await pane.locator("#sync-history summary").click();
  await pane.locator("#sync-history li").first().waitFor();
  assert.match(await pane.locator("#sync-history").innerText(), /Written to Salesforce, after your choice here/);
  await page.locator("#org").getByText(MEETING).waitFor();
  await context.close();
});

test("an attendee sees the same meeting, its matches and its sync state", async () => {
  const { context, pane } = await openDemo({ mode: "attendee" });
  await attendee(pane, "jane.doe@acme-corp.example").getByText("Contact").waitFor();
  assert.match(await pane.locator(".meeting").innerText(), /you attend it/);
  await pane.locator("#sync-state.synced").waitFor();
  assert.equal(await attendee(pane, "jane.doe@acme-corp.example").locator("input[type=checkbox]").isChecked(), true);
  await context.close();
});

test("one flow by keyboard alone: relate a contact and sync", async () => {
  const { context, page, pane } = await openDemo({ meeting: "Globex pilot kickoff" });
  const box = attendee(pane, "mei.chen@globex.example").locator("input[type=checkbox]");
  await box.waitFor();
  await pane.locator("h1").click();
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await box.evaluate((el) => el === document.activeElement);
  }
  assert.ok(reached, "Tab reaches the contact's checkbox");
  await page.keyboard.press("Space");
  assert.equal(await box.isChecked(), true);
  const sync = pane.locator("#sync");
  for (let i = 0; i < 20 && !(await sync.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await page.keyboard.press("Enter");
  await pane.locator("#sync-state.synced").waitFor();
  await context.close();
});

test("the pane at 320 px, in light and dark, for the README", async () => {
  mkdirSync(shots, { recursive: true });
  for (const theme of ["light", "dark"]) {
    const { context, page, pane } = await openDemo({ theme });
    await attendee(pane, "jane.doe@acme-corp.example").getByText("Contact").waitFor();
    await pane.locator("#sync-state.synced").waitFor();
    const background = await pane.locator("body").evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(background, theme === "dark" ? "rgb(41, 41, 41)" : "rgb(255, 255, 255)");
    const frame = page.locator("#pane");
    assert.equal((await frame.boundingBox()).width <= 322, true);
    const scroll = await pane.locator("html").evaluate((el) => el.scrollWidth - el.clientWidth);
    assert.equal(scroll, 0, "nothing overflows 320 px");
    await frame.screenshot({ path: path.join(shots, `pane-${theme}.png`) });
    await context.close();
  }
});

test("the pane follows attendee and time changes the organizer makes while it is open", async () => {
  const { page, context, pane } = await openDemo({ meeting: "Partner QBR" });
  await attendee(pane, "lars.nilsson@umbrella-logistics.example").locator(".kind.contact").waitFor();
  await page.getByLabel("Add attendee").pressSequentially("tom.okafor@globex.example");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await attendee(pane, "tom.okafor@globex.example").locator(".kind.contact").waitFor();
  await page.getByRole("button", { name: "Remove ben@vandelay.example" }).click();
  await attendee(pane, "ben@vandelay.example").waitFor({ state: "detached" });
  assert.match(await pane.locator("#attendees-title").innerText(), /Attendees \(2\)/);
  await context.close();
});
