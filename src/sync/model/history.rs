//! What a meeting's history says: each decision the sync (or an admin) took about it, what
//! asked for it, why, the call that carried it out and what it changed, typed, as it is stored
//! and as the pane and the admin API read it back.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::codes::LinkCode;
use super::content::Part;
pub use super::content::Side;
use crate::column::text_enum;

text_enum! {
    /// What was decided.
    pub enum Action {
        /// The meeting's Event was written (by this attempt, or found again after an earlier
        /// attempt's answer was lost: `found_again`).
        Created = "created",
        /// Written by an attempt whose answer was lost, found again (kept for entries written
        /// before `created` said so itself).
        FoundAgain = "found_again",
        Updated = "updated",
        Deleted = "deleted",
        /// The deletion policy kept the Event (and marked it, when the meeting went in Outlook).
        Kept = "kept",
        /// A policy kept the meeting out of Salesforce (a private meeting under `skip`), or it
        /// cannot be written (a time zone nobody knows).
        Skipped = "skipped",
        /// Salesforce refused the write for good.
        Rejected = "rejected",
        /// A selected series' occurrences in the window were given links of their own.
        SeriesExpanded = "series_expanded",
        /// Attendees added or removed in Outlook related or unrelated their Contacts.
        RelationsFollowed = "relations_followed",
        CreatedInOutlook = "created_in_outlook",
        UpdatedInOutlook = "updated_in_outlook",
        DeletedInOutlook = "deleted_in_outlook",
        /// The Outlook event was left as it was (the policy keeps it, or a write would mail its
        /// attendees).
        KeptInOutlook = "kept_in_outlook",
        /// Both sides changed one part since they last agreed; the policy chose the winner.
        Conflict = "conflict",
        /// Another rep of the org syncs the meeting: this rep was invited to its Event.
        Invited = "invited",
        Uninvited = "uninvited",
        /// The organizer's rep took over the meeting's Event from the rep who wrote it.
        TookOver = "took_over",
        /// The rep who owned a shared meeting's Event stopped: it passed to another rep.
        HandedOver = "handed_over",
        /// The meeting left the sync's scope (the window, the configuration): it stops syncing,
        /// its Event stays.
        LeftScope = "left_scope",
        /// It came back into the scope and syncs again.
        BackInScope = "back_in_scope",
        /// The sync failed again and again with an error it cannot recover from, and stopped.
        GaveUp = "gave_up",
        /// An admin released a rep's sync held by the deletion circuit breaker.
        DeletionsReleased = "deletions_released",
        /// An admin reset a rep's sync.
        SyncReset = "sync_reset",
    }
}

text_enum! {
    /// The change that asked for a sync (the first one seen, when several came before it ran).
    #[derive(Default)]
    pub enum Cause {
        /// The rep's choice in the task pane (selected, related, unselected).
        Pane = "pane",
        /// Graph notified us of a change to the meeting.
        Notification = "notification",
        /// A delta round of the mailbox found the meeting changed or gone.
        DeltaRound = "delta_round",
        /// The selection category was put on the meeting in Outlook, or taken off it.
        Category = "category",
        /// The meeting's series is selected (its occurrences follow it).
        Series = "series",
        /// The configuration syncs every meeting with a customer attendee (`scope: all`).
        Scope = "scope",
        /// The rep connected Salesforce again, and what waited for it went on.
        Reconnected = "reconnected",
        /// An admin reset the rep's sync.
        Reset = "reset",
        /// The sync configuration that applies to the rep changed.
        Configuration = "configuration",
        /// The rep's Salesforce Event changed (Salesforce → Outlook).
        SalesforceChange = "salesforce",
        /// A write that used the pane's view of the meeting is checked against Outlook's own.
        Confirm = "confirm",
        /// A job queued before causes were recorded.
        #[default]
        Unknown = "unknown",
    }
}

text_enum! {
    /// The Salesforce call that carried a decision out.
    pub enum Call {
        /// Created by sObject Collections.
        Create = "POST composite/sobjects",
        /// Created (or found) by sObject Collections, upserted by the key field.
        Upsert = "PATCH composite/sobjects/Event/{key field}",
        /// An earlier attempt's write, looked for by what its intent recorded.
        FindWritten = "GET query",
        Update = "PATCH composite/sobjects",
        /// One Event's fields changed on its own (a kept Event marked cancelled, a merge).
        UpdateOne = "PATCH sobjects/Event/{id}",
        Delete = "DELETE composite/sobjects",
    }
}

text_enum! {
    /// A reason that is no link's code.
    pub enum Rule {
        /// The rep stopped syncing the meeting.
        Unselected = "unselected",
        ChangedOnBothSides = "changed_on_both_sides",
        /// The organizer's rep owns their meeting's Event.
        Organizer = "organizer",
        /// Another rep of the org syncs the meeting.
        SharedMeeting = "shared_meeting",
        /// Writing to Outlook would mail the meeting's attendees (rule 7).
        WouldNotifyAttendees = "would_notify_attendees",
    }
}

/// Why a decision was taken: a link's code, or a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Because {
    Code(LinkCode),
    Rule(Rule),
}

impl From<LinkCode> for Because {
    fn from(code: LinkCode) -> Self {
        Self::Code(code)
    }
}

impl From<Rule> for Because {
    fn from(rule: Rule) -> Self {
        Self::Rule(rule)
    }
}

/// The facts behind a decision; what a decision does not need is left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Detail {
    /// The change that asked for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen: Option<Cause>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because: Option<Because>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<Call>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salesforce_event_id: Option<String>,
    /// Salesforce's own error code, when it refused the write.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salesforce_code: Option<String>,
    /// An Event written after an attempt whose answer was lost, found again.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub found_again: bool,
    /// The side the write went to (`salesforce` when unsaid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// The written side's fields (Salesforce's names) as this decision found them…
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub before: Option<Map<String, Value>>,
    /// … and as it left them (only those it wrote, for a partial write).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub after: Option<Map<String, Value>>,
    /// The parts a write carried, or a decision concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<Part>>,
    // A conflict: the part, each side's value, the winner and the value that lost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<Part>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub winner: Option<Side>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub outlook: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub salesforce: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub lost: Option<Value>,
    // Relations that followed the attendees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unrelated: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ambiguous: Option<u64>,
    // A series expanded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrences: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queued: Option<u64>,
    /// The link a shared meeting's Event passed to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handed_to: Option<String>,
    /// The time zone nobody knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The admin who released or reset, by Entra object id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub released_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meetings: Option<u64>,
}

impl Detail {
    /// A decision taken `because` of a code or a rule.
    pub fn because(because: impl Into<Because>) -> Self {
        Self {
            because: Some(because.into()),
            ..Self::default()
        }
    }

    /// A decision about the Event `id`.
    pub fn event(id: &str) -> Self {
        Self {
            salesforce_event_id: Some(id.to_string()),
            ..Self::default()
        }
    }

    pub fn with_because(mut self, because: impl Into<Because>) -> Self {
        self.because = Some(because.into());
        self
    }

    pub fn with_call(mut self, call: Call) -> Self {
        self.call = Some(call);
        self
    }
}
