// What the rep reads for each state and error code the API gives.
import type { SyncState } from "./types";

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
