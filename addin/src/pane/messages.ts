// What the rep reads for each state, code and decision the API gives. The tables are keyed by
// the API's own enums (types.ts): a code the service adds is a build error here until it has
// its words, never a blank or a raw code in the pane.
import { ApiError } from "./api";
import type { AccountRule, NamesFrom, Action, Cause, HistoryEntry, LinkCode, Part, Rule, SyncState } from "./types";

export const SYNC_STATE: Record<SyncState, string> = {
  queued: "Queued: it reaches Salesforce within seconds.",
  synced: "Synced to Salesforce.",
  failed: "The last sync failed.",
  not_synced: "Not synced.",
  reconnect_needed: "Salesforce needs you to connect again before anything syncs.",
};

/** Why a meeting is as it is, and what the rep can do: every code a link can carry. */
export const LINK_CODE: Record<LinkCode, string> = {
  salesforce_reconnect_needed: "Salesforce no longer accepts your connection: connect again, and your meetings sync then.",
  salesforce_rejected: "Salesforce refused it (see what the sync did); your next change tries again.",
  private: "It is private, and your admin keeps private meetings out of Salesforce.",
  longer_than_14_days: "Salesforce takes no event longer than 14 days: shorten it to sync it.",
  sync_direction_off: "Your admin's sync configuration sends nothing from Outlook to Salesforce.",
  outlook_unreadable: "outforce could not read this meeting from your mailbox. Press Sync to send it from here; if it persists, tell your admin.",
  graph_event_unreadable: "Outlook gave this meeting in a form outforce cannot read. Press Sync to send it from here; if it persists, tell your admin.",
  unknown_time_zone: "The meeting's time zone is unknown to outforce: set a standard time zone on it in Outlook.",
  earlier_write_ambiguous: "An interrupted sync may have written it already, and Salesforce holds look-alikes: your admin decides which is this meeting.",
  sync_gave_up: "The sync failed again and again and stopped. Press Sync to try again; if it persists, tell your admin.",
  no_matching_attendee: "No attendee is a Contact or Lead, and your admin syncs meetings with customers only.",
  outlook_cancelled: "It was cancelled in Outlook, so it left Salesforce.",
  outlook_deleted: "It was deleted in Outlook, so it left Salesforce.",
  salesforce_deleted: "Its Event was deleted in Salesforce, so it no longer syncs. Press Sync to write it again.",
  outside_window: "It is outside the dates your admin syncs.",
  outside_scope: "Your admin's configuration no longer syncs it.",
  salesforce_api_budget_paused: "Your org has used almost all of today's Salesforce API calls: it syncs as soon as more are available.",
  graph_throttled: "Microsoft 365 asked outforce to slow down: it syncs in a moment, by itself.",
  graph_unavailable: "Microsoft 365 did not answer: it syncs once it does, by itself.",
  salesforce_unavailable: "Salesforce did not answer: it syncs once it does, by itself.",
  merging_salesforce_changes: "It was changed in Salesforce too: the changes are merged first, then it syncs.",
  shared_meeting_pending: "A colleague's sync of this meeting is landing first: yours joins it in a moment.",
  twin_write_in_flight: "An identical meeting of yours is being written: outforce checks it is not this one first.",
};

const ERRORS: Record<string, string> = {
  salesforce_not_connected: "Connect Salesforce to see who these people are.",
  salesforce_reconnect_needed: "Salesforce no longer accepts your connection: connect again.",
  salesforce_unavailable: "Salesforce did not answer. Try again in a moment.",
  login_host_not_allowed: "That Salesforce address is not one outforce may sign in at: check it, or ask your admin.",
  too_many_contacts: "A meeting relates to at most 50 Contacts.",
  lead_not_alone: "A meeting related to a Lead relates to that Lead alone.",
  lead_with_what: "A meeting related to a Lead cannot also be related to an Account, Opportunity or Case.",
  offline: "outforce cannot be reached. Check your connection and try again.",
};

/** The rep's reading of an API error. */
export function explain(code: string, fallback: string): string {
  return ERRORS[code] ?? fallback;
}

/** The rep's reading of whatever failed: an API error in the rep's words, else its message. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return explain(error.code, error.message);
  return String((error as Error)?.message ?? error);
}

export const ACCOUNT_RULE: Record<AccountRule, string> = {
  exact_name: "the Account with this exact name",
  only_containing: "the only Account whose name contains the company",
  no_account: "no Account: none has this name, or several contain it",
  chosen_by_rep: "the Account you picked",
};

/** Where a new record's proposed names came from, as the create form says it. */
export const NAMES_FROM: Record<NamesFrom, string | null> = {
  form: null,
  outlook_contact: "Names and company from your Outlook contact.",
  display_name: "Names from the name Outlook shows.",
  address: "Names guessed from the address: check them.",
};

const RULE: Record<Rule, string> = {
  unselected: "you stopped syncing it",
  changed_on_both_sides: "it changed in Outlook and in Salesforce at once",
  organizer: "its organizer's sync writes it",
  shared_meeting: "a colleague's sync writes it",
  would_notify_attendees: "changing it here would send its attendees an update",
};

const PART: Record<Part, string> = {
  subject: "subject",
  time: "time",
  location: "location",
  description: "description",
  show_as: "free/busy",
  private: "privacy",
  relations: "related records",
};

/** What made the sync look at the meeting, as the rep reads it. */
const SEEN: Record<Cause, string | null> = {
  pane: "after your choice here",
  notification: "after a change in Outlook",
  delta_round: "after a change in Outlook",
  category: "after the Salesforce category changed in Outlook",
  series: "with its series",
  scope: "because your admin syncs every meeting with a customer",
  reconnected: "once you reconnected Salesforce",
  reset: "when your admin restarted your sync",
  configuration: "when your admin changed what syncs",
  salesforce: "after a change in Salesforce",
  confirm: "to confirm an earlier write",
  unknown: null,
};

function because(entry: HistoryEntry): string | null {
  const why = entry.because;
  if (!why) return null;
  const text = why in LINK_CODE ? LINK_CODE[why as LinkCode] : RULE[why as Rule];
  return text ? text.replace(/\.$/, "").replace(/^./, (c) => c.toLowerCase()) : null;
}

const ACTION: Record<Action, (entry: HistoryEntry, why: string | null) => string> = {
  created: () => "Written to Salesforce.",
  found_again: () => "Found the Salesforce Event an interrupted sync had written.",
  updated: (e) => (e.changed.length ? `Updated in Salesforce: ${e.changed.join(", ")}.` : "Updated in Salesforce."),
  deleted: (_, why) => (why ? `Removed from Salesforce: ${why}.` : "Removed from Salesforce."),
  kept: (_, why) => (why ? `Kept in Salesforce, though ${why}.` : "Kept in Salesforce."),
  skipped: (_, why) => (why ? `Not synced: ${why}.` : "Not synced."),
  rejected: (e) => `Salesforce refused it (${e.salesforce_code ?? "no code given"}); your next change tries again.`,
  series_expanded: () => "Each occurrence of the series got its own Salesforce Event.",
  relations_followed: () => "Related the attendees who joined, and unrelated those the sync had related who left.",
  created_in_outlook: () => "Brought to your calendar from Salesforce (nobody was invited).",
  updated_in_outlook: () => "Salesforce's changes were written to your calendar.",
  deleted_in_outlook: (_, why) => (why ? `Removed from your calendar: ${why}.` : "Removed from your calendar."),
  kept_in_outlook: (_, why) => (why ? `Left as it is in your calendar: ${why}.` : "Left as it is in your calendar."),
  conflict: (e) => {
    const c = e.conflict;
    if (!c) return "Changed in Outlook and in Salesforce at once.";
    const winner = c.winner === "outlook" ? "Outlook's" : "Salesforce's";
    return `Changed in Outlook and in Salesforce at once: ${winner} ${PART[c.part]} was kept; the other was ${JSON.stringify(c.lost)}.`;
  },
  invited: () => "Added to the Salesforce Event a colleague's sync wrote.",
  uninvited: () => "Taken off the Salesforce Event a colleague's sync wrote.",
  took_over: () => "This sync now writes the meeting's Salesforce Event.",
  handed_over: () => "A colleague's sync now writes the meeting's Salesforce Event.",
  left_scope: (_, why) => (why ? `Left the sync: ${why}.` : "Left the sync."),
  back_in_scope: () => "Back in the sync.",
  gave_up: (_, why) => (why ? `The sync stopped: ${why}.` : "The sync stopped after failing again and again."),
  deletions_released: () => "Your admin released the deletions outforce had held back.",
  sync_reset: () => "Your admin restarted your sync.",
};

/** What one decision of the sync says to the rep, and what made the sync take it. */
export function describe(entry: HistoryEntry): string {
  const what = ACTION[entry.action](entry, because(entry));
  const seen = entry.seen ? SEEN[entry.seen] : null;
  return seen ? `${what.replace(/\.$/, "")}, ${seen}.` : what;
}
