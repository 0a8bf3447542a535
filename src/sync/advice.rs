//! What an admin should do about each reason a meeting fails or waits, for the error report.

use super::PARKED;
use super::both_ways::MERGING;
use super::decision::{DIRECTION_OFF, OUTLOOK_UNREADABLE, REJECTED};
use super::settle::{BUDGET_PAUSED, GRAPH_THROTTLED, GRAPH_UNAVAILABLE, SALESFORCE_UNAVAILABLE};
use super::shared::SHARED_PENDING;
use super::to_outlook::SALESFORCE_DELETED;

/// The advice for a link's code, and whether it clears by itself.
pub fn for_code(code: &str) -> (&'static str, bool) {
    match code {
        PARKED => (
            "The rep's Salesforce connection was refused or revoked: ask them to connect again from the task pane; their meetings sync then, none is lost.",
            false,
        ),
        REJECTED => (
            "Salesforce refused the Event for good (a validation rule, a related record gone, a field the rep may not write): the meeting's history names Salesforce's code; fix the cause, and the rep's next change syncs it.",
            false,
        ),
        "private" => (
            "The sync configuration keeps private meetings out (`private: skip`): nothing to fix unless they should sync.",
            false,
        ),
        DIRECTION_OFF => (
            "The rep's sync configuration sends nothing from Outlook to Salesforce (`direction`): change it if it should.",
            false,
        ),
        "longer_than_14_days" => (
            "Salesforce takes no event longer than 14 days: such meetings stay in Outlook.",
            false,
        ),
        SALESFORCE_UNAVAILABLE => (
            "Salesforce failed in passing (a 5xx, a locked record, a timeout): the sync retries on its own.",
            true,
        ),
        BUDGET_PAUSED => (
            "The org has almost used today's Salesforce API calls: the sync waits and resumes as they come back; raise the org's allowance if this lasts.",
            true,
        ),
        GRAPH_THROTTLED => (
            "Microsoft Graph asked the sync to slow down: it waits as told and resumes.",
            true,
        ),
        GRAPH_UNAVAILABLE => (
            "Microsoft Graph or Entra ID failed in passing (a 5xx, a timeout): the sync reads the meeting again on its own.",
            true,
        ),
        OUTLOOK_UNREADABLE => (
            "outforce could not read the meeting from the rep's mailbox and the pane gave no view of it: run the connection test for the rep (Graph access, consent); the rep's next change, or Sync in the pane, sends it again.",
            false,
        ),
        SALESFORCE_DELETED => (
            "The Event was deleted in Salesforce, so its meeting no longer syncs (the Outlook event stays unless `deleted_in_salesforce` is `delete`): the rep can select it again.",
            false,
        ),
        MERGING => (
            "The Event was changed in Salesforce too: the sync merges both sides' changes first, then goes on by itself.",
            true,
        ),
        SHARED_PENDING => (
            "Another rep of the org is writing this meeting's Event: the rep is invited to it once it lands, by itself.",
            true,
        ),
        _ => (
            "See the meeting's history for the decision and its reason.",
            false,
        ),
    }
}
