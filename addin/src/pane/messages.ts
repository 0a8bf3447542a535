// What the rep reads for each state and error code the API gives.
import type { HistoryEntry, SyncState } from "./types";

export const SYNC_STATE: Record<SyncState, string> = {
  queued: "Queued: it reaches Salesforce within seconds.",
  synced: "Synced to Salesforce.",
  failed: "The last sync failed.",
  not_synced: "Not synced.",
  reconnect_needed: "Salesforce needs you to connect again before anything syncs.",
};

const ERRORS: Record<string, string> = {
  salesforce_not_connected: "Connect Salesforce to see who these people are.",
  salesforce_reconnect_needed: "Salesforce no longer accepts your connection: connect again.",
  salesforce_unavailable: "Salesforce did not answer. Try again in a moment.",
  too_many_contacts: "A meeting relates to at most 50 Contacts.",
  lead_not_alone: "A meeting related to a Lead relates to that Lead alone.",
  lead_with_what: "A meeting related to a Lead cannot also be related to an Account, Opportunity or Case.",
  offline: "outforce cannot be reached. Check your connection and try again.",
};

/** The rep's reading of an API error. */
export function explain(code: string, fallback: string): string {
  return ERRORS[code] ?? fallback;
}

export const ACCOUNT_RULE: Record<string, string> = {
  exact_name: "the Account with this exact name",
  only_containing: "the only Account whose name contains the company",
  no_account: "no Account: none has this name, or several contain it",
};

const BECAUSE: Record<string, string> = {
  unselected: "you stopped syncing it",
  outlook_deleted: "it was deleted in Outlook",
  outlook_cancelled: "it was cancelled in Outlook",
  private: "it is private, and your admin keeps private meetings out",
  outlook_unreadable: "it could not be read from your mailbox",
  longer_than_14_days: "Salesforce takes no event longer than 14 days",
  salesforce_deleted: "it was deleted in Salesforce",
  would_notify_attendees: "changing it here would send its attendees an update",
};

const PARTS: Record<string, string> = {
  subject: "subject",
  time: "time",
  location: "location",
  description: "description",
  show_as: "free/busy",
  private: "privacy",
};

/** What made the sync look at the meeting, as the rep reads it. */
const SEEN: Record<string, string> = {
  pane: "after your choice here",
  notification: "after a change in Outlook",
  delta_round: "after a change in Outlook",
  category: "after the Salesforce category changed in Outlook",
  series: "with its series",
  scope: "because your admin syncs every meeting with a customer",
  reconnected: "once you reconnected Salesforce",
  reset: "when your admin restarted your sync",
  salesforce: "after a change in Salesforce",
  configuration: "when your admin changed what syncs",
};

/** What one decision of the sync says to the rep, and what made the sync take it. */
export function describe(entry: HistoryEntry): string {
  const what = decision(entry);
  const seen = entry.seen ? SEEN[entry.seen] : undefined;
  return seen ? `${what.replace(/\.$/, "")}, ${seen}.` : what;
}

function decision(entry: HistoryEntry): string {
  const why = entry.because ? BECAUSE[entry.because] ?? entry.because : null;
  switch (entry.action) {
    case "created":
      return "Written to Salesforce.";
    case "found_again":
      return "Found the Salesforce Event an interrupted sync had written.";
    case "updated":
      return entry.changed.length ? `Updated in Salesforce: ${entry.changed.join(", ")}.` : "Updated in Salesforce.";
    case "deleted":
      return why ? `Removed from Salesforce: ${why}.` : "Removed from Salesforce.";
    case "kept":
      return why ? `Kept in Salesforce, though ${why}.` : "Kept in Salesforce.";
    case "skipped":
      return why ? `Not synced: ${why}.` : "Not synced.";
    case "rejected":
      return `Salesforce refused it (${entry.salesforce_code ?? "no code given"}); your next change tries again.`;
    case "relations_followed":
      return "Related the attendees who joined, and unrelated those the sync had related who left.";
    case "series_expanded":
      return "Each occurrence of the series got its own Salesforce Event.";
    case "created_in_outlook":
      return "Brought to your calendar from Salesforce (nobody was invited).";
    case "updated_in_outlook":
      return "Salesforce's changes were written to your calendar.";
    case "deleted_in_outlook":
      return why ? `Removed from your calendar: ${why}.` : "Removed from your calendar.";
    case "kept_in_outlook":
      return why ? `Left as it is in your calendar: ${why}.` : "Left as it is in your calendar.";
    case "conflict": {
      const c = entry.conflict;
      if (!c) return "Changed in Outlook and in Salesforce at once.";
      const part = PARTS[c.part] ?? c.part;
      const winner = c.winner === "outlook" ? "Outlook's" : "Salesforce's";
      return `Changed in Outlook and in Salesforce at once: ${winner} ${part} was kept; the other was ${JSON.stringify(c.lost)}.`;
    }
    default:
      return entry.action;
  }
}

const LINK_ERRORS: Record<string, string> = {
  private: "It is private, and your admin keeps private meetings out of Salesforce.",
  sync_direction_off: "Your admin's sync configuration sends nothing from Outlook to Salesforce.",
  salesforce_rejected: "Salesforce refused it (see what the sync did); your next change tries again.",
  longer_than_14_days: "Salesforce takes no event longer than 14 days.",
  salesforce_deleted: "It was deleted in Salesforce, so it is no longer synced.",
  merging_salesforce_changes: "It was changed in Salesforce too: the changes are being merged.",
  outlook_unreadable: "outforce could not read this meeting from your mailbox. Press Sync to send it from here; if it persists, tell your admin.",
};

/** Why the last sync of the meeting failed, as the rep reads it. */
export function explainLink(code: string): string {
  return LINK_ERRORS[code] ?? `Reason: ${code}. Try again; if it persists, tell your admin.`;
}
