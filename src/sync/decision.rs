//! What the sync decided about an item, as its history names it, and the codes a link carries;
//! and [`record`], which keeps each decision in the item's history.

use crate::state::AppState;
use crate::storage;
use crate::storage::event_links::EventLink;
use crate::storage::history::{self, Actor, NewEntry};

/// What the sync did to an item's Salesforce Event, as its history says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Created,
    /// An earlier attempt's write, found by its owner, start and subject (rule 2).
    FoundAgain,
    Updated,
    Deleted,
    /// The deletion policy kept the Event (and marked it, when the meeting went in Outlook).
    Kept,
    /// A policy kept the meeting out of Salesforce (a private meeting under `skip`).
    Skipped,
    /// Salesforce refused the write for good.
    Rejected,
    /// A selected series' occurrences in the window were given links of their own.
    SeriesExpanded,
    /// Attendees added or removed in Outlook related or unrelated their Contacts.
    RelationsFollowed,
    /// A Salesforce Event became an Outlook event (Salesforce → Outlook).
    CreatedInOutlook,
    /// Salesforce's changes were written to the Outlook event.
    UpdatedInOutlook,
    /// The Event was deleted in Salesforce, and so was its Outlook event, per policy.
    DeletedInOutlook,
    /// The Outlook event was left as it was (the policy keeps it, or a write would mail its
    /// attendees).
    KeptInOutlook,
    /// Both sides changed one part since the last sync; the policy chose the winner.
    Conflict,
    /// Another rep of the org syncs the meeting: this rep was invited to its Event.
    Invited,
    /// This rep no longer syncs a meeting another rep's Event holds: uninvited.
    Uninvited,
    /// The organizer's rep took over the meeting's Event from the rep who wrote it.
    TookOver,
    /// The rep who owned a shared meeting's Event stopped: it passed to another rep.
    HandedOver,
}

impl Decision {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::FoundAgain => "found_again",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
            Self::Kept => "kept",
            Self::Skipped => "skipped",
            Self::Rejected => "rejected",
            Self::SeriesExpanded => "series_expanded",
            Self::RelationsFollowed => "relations_followed",
            Self::CreatedInOutlook => "created_in_outlook",
            Self::UpdatedInOutlook => "updated_in_outlook",
            Self::DeletedInOutlook => "deleted_in_outlook",
            Self::KeptInOutlook => "kept_in_outlook",
            Self::Conflict => "conflict",
            Self::Invited => "invited",
            Self::Uninvited => "uninvited",
            Self::TookOver => "took_over",
            Self::HandedOver => "handed_over",
        }
    }
}

/// The Salesforce call behind a decision, as its history names it.
pub mod call {
    /// Created by sObject Collections.
    pub const CREATE: &str = "POST composite/sobjects";
    /// Created (or found) by sObject Collections, upserted by the key field.
    pub const UPSERT: &str = "PATCH composite/sobjects/Event/{key field}";
    /// An earlier attempt's write, looked for by owner, start and subject.
    pub const FIND_WRITTEN: &str = "GET query";
    pub const UPDATE: &str = "PATCH composite/sobjects";
    /// One Event's fields changed on its own (a kept Event marked cancelled).
    pub const UPDATE_ONE: &str = "PATCH sobjects/Event/{id}";
    pub const DELETE: &str = "DELETE composite/sobjects";
}

/// The code of a meeting that `scope: all` leaves out: no attendee matches a record.
pub const NO_MATCHING_ATTENDEE: &str = "no_matching_attendee";

/// The code of a link its configuration does not send from Outlook to Salesforce.
pub const DIRECTION_OFF: &str = "sync_direction_off";

/// The code of a link whose meeting could not be read: the sync has no way into the mailbox
/// (or Graph refused it, or does not know the event) and the pane gave no view of it.
pub const OUTLOOK_UNREADABLE: &str = "outlook_unreadable";

/// The code of a link whose Event Salesforce refused for good.
pub const REJECTED: &str = "salesforce_rejected";

/// Why an Event went or stayed when the rep stopped syncing its meeting.
pub(super) const UNSELECTED: &str = "unselected";

/// The codes a removed link carries when the meeting went in Outlook.
pub const OUTLOOK_CANCELLED: &str = "outlook_cancelled";
pub const OUTLOOK_DELETED: &str = "outlook_deleted";
/// What a kept Event's subject starts with once its meeting is cancelled.
pub(super) const CANCELED: &str = "Canceled: ";

/// Keeps a sync decision about `link` in its history: the change that asked for it (`seen`),
/// what was done and why, the call that did it, and the Event's fields as written (`detail`).
pub(super) async fn record(
    state: &AppState,
    link: &EventLink,
    cause: super::Cause,
    decision: Decision,
    mut detail: serde_json::Value,
) -> anyhow::Result<()> {
    detail["seen"] = cause.as_str().into();
    let entry = NewEntry {
        user_id: &link.user_id,
        link_id: Some(&link.id),
        actor: Actor::System,
        action: decision.as_str(),
        detail: &detail,
    };
    history::append(&state.db, &entry, storage::now()).await?;
    Ok(())
}
