// What the service's API answers and accepts, as its OpenAPI document describes it: the types
// are generated from addin/openapi.json at build time (api-types.gen.ts), so a field the
// service renames is a build error here, not a blank in the pane.
import type { components } from "./api-types.gen";

type Schemas = components["schemas"];

export type Me = Schemas["MeView"];
export type Connection = Schemas["ConnectionView"];
export type AttendeeMatches = Schemas["AttendeeMatches"];
export type Match = Schemas["Match"];
export type Matches = Schemas["MatchesView"];
export type MatchRequest = Schemas["MatchRequest"];
export type WhatRecord = Schemas["WhatRecord"];
export type Search = Schemas["SearchView"];
export type Person = Schemas["PersonView"];
export type PersonIn = Schemas["PersonIn"];
export type AccountRule = Schemas["AccountRule"];
export type NamesFrom = Schemas["NamesFrom"];
export type Link = Schemas["LinkView"];
export type LinkRequest = Schemas["LinkRequest"];
export type LinkCode = Schemas["LinkCode"];
export type SyncState = Schemas["SyncState"];
export type RecordType = Schemas["Kind"];
export type History = Schemas["HistoryView"];
export type HistoryEntry = Schemas["EntryView"];
export type Action = Schemas["Action"];
export type Cause = Schemas["Cause"];
export type Part = Schemas["Part"];
export type Rule = Schemas["Rule"];
export type TicketRequest = Schemas["TicketRequest"];
export type Ticket = Schemas["TicketView"];

/** What a meeting may be related to as a Who. */
export type WhoKind = Schemas["RecordKind"];

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
