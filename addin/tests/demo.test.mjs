// The task pane in a real headless Chromium (Debian's), against `outforce demo`: the service,
// the emulated Microsoft 365 and Salesforce, and the demo page that plays Outlook. Writes the
// README's screenshots of the pane (light and dark, 320 px) to docs/screenshots/.
//
//   OUTFORCE_TEST_BIN   the outforce binary (default ../target/debug/outforce)
//   CHROMIUM       the browser (default /usr/bin/chromium)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

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
  // Every error the pane or the page logs, uncaught or in the console (a failed request is
  // logged by the browser too): the whole journey must have none.
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`${message.text()} (${message.location()?.url ?? ""})`);
  });
  const query = new URLSearchParams({ mode, theme, meeting });
  await page.goto(`${base}/?${query}`);
  const pane = page.frameLocator("#pane");
  await pane.locator("#connection-state").waitFor();
  return { context, page, pane, errors };
}

/** The id of the element focused in the pane, once focus has settled: an action moves it
 * after the render that shows its target (a frame or two), so this waits up to a second for
 * `expected` before answering what is focused. */
async function focusedId(pane, expected) {
  const read = () => pane.locator("body").evaluate(() => document.activeElement?.id ?? "");
  for (let i = 0; i < 20 && expected !== undefined && (await read()) !== expected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return read();
}

/** The pane's frame, for running scripts in it. */
async function paneFrame(page) {
  return (await page.locator("#pane").elementHandle()).contentFrame();
}

/** Types into a field key by key (never pasted), after emptying it with the keyboard. */
async function typeInto(locator, text) {
  await locator.focus();
  await locator.press("Control+A");
  await locator.press("Backspace");
  await locator.pressSequentially(text);
}

/** Connect Salesforce, through the Office dialog and the emulated login page; the URLs the
 * dialog went through. */
async function connectThroughDialog(context, pane) {
  const popup = context.waitForEvent("page");
  await pane.getByRole("button", { name: "Connect Salesforce" }).click();
  const dialog = await popup;
  const visited = [dialog.url()];
  dialog.on("framenavigated", (frame) => visited.push(frame.url()));
  await dialog.waitForEvent("close");
  await pane.getByText("Connected", { exact: true }).waitFor();
  return visited;
}

/** The pane's attendee entry for an address. */
function attendee(pane, email) {
  return pane.locator(`li.attendee[data-email="${email}"]`);
}

test("the connect choice, before Salesforce is connected, passes axe-core and is photographed", async () => {
  const { context, page, pane, errors } = await openDemo();
  await pane.getByText("Not connected").waitFor();
  await pane.getByLabel("Sign in at").selectOption("my_domain");
  await typeInto(pane.getByLabel("Your My Domain URL"), "https://contoso.my.salesforce.com");
  const frame = page.locator("#pane");
  await frame.evaluate((el) => {
    el.style.width = "320px";
    el.style.height = "560px";
  });
  assert.deepEqual(await axeViolations(page), []);
  await frame.screenshot({ path: path.join(shots, "pane-connect.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("the Connect Salesforce dialog round trip connects the rep, who sees as whom, and can disconnect", async () => {
  const { context, pane, errors } = await openDemo();
  await assert.doesNotReject(pane.getByText("Not connected").waitFor());
  // A My Domain URL is typed key by key; the choice is remembered for the next time.
  await pane.getByLabel("Sign in at").selectOption("my_domain");
  const url = pane.getByLabel("Your My Domain URL");
  await typeInto(url, "https://contoso.my.salesforce.com");
  assert.equal(await url.inputValue(), "https://contoso.my.salesforce.com");
  await pane.getByLabel("Sign in at").selectOption("production");
  const visited = await connectThroughDialog(context, pane);
  assert.ok(visited.some((url) => url.includes("/auth/salesforce/callback")), "back from Salesforce's login");
  assert.equal(await pane.locator("#connection-state").innerText(), "Connected");
  await pane.locator("#connected-as").waitFor();
  assert.match(await pane.locator("#connected-as").innerText(), /Avery Rep/);
  assert.equal(await focusedId(pane, "connection-state"), "connection-state", "the keyboard is where the pane says it connected");

  await pane.getByRole("button", { name: "Disconnect" }).click();
  await pane.getByText("Not connected").waitFor();
  assert.equal(await pane.getByLabel("Sign in at").inputValue(), "production", "the last choice is remembered");
  assert.equal(await focusedId(pane, "connect"), "connect");
  // Connected again, for the journeys after this one.
  await connectThroughDialog(context, pane);
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
  const { context, page, pane, errors } = await openDemo();
  const nadia = attendee(pane, "nadia@wayne-analytics.example");
  await nadia.getByRole("button", { name: /Create contact/ }).click();
  const account = pane.locator("#create-account");
  await account.waitFor();
  assert.match(await account.innerText(), /Wayne Analytics/);
  assert.match(await account.innerText(), /exact name/);
  assert.equal(await focusedId(pane, "create-first_name"), "create-first_name", "the form opens at its first field");
  assert.equal(await pane.locator("#create-company").inputValue(), "Wayne Analytics");
  for (const [field, text] of [["first_name", "Nadia"], ["last_name", "Ivanova"], ["company", "Wayne Analytics"]]) {
    const input = pane.locator(`#create-${field}`);
    await typeInto(input, text);
    assert.equal(await input.inputValue(), text, `${field} holds what was typed`);
    assert.equal(await focusedId(pane, `create-${field}`), `create-${field}`, "typing keeps the focus in the field");
    const caret = await input.evaluate((el) => el.selectionStart);
    assert.equal(caret, text.length, "the caret follows the text");
  }
  await pane.getByRole("button", { name: "Save" }).click();
  await nadia.locator(".kind.contact").waitFor();
  const box = nadia.locator("input[type=checkbox]");
  assert.equal(await box.isChecked(), true, "the new contact is related");
  assert.equal(await focusedId(pane, await box.getAttribute("id")), await box.getAttribute("id"), "the keyboard is on the new contact");
  assert.match(await nadia.innerText(), /Nadia Ivanova/);
  await page.locator("#org").getByText("nadia@wayne-analytics.example").waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test("a stranger whose company finds no Account is told so, and the rep picks one by typing", async () => {
  const { context, pane, errors } = await openDemo();
  const alex = attendee(pane, "alex.kim@unknown-startup.example");
  await alex.getByRole("button", { name: /Create contact/ }).click();
  await pane.locator("#create-account").getByText(/No Account found/).waitFor();
  const search = pane.getByLabel("Pick an Account");
  await typeInto(search, "acme");
  assert.equal(await search.inputValue(), "acme");
  assert.equal(await focusedId(pane, "create-account-search"), "create-account-search");
  await pane.getByRole("button", { name: /Acme Corporation/ }).click();
  await pane.locator("#create-account").getByText(/the Account you picked/).waitFor();
  assert.equal(await focusedId(pane, "create-account"), "create-account", "the keyboard is on the Account picked");
  await pane.getByRole("button", { name: "Save" }).click();
  await alex.locator(".kind.contact").waitFor();
  assert.match(await alex.innerText(), /Acme Corporation/, "the new contact is under the Account picked");
  assert.deepEqual(errors, []);
  await context.close();
});

test("relating two contacts and an opportunity and pressing Sync writes the Salesforce Event, shown synced at once and named on reopening", async () => {
  const { context, page, pane, errors } = await openDemo();
  await attendee(pane, "jane.doe@acme-corp.example").locator("input[type=checkbox]").waitFor();
  // Its one-match contacts are pre-selected (a meeting never related): relate exactly two.
  assert.equal(await attendee(pane, "mei.chen@globex.example").locator("input[type=checkbox]").isChecked(), true);
  await pane.getByRole("button", { name: "Clear" }).click();
  assert.equal(await pane.locator("#related-count").innerText(), "0 records related");
  await attendee(pane, "jane.doe@acme-corp.example").locator("input[type=checkbox]").check();
  await attendee(pane, "raj.patel@acme-corp.example").locator("input[type=checkbox]").check();
  const lead = attendee(pane, "priya.raman@hooli.example").locator("input[type=checkbox]");
  assert.equal(await lead.isDisabled(), true, "a Lead cannot join Contacts");
  const search = pane.getByLabel("Search Accounts, Opportunities and Cases");
  await search.pressSequentially("acme ren");
  assert.equal(await search.inputValue(), "acme ren", "each keystroke lands after the one before");
  assert.equal(await focusedId(pane, "what-search"), "what-search");
  assert.equal(await search.evaluate((el) => el.selectionStart), "acme ren".length, "the caret stays at the end");
  await pane.getByRole("button", { name: /Acme renewal 2027/ }).click();
  assert.match(await pane.locator(".chosen").innerText(), /Acme renewal 2027/);
  assert.equal(await focusedId(pane, "what-chosen"), "what-chosen", "the keyboard is on the record chosen");
  assert.equal(await pane.locator("#related-count").innerText(), "3 records related");

  const clicked = Date.now();
  await pane.getByRole("button", { name: "Sync to Salesforce" }).click();
  await pane.locator("#sync-state.queued, #sync-state.synced").first().waitFor();
  await pane.locator("#sync-state.synced").waitFor({ timeout: 10_000 });
  const waited = Date.now() - clicked;
  console.log(`# "Synced" shown ${waited} ms after the click`);
  assert.ok(waited < 1500, `"Synced" within 1.5 s of the click (took ${waited} ms)`);
  assert.match(await pane.locator("#sync-state").innerText(), /Synced/);
  assert.equal(await focusedId(pane, "sync-state"), "sync-state", "the keyboard is at the sync's status");
  const link = pane.getByRole("link", { name: "Open the Salesforce Event" });
  const href = await link.getAttribute("href");
  assert.match(href, /\/lightning\/r\/Event\/00U[A-Za-z0-9]+\/view$/);
  // The link opens a page naming the Event (the emulated Salesforce's record page).
  const recordPage = await context.newPage();
  await recordPage.goto(href);
  assert.match(await recordPage.locator("h1").innerText(), new RegExp(MEETING));
  await recordPage.close();
  // Why it is as it is: the sync's decisions, from the meeting's history.
  await pane.locator("#sync-history summary").click();
  await pane.locator("#sync-history li").first().waitFor();
  assert.match(await pane.locator("#sync-history").innerText(), /Written to Salesforce, after your choice here/);
  await page.locator("#org").getByText(MEETING).waitFor();
  assert.deepEqual(errors, []);
  await context.close();

  // Reopened: the records by name, as related.
  const again = await openDemo();
  await again.pane.locator("#what-chosen").waitFor();
  assert.match(await again.pane.locator("#what-chosen").innerText(), /Acme renewal 2027/);
  assert.doesNotMatch(await again.pane.locator("#what-chosen").innerText(), /006/);
  assert.equal(await attendee(again.pane, "jane.doe@acme-corp.example").locator("input[type=checkbox]").isChecked(), true);
  assert.equal(await attendee(again.pane, "mei.chen@globex.example").locator("input[type=checkbox]").isChecked(), false);
  assert.deepEqual(again.errors, []);
  await again.context.close();
});

test("an attendee sees the same meeting, its matches and its sync state", async () => {
  const { context, pane, errors } = await openDemo({ mode: "attendee" });
  await attendee(pane, "jane.doe@acme-corp.example").getByText("Contact").waitFor();
  assert.match(await pane.locator(".meeting").innerText(), /you attend it/);
  await pane.locator("#sync-state.synced").waitFor();
  assert.equal(await attendee(pane, "jane.doe@acme-corp.example").locator("input[type=checkbox]").isChecked(), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test("one flow by keyboard alone: relate a contact and sync", async () => {
  const { context, page, pane, errors } = await openDemo({ meeting: "Globex pilot kickoff" });
  const box = attendee(pane, "mei.chen@globex.example").locator("input[type=checkbox]");
  await box.waitFor();
  assert.equal(await box.isChecked(), true, "a meeting never related starts with its one-match attendees related");
  await pane.locator("h1").click();
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await box.evaluate((el) => el === document.activeElement);
  }
  assert.ok(reached, "Tab reaches the contact's checkbox");
  await page.keyboard.press("Space");
  assert.equal(await box.isChecked(), false, "Space unrelates it");
  await page.keyboard.press("Space");
  assert.equal(await box.isChecked(), true);
  const sync = pane.locator("#sync");
  for (let i = 0; i < 30 && !(await sync.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await page.keyboard.press("Enter");
  await pane.locator("#sync-state.synced").waitFor();
  assert.equal(await focusedId(pane, "sync-state"), "sync-state", "after Sync the keyboard is at the sync's status");
  assert.deepEqual(errors, []);
  await context.close();
});

/** Runs axe-core's WCAG 2.1 A and AA rules in the pane; the violations, each with its nodes. */
async function axeViolations(page) {
  const frame = await paneFrame(page);
  // Evaluated as the test's own script: the pane's Content-Security-Policy (rightly) refuses
  // an injected <script>.
  await frame.evaluate(axeSource);
  return frame.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}

test("the pane at 320×800 with seven attendees keeps Sync in view, passes axe-core in light and dark, and is photographed for the README", async () => {
  mkdirSync(shots, { recursive: true });
  for (const theme of ["light", "dark"]) {
    const { context, page, pane, errors } = await openDemo({ theme });
    await attendee(pane, "jane.doe@acme-corp.example").getByText("Contact").waitFor();
    await pane.locator("#sync-state.synced").waitFor();
    const frame = page.locator("#pane");
    await frame.evaluate((el) => {
      el.style.width = "320px";
      el.style.height = "800px";
    });
    assert.match(await pane.locator("#attendees-title").innerText(), /Attendees \(7\)/);
    const background = await pane.locator("body").evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(background, theme === "dark" ? "rgb(41, 41, 41)" : "rgb(255, 255, 255)");
    const box = await frame.boundingBox();
    assert.equal(box.width <= 322, true);
    const scroll = await pane.locator("html").evaluate((el) => el.scrollWidth - el.clientWidth);
    assert.equal(scroll, 0, "nothing overflows 320 px");
    const sync = await pane.locator("#sync").boundingBox();
    assert.ok(sync.y >= box.y && sync.y + sync.height <= box.y + 800, `Sync is inside the 800 px pane (at ${sync.y - box.y} px)`);
    assert.deepEqual(await axeViolations(page), [], `axe-core finds nothing in ${theme}`);
    await frame.screenshot({ path: path.join(shots, `pane-${theme}.png`) });
    assert.deepEqual(errors, []);
    await context.close();
  }
  const attendeeMode = await openDemo({ mode: "attendee" });
  await attendeeMode.pane.locator("#sync-state.synced").waitFor();
  const frame = attendeeMode.page.locator("#pane");
  await frame.evaluate((el) => {
    el.style.width = "320px";
    el.style.height = "800px";
  });
  assert.deepEqual(await axeViolations(attendeeMode.page), []);
  await frame.screenshot({ path: path.join(shots, "pane-attendee.png") });
  await attendeeMode.context.close();
});

test("the pane follows attendee and time changes the organizer makes while it is open", async () => {
  const { page, context, pane, errors } = await openDemo({ meeting: "Partner QBR" });
  await attendee(pane, "lars.nilsson@umbrella-logistics.example").locator(".kind.contact").waitFor();
  await page.getByLabel("Add attendee").pressSequentially("tom.okafor@globex.example");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await attendee(pane, "tom.okafor@globex.example").locator(".kind.contact").waitFor();
  await page.getByRole("button", { name: "Remove ben@vandelay.example" }).click();
  await attendee(pane, "ben@vandelay.example").waitFor({ state: "detached" });
  assert.match(await pane.locator("#attendees-title").innerText(), /Attendees \(2\)/);
  assert.deepEqual(errors, []);
  await context.close();
});
