// The pane's state, and the rules Salesforce puts on a meeting's relations, applied as the rep
// clicks (the service checks them again).
import type { AttendeeMatches, HistoryEntry, Link, Me, Meeting, Person, WhatRecord } from "./types";

export const MAX_CONTACTS = 50;

export interface Creating {
  email: string;
  name: string;
  kind: "contact" | "lead";
  person: Person | null;
  saving: boolean;
  error: string | null;
  duplicateId: string | null;
}

export interface State {
  me: Me | null;
  meeting: Meeting | null;
  attendees: AttendeeMatches[];
  /** What the pane is waiting for, said to the rep; null when idle. */
  progress: string | null;
  error: string | null;
  /** Contact and Lead ids the rep relates the meeting to, and their kind. */
  who: Map<string, "contact" | "lead">;
  what: WhatRecord | null;
  search: { text: string; results: WhatRecord[] | null; busy: boolean; error: string | null };
  creating: Creating | null;
  link: Link | null;
  /** What the sync did with the meeting, oldest first. */
  history: HistoryEntry[];
  syncing: boolean;
}

export function initialState(): State {
  return {
    me: null,
    meeting: null,
    attendees: [],
    progress: "Loading…",
    error: null,
    who: new Map(),
    what: null,
    search: { text: "", results: null, busy: false, error: null },
    creating: null,
    link: null,
    history: [],
    syncing: false,
  };
}

export function hasLead(state: State): boolean {
  return [...state.who.values()].includes("lead");
}

/** Why a record cannot be added to the relations now, or null when it can. */
export function whyNot(state: State, id: string, kind: "contact" | "lead"): string | null {
  if (state.who.has(id)) return null;
  if (hasLead(state)) return "A meeting related to a Lead relates to that Lead alone.";
  if (kind === "lead" && state.who.size > 0) return "A Lead is related alone: clear the Contacts first.";
  if (kind === "lead" && state.what) return "A meeting with a Lead has no Account, Opportunity or Case.";
  if (kind === "contact" && state.who.size >= MAX_CONTACTS) return `At most ${MAX_CONTACTS} Contacts per meeting.`;
  return null;
}

/** Addresses the sync configuration keeps out (never related, never created). */
export function excluded(me: Me | null, email: string): boolean {
  const settings = (me?.sync_config?.settings ?? {}) as Record<string, unknown>;
  const list = (key: string) => (Array.isArray(settings[key]) ? (settings[key] as string[]) : []);
  const address = email.toLowerCase();
  const domain = address.split("@")[1] ?? "";
  return (
    list("excluded_addresses").some((a) => a.toLowerCase() === address) ||
    list("excluded_domains").some((d) => d.toLowerCase() === domain)
  );
}
