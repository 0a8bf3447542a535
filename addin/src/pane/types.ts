// What the service's API answers, as the pane uses it (the OpenAPI document has the whole).

export interface Named {
  id: string;
  name: string;
}

export interface Match {
  kind: "contact" | "lead";
  id: string;
  name: string;
  account: Named | null;
  company: string | null;
  owner: Named | null;
  reason: "primary_email" | "extra_email";
  /** With extra_email: the field that holds the address. */
  field: string | null;
}

export interface AttendeeMatches {
  email: string;
  name: string | null;
  matches: Match[];
  colleague: Named | null;
  /** An admin excluded the address or its domain: never related nor created. */
  excluded: boolean;
}

export interface Me {
  display_name: string | null;
  salesforce: { mode: string; state: string; error: string | null; user_id: string | null; instance_url: string | null };
  /** The rep's Outlook calendar as the background sync reaches it. */
  graph: { mode: string; state: string; watched: boolean; error: string | null; claims: string | null };
  sync_config: { settings: Record<string, unknown> } | null;
}

export interface WhatRecord {
  type: "account" | "opportunity" | "case";
  id: string;
  name: string;
  detail: string | null;
}

export interface AccountChoice {
  account: Named | null;
  rule: "exact_name" | "only_containing" | "no_account";
}

export interface Person {
  id: string | null;
  kind: "contact" | "lead" | null;
  email: string;
  first_name: string | null;
  last_name: string;
  company: string | null;
  account: AccountChoice;
}

export type SyncState = "queued" | "synced" | "failed" | "not_synced" | "reconnect_needed";

export interface Link {
  outlook_event_id: string;
  sync: boolean;
  who_ids: string[];
  what_id: string | null;
  state: SyncState;
  /** Which of who_ids the sync related because an attendee matched. */
  attendee_relations: string[];
  /** How many of who_ids the last write left out (the org relates an event to one contact). */
  who_ids_left_out: number;
  salesforce_event_id: string | null;
  error: string | null;
}

/** One decision of the sync about the meeting (`GET /api/v1/events/{id}/history`). */
export interface HistoryEntry {
  at: string;
  actor: "system" | "rep" | "admin";
  action: string;
  /** What made the sync look at the meeting (`pane`, `notification`, …). */
  seen: string | null;
  because: string | null;
  salesforce_code: string | null;
  changed: string[];
  /** A `conflict`'s part, each side's value, the winner and the value that lost. */
  conflict?: { part: string; winner: "outlook" | "salesforce"; lost: unknown } | null;
}

export interface Attendee {
  email: string;
  name: string;
}

/** A meeting as Office.js shows it. */
export interface Meeting {
  restId: string | null;
  subject: string;
  start: Date;
  end: Date;
  /** Null when the host cannot say (before Mailbox 1.11): the service then takes Outlook's. */
  allDay: boolean | null;
  location: string;
  timeZone: string;
  attendees: Attendee[];
  organizer: boolean;
}

export interface PaneConfig {
  clientId: string;
  scope: string;
  authority: string;
}
