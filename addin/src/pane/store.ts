// The pane's state, as signals the views read (a change re-renders only what reads it), and
// the rules Salesforce puts on a meeting's relations, applied as the rep clicks (the service
// checks them again).
import { computed, signal } from "@preact/signals";
import type { AttendeeMatches, Connection, HistoryEntry, Link, Me, Meeting, Person, WhatRecord, WhoKind } from "./types";

export const MAX_CONTACTS = 50;

export interface Creating {
  email: string;
  name: string;
  kind: WhoKind;
  person: Person | null;
  saving: boolean;
  error: string | null;
  duplicateId: string | null;
  /** The Account the rep picked when the rule found none (a Contact only). */
  account: { id: string; name: string } | null;
  accountSearch: SearchState;
}

export interface SearchState {
  text: string;
  results: WhatRecord[] | null;
  busy: boolean;
  error: string | null;
}

export const me = signal<Me | null>(null);
/** The Salesforce user and org the rep is connected as, read live. */
export const connection = signal<Connection | null>(null);
export const meeting = signal<Meeting | null>(null);
export const attendees = signal<AttendeeMatches[] | null>(null);
/** What the pane is waiting for, said to the rep; null when idle. */
export const progress = signal<string | null>("Loading…");
export const error = signal<string | null>(null);
/** Contact and Lead ids the meeting is related to, and their kind (a new Map on each change). */
export const who = signal<ReadonlyMap<string, WhoKind>>(new Map());
/** The names of records the pane has seen (matches, search, created, the link), by Id. */
export const names = signal<ReadonlyMap<string, string>>(new Map());
export const what = signal<WhatRecord | null>(null);
export const search = signal<SearchState>({ text: "", results: null, busy: false, error: null });
export const creating = signal<Creating | null>(null);
export const link = signal<Link | null>(null);
/** What the sync did with the meeting, oldest first. */
export const history = signal<HistoryEntry[]>([]);
export const syncing = signal(false);
/** The rep changed the relations themselves: nothing is pre-selected over their choice. */
export const touched = signal(false);
/** The element to focus after the next render, by id. */
export const focusTarget = signal<string | null>(null);

export const connected = computed(() => me.value?.salesforce.state === "connected");
export const related = computed(() => who.value.size + (what.value ? 1 : 0));
export const hasLead = computed(() => [...who.value.values()].includes("lead"));

/** Why a record cannot be added to the relations now, or null when it can. */
export function whyNot(id: string, kind: WhoKind): string | null {
  const chosen = who.value;
  if (chosen.has(id)) return null;
  if (hasLead.value) return "A meeting related to a Lead relates to that Lead alone.";
  if (kind === "lead" && chosen.size > 0) return "A Lead is related alone: clear the Contacts first.";
  if (kind === "lead" && what.value) return "A meeting with a Lead has no Account, Opportunity or Case.";
  if (kind === "contact" && chosen.size >= MAX_CONTACTS) return `At most ${MAX_CONTACTS} Contacts per meeting.`;
  return null;
}

export function setWho(next: Map<string, WhoKind>): void {
  who.value = next;
}

export function remember(entries: Iterable<[string, string]>): void {
  const next = new Map(names.value);
  for (const [id, name] of entries) if (name) next.set(id, name);
  names.value = next;
}

/** The attendees the pane lists: not the rep, and not an address the sync configuration keeps
 * out (the service says which: `excluded`, from the configuration's own rule). */
export function shown(list: AttendeeMatches[]): AttendeeMatches[] {
  const mine = Office.context.mailbox.userProfile.emailAddress.toLowerCase();
  return list.filter((a) => a.email.toLowerCase() !== mine && !a.excluded);
}

/** The attendees the rep relates: those shown, less colleagues. */
export function relatable(list: AttendeeMatches[]): AttendeeMatches[] {
  return shown(list).filter((a) => !a.colleague);
}

/**
 * What "relate all matched" relates: each attendee's best Contact; when no attendee has a
 * Contact, the one Lead if exactly one attendee has a Lead (a Lead is related alone). With
 * `onlyCertain`, only attendees who match exactly one record of that kind count (what is
 * pre-selected for a meeting never related, as `scope: all` decides on the server).
 */
export function matchedRecords(list: AttendeeMatches[], onlyCertain: boolean): Map<string, WhoKind> {
  const chosen = new Map<string, WhoKind>();
  const people = relatable(list);
  for (const attendee of people) {
    const contacts = attendee.matches.filter((m) => m.kind === "contact");
    if (contacts.length === 0 || (onlyCertain && contacts.length > 1)) continue;
    if (chosen.size < MAX_CONTACTS) chosen.set(contacts[0].id, "contact");
  }
  if (chosen.size > 0) return chosen;
  const leads = people
    .filter((a) => !a.matches.some((m) => m.kind === "contact"))
    .map((a) => a.matches.filter((m) => m.kind === "lead"))
    .filter((found) => found.length > 0 && (!onlyCertain || found.length === 1));
  if (leads.length === 1) chosen.set(leads[0][0].id, "lead");
  return chosen;
}
