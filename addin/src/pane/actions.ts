// What the pane does: each action reads and writes the store, calls the API, and says where
// the keyboard goes next.
import { batch } from "@preact/signals";
import type { Api } from "./api";
import { ensureRestId, readMeeting } from "./meeting";
import { errorText } from "./messages";
import * as store from "./store";
import type { Connection, History, Link, LinkRequest, Matches, Me, Search, Ticket, WhatRecord, WhoKind } from "./types";
import { openDialog } from "./dialog";
import { watchLink } from "./live";

let api: Api;

export function useApi(client: Api): void {
  api = client;
}

/** The API client the pane was started with. */
export function client(): Api {
  return api;
}

export function fail(error: unknown): void {
  batch(() => {
    store.progress.value = null;
    store.error.value = errorText(error);
  });
}

export async function loadMe(): Promise<void> {
  store.me.value = await api.call<Me>("GET", "/api/v1/me");
  if (store.connected.value && !store.connection.value) void loadConnection();
}

/** Who the rep is in Salesforce (a live read; the header says it when it comes). */
async function loadConnection(): Promise<void> {
  try {
    store.connection.value = await api.call<Connection>("GET", "/api/v1/salesforce/connection");
  } catch {
    store.connection.value = null;
  }
}

/** The service connects the rep's calendar in the background after a call: look again, every
 * two seconds for a while, until it is followed. */
export function followCalendar(tries = 10): void {
  if (store.me.value?.graph.watched || tries === 0) return;
  window.setTimeout(() => {
    loadMe()
      .then(() => followCalendar(tries - 1))
      .catch(fail);
  }, 2000);
}

export async function match(): Promise<void> {
  const meeting = store.meeting.value;
  if (!meeting || !store.connected.value) return;
  if (!store.attendees.value) store.progress.value = "Finding the attendees in Salesforce…";
  const found = await api.call<Matches>("POST", "/api/v1/matches", {
    attendees: meeting.attendees.map((a) => ({ email: a.email, name: a.name })),
  });
  batch(() => {
    store.attendees.value = found.attendees;
    store.remember(found.attendees.flatMap((a) => a.matches.map((m): [string, string] => [m.id, m.name])));
    store.progress.value = null;
    store.error.value = null;
    preselect();
  });
}

/** A meeting never related starts with the attendees who match one record related. */
function preselect(): void {
  const link = store.link.value;
  const list = store.attendees.value;
  if ((link && link.version !== "0") || store.touched.value || !list) return;
  store.setWho(store.matchedRecords(list, true));
}

/** Shows a link the service answered, and what it says about the relations. */
export function showLink(link: Link): void {
  batch(() => {
    const before = store.link.value;
    store.link.value = link;
    store.remember(link.records.flatMap((r): [string, string][] => (r.name ? [[r.id, r.name]] : [])));
    if (link.version !== "0" && !store.touched.value) {
      // What was related before, as the service holds it.
      const who = new Map<string, WhoKind>();
      for (const r of link.records) if (r.type === "contact" || r.type === "lead") who.set(r.id, r.type);
      store.setWho(who);
      const what = link.records.find((r) => r.type !== "contact" && r.type !== "lead");
      store.what.value = what
        ? { type: what.type as WhatRecord["type"], id: what.id, name: what.name ?? store.names.value.get(what.id) ?? what.id }
        : null;
    }
    if (before?.version !== link.version) void loadHistory(link);
    preselect();
  });
}

async function loadHistory(link: Link): Promise<void> {
  if (link.version === "0") {
    store.history.value = [];
    return;
  }
  const path = `/api/v1/events/${encodeURIComponent(link.outlook_event_id)}/history`;
  const found = await api.call<History>("GET", path).catch((): History => ({ entries: [] }));
  store.history.value = found.entries;
}

export async function loadLink(): Promise<void> {
  const id = store.meeting.value?.restId;
  if (!id) {
    // An organizer's new meeting has no id until saved: it is a meeting never related.
    store.link.value = null;
    preselect();
    return;
  }
  showLink(await api.call<Link>("GET", `/api/v1/events/${encodeURIComponent(id)}/link`));
  watchLink(api, showLink);
}

export async function reread(): Promise<void> {
  const fresh = await readMeeting();
  store.meeting.value = { ...fresh, restId: store.meeting.value?.restId ?? fresh.restId };
  await match();
}

export function toggleWho(id: string, kind: WhoKind): void {
  const next = new Map(store.who.value);
  if (next.has(id)) next.delete(id);
  else if (!store.whyNot(id, kind)) next.set(id, kind);
  batch(() => {
    store.touched.value = true;
    store.setWho(next);
  });
}

export function relateAllMatched(): void {
  const list = store.attendees.value ?? [];
  batch(() => {
    store.touched.value = true;
    const chosen = store.matchedRecords(list, false);
    if ([...chosen.values()].includes("lead")) store.what.value = null;
    store.setWho(chosen);
  });
}

export function clearRelations(): void {
  batch(() => {
    store.touched.value = true;
    store.setWho(new Map());
    store.what.value = null;
  });
}

export async function connect(login: string): Promise<void> {
  try {
    batch(() => {
      store.progress.value = "Waiting for Salesforce sign-in…";
      store.error.value = null;
    });
    const ticket = await api.call<Ticket>("POST", "/api/v1/salesforce/connect-ticket", { login });
    const result = await openDialog(new URL(ticket.start_url, location.origin).href);
    if (result.status !== "ok") throw new Error(`Salesforce was not connected (${result.code}).`);
    store.connection.value = null;
    await loadMe();
    store.progress.value = null;
    await match();
    await loadLink();
    store.focusTarget.value = "connection-state";
  } catch (error) {
    fail(error);
  }
}

export async function disconnect(): Promise<void> {
  try {
    await api.call<null>("DELETE", "/api/v1/salesforce/connection");
    batch(() => {
      store.connection.value = null;
      store.attendees.value = null;
    });
    await loadMe();
    store.focusTarget.value = "connect";
  } catch (error) {
    fail(error);
  }
}

export async function signInForCalendar(claims: string | undefined, token: (claims?: string) => Promise<string>): Promise<void> {
  try {
    // A token that satisfies the challenge; the next call hands it to the service.
    await token(claims);
    await loadMe();
    followCalendar();
  } catch (error) {
    fail(error);
  }
}

export async function sync(): Promise<void> {
  const meeting = store.meeting.value;
  if (!meeting) return;
  store.syncing.value = true;
  try {
    const restId = meeting.restId ?? (await ensureRestId());
    store.meeting.value = { ...meeting, restId };
    const related = [...store.who.value.keys(), ...(store.what.value ? [store.what.value.id] : [])];
    const body: LinkRequest = {
      who_ids: [...store.who.value.keys()],
      what_id: store.what.value?.id ?? null,
      sync: true,
      names: Object.fromEntries(related.flatMap((id) => {
        const name = id === store.what.value?.id ? store.what.value.name : store.names.value.get(id);
        return name ? [[id, name]] : [];
      })),
      meeting: {
        subject: meeting.subject,
        start: meeting.start.toISOString(),
        end: meeting.end.toISOString(),
        time_zone: meeting.timeZone || null,
        all_day: meeting.allDay,
        location: meeting.location || null,
        attendees: meeting.attendees.map((a) => ({ email: a.email, name: a.name })),
      },
    };
    const link = await api.call<Link>("PUT", `/api/v1/events/${encodeURIComponent(restId)}/link`, body);
    batch(() => {
      store.error.value = null;
      store.touched.value = false;
      showLink(link);
    });
    watchLink(api, showLink);
  } catch (error) {
    store.error.value = errorText(error);
  }
  batch(() => {
    store.syncing.value = false;
    store.focusTarget.value = "sync-state";
  });
}

export async function unsync(): Promise<void> {
  const id = store.meeting.value?.restId;
  if (!id) return;
  try {
    showLink(await api.call<Link>("DELETE", `/api/v1/events/${encodeURIComponent(id)}/link`));
    watchLink(api, showLink);
    store.focusTarget.value = "sync-state";
  } catch (error) {
    fail(error);
  }
}

let searchTimer: number | undefined;

export function searchWhat(text: string): void {
  store.search.value = { ...store.search.value, text, busy: text.trim().length >= 2 };
  window.clearTimeout(searchTimer);
  searchTimer = window.setTimeout(() => void runSearch(), 250);
}

async function runSearch(): Promise<void> {
  const text = store.search.value.text.trim();
  if (text.length < 2) {
    store.search.value = { ...store.search.value, results: null, busy: false };
    return;
  }
  try {
    const found = await api.call<Search>("GET", `/api/v1/records/search?q=${encodeURIComponent(text)}`);
    if (store.search.value.text.trim() !== text) return;
    store.search.value = { ...store.search.value, results: found.records, busy: false, error: null };
  } catch (error) {
    store.search.value = { ...store.search.value, results: null, busy: false, error: errorText(error) };
  }
}

export function chooseWhat(record: WhatRecord | null): void {
  batch(() => {
    store.touched.value = true;
    store.what.value = record;
    if (record) store.remember([[record.id, record.name]]);
    store.search.value = { text: "", results: null, busy: false, error: null };
    store.focusTarget.value = record ? "what-chosen" : "what-search";
  });
}

export async function load(): Promise<void> {
  store.meeting.value = await readMeeting();
  store.progress.value = null;
  await loadLink().catch(fail);
  await match();
}
