// The task pane: reads the meeting open in Outlook, shows its attendees as Salesforce records,
// and relates and syncs it through the service's API.
import { Api, ApiError } from "./api";
import { Auth } from "./auth";
import { applyTheme, debounce, h } from "./dom";
import { ensureRestId, followChanges, isMeeting, readMeeting } from "./meeting";
import { explain } from "./messages";
import { type State, initialState, whyNot } from "./state";
import type { AttendeeMatches, HistoryEntry, Link, Me, PaneConfig, Person, WhatRecord } from "./types";
import { type Actions, render } from "./views";

const config: PaneConfig = JSON.parse(document.getElementById("outforce-config")?.textContent ?? "{}");
const root = document.getElementById("app") as HTMLElement;
const state: State = initialState();
let auth: Auth;
let api: Api;
let polling: number | undefined;

function update(): void {
  render(root, state, actions);
}

function fail(error: unknown): void {
  state.progress = null;
  state.error = error instanceof ApiError ? explain(error.code, error.message) : String((error as Error)?.message ?? error);
  update();
}

async function loadMe(): Promise<void> {
  state.me = await api.call<Me>("GET", "/api/v1/me");
}

/** The service connects the rep's calendar in the background after a call: look again, every
 * two seconds for a while, until it is followed. */
function followCalendar(tries = 10): void {
  if (state.me?.graph.watched || tries === 0) return;
  window.setTimeout(() => {
    loadMe()
      .then(() => {
        update();
        followCalendar(tries - 1);
      })
      .catch(fail);
  }, 2000);
}

async function match(): Promise<void> {
  const meeting = state.meeting;
  if (!meeting || state.me?.salesforce.state !== "connected") return;
  state.progress = "Finding the attendees in Salesforce…";
  update();
  const found = await api.call<{ attendees: AttendeeMatches[] }>("POST", "/api/v1/matches", {
    attendees: meeting.attendees.map((a) => ({ email: a.email, name: a.name })),
  });
  state.attendees = found.attendees;
  state.progress = null;
  state.error = null;
  update();
}

function showLink(link: Link | null): void {
  state.link = link;
  window.clearTimeout(polling);
  if (link?.state === "queued") polling = window.setTimeout(() => void refreshLink(), 3000);
}

async function refreshLink(): Promise<void> {
  const id = state.meeting?.restId;
  if (!id) return;
  const path = `/api/v1/events/${encodeURIComponent(id)}`;
  try {
    showLink(await api.call<Link>("GET", `${path}/link`));
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    showLink(null);
  }
  state.history = state.link ? (await api.call<{ entries: HistoryEntry[] }>("GET", `${path}/history`)).entries : [];
  update();
}

async function loadLink(): Promise<void> {
  await refreshLink();
  const link = state.link;
  if (!link) return;
  // What was related before: its kinds come from the matches when shown, else from the prefix.
  for (const id of link.who_ids) state.who.set(id, id.startsWith("00Q") ? "lead" : "contact");
  if (link.what_id && !state.what) {
    const type = link.what_id.startsWith("006") ? "opportunity" : link.what_id.startsWith("500") ? "case" : "account";
    state.what = { type, id: link.what_id, name: `the ${type} related before (${link.what_id})`, detail: null };
  }
}

async function reread(): Promise<void> {
  const fresh = await readMeeting();
  state.meeting = { ...fresh, restId: state.meeting?.restId ?? fresh.restId };
  await match();
}

const runSearch = debounce(async () => {
  const text = state.search.text.trim();
  if (text.length < 2) {
    state.search.results = null;
    state.search.busy = false;
    update();
    return;
  }
  try {
    const found = await api.call<{ records: WhatRecord[] }>("GET", `/api/v1/records/search?q=${encodeURIComponent(text)}`);
    if (state.search.text.trim() !== text) return;
    state.search = { ...state.search, results: found.records, busy: false, error: null };
  } catch (error) {
    state.search = { ...state.search, results: null, busy: false, error: error instanceof ApiError ? error.message : String(error) };
  }
  update();
}, 250);

function openDialog(url: string): Promise<{ status: string; code: string }> {
  return new Promise((resolve, reject) => {
    Office.context.ui.displayDialogAsync(url, { height: 60, width: 30, promptBeforeOpen: false }, (opened) => {
      if (opened.status !== Office.AsyncResultStatus.Succeeded) {
        reject(new Error(`The sign-in window could not open (${opened.error.code}). Allow pop-ups and try again.`));
        return;
      }
      const dialog = opened.value;
      dialog.addEventHandler(Office.EventType.DialogMessageReceived, (arg) => {
        dialog.close();
        const message = (arg as { message?: string }).message ?? "{}";
        resolve(JSON.parse(message));
      });
      dialog.addEventHandler(Office.EventType.DialogEventReceived, () =>
        reject(new Error("The sign-in window was closed before Salesforce was connected.")),
      );
    });
  });
}

const actions: Actions = {
  async signInForCalendar() {
    try {
      // A token that satisfies the challenge; the next call hands it to the service.
      await auth.token(state.me?.graph.claims ?? undefined);
      await loadMe();
      update();
      followCalendar();
    } catch (error) {
      fail(error);
    }
  },
  async connect() {
    try {
      state.progress = "Waiting for Salesforce sign-in…";
      update();
      const ticket = await api.call<{ start_url: string }>("POST", "/api/v1/salesforce/connect-ticket", { login: "production" });
      const result = await openDialog(new URL(ticket.start_url, location.origin).href);
      if (result.status !== "ok") throw new Error(`Salesforce was not connected (${result.code}).`);
      await loadMe();
      state.progress = null;
      state.error = null;
      await match();
      await loadLink();
      update();
    } catch (error) {
      fail(error);
    }
  },
  toggleWho(id, kind) {
    if (state.who.has(id)) state.who.delete(id);
    else if (!whyNot(state, id, kind)) state.who.set(id, kind);
    update();
  },
  async startCreate(email, name, kind) {
    state.creating = { email, name, kind, person: null, saving: false, error: null, duplicateId: null };
    update();
    try {
      const person = await api.call<Person>("POST", "/api/v1/people/preview", { email, name });
      if (state.creating?.email === email) state.creating.person = person;
    } catch (error) {
      if (state.creating) state.creating.error = error instanceof ApiError ? error.message : String(error);
    }
    update();
  },
  editCreate(field, value) {
    const person = state.creating?.person;
    if (person) person[field] = value;
  },
  async saveCreate() {
    const creating = state.creating;
    if (!creating?.person) return;
    creating.saving = true;
    creating.error = null;
    update();
    const { first_name, last_name, company } = creating.person;
    try {
      const created = await api.call<Person>("POST", `/api/v1/${creating.kind}s`, {
        email: creating.email,
        name: creating.name,
        first_name,
        last_name,
        company,
      });
      state.creating = null;
      if (created.id && !whyNot(state, created.id, creating.kind)) state.who.set(created.id, creating.kind);
      await match();
    } catch (error) {
      creating.saving = false;
      if (error instanceof ApiError) {
        creating.error = error.field ? `${error.field}: ${error.message}` : error.message;
        creating.duplicateId = error.existingId;
      } else creating.error = String(error);
      update();
    }
  },
  cancelCreate() {
    state.creating = null;
    update();
  },
  useExisting(id) {
    const kind = state.creating?.kind ?? "contact";
    state.creating = null;
    if (!whyNot(state, id, kind)) state.who.set(id, kind);
    void match().catch(fail);
  },
  search(text) {
    state.search.text = text;
    state.search.busy = text.trim().length >= 2;
    update();
    runSearch();
  },
  chooseWhat(record) {
    state.what = record;
    state.search = { text: "", results: null, busy: false, error: null };
    update();
  },
  async sync() {
    const meeting = state.meeting;
    if (!meeting) return;
    state.syncing = true;
    update();
    try {
      meeting.restId = meeting.restId ?? (await ensureRestId());
      const link = await api.call<Link>("PUT", `/api/v1/events/${encodeURIComponent(meeting.restId)}/link`, {
        who_ids: [...state.who.keys()],
        what_id: state.what?.id ?? null,
        sync: true,
        meeting: {
          subject: meeting.subject,
          start: meeting.start.toISOString(),
          end: meeting.end.toISOString(),
          time_zone: meeting.timeZone || null,
          all_day: meeting.allDay,
          location: meeting.location || null,
          attendees: meeting.attendees.map((a) => ({ email: a.email, name: a.name })),
        },
      });
      state.error = null;
      showLink(link);
    } catch (error) {
      state.error = error instanceof ApiError ? explain(error.code, error.message) : String(error);
    }
    state.syncing = false;
    update();
  },
  async unsync() {
    const id = state.meeting?.restId;
    if (!id) return;
    try {
      showLink(await api.call<Link>("DELETE", `/api/v1/events/${encodeURIComponent(id)}/link`));
    } catch (error) {
      fail(error);
      return;
    }
    update();
  },
};

async function start(): Promise<void> {
  applyTheme(Office.context.officeTheme);
  if (!isMeeting()) {
    root.replaceChildren(h("p", { class: "muted" }, "Open a meeting to see its attendees in Salesforce."));
    return;
  }
  auth = new Auth(config);
  api = new Api(auth);
  update();
  await loadMe();
  followCalendar();
  state.meeting = await readMeeting();
  state.progress = null;
  update();
  await match();
  await loadLink();
  update();
  followChanges(debounce(() => void reread().catch(fail), 400));
}

Office.onReady(() => {
  start().catch(fail);
});
