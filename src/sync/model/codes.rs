//! The codes the sync leaves where people read them: on a meeting's link (why it failed, waits
//! or left the sync) and on a rep's mailbox watch (why their calendar or their Salesforce
//! Events could not be read). Each code carries its advice for the admin's error report and
//! whether it clears by itself; both are matched exhaustively, so a new code without advice
//! does not compile. The pane and the admin API read them by their words, which the OpenAPI
//! document lists.

use crate::column::text_enum;

text_enum! {
    /// Why a meeting's link failed, waits, or left the sync.
    pub enum LinkCode {
        // Failed: a person acts, or the rep's next change tries again.
        /// The rep's Salesforce connection is missing or was refused: parked until they connect.
        SalesforceReconnectNeeded = "salesforce_reconnect_needed",
        /// Salesforce refused the Event for good (a validation rule, a related record gone).
        SalesforceRejected = "salesforce_rejected",
        /// A private meeting under `private: skip`.
        Private = "private",
        /// Salesforce takes no event longer than 14 days.
        LongerThan14Days = "longer_than_14_days",
        /// The rep's configuration sends nothing from Outlook to Salesforce.
        SyncDirectionOff = "sync_direction_off",
        /// Neither Graph nor the pane showed the meeting.
        OutlookUnreadable = "outlook_unreadable",
        /// Graph showed the meeting in a form outforce could not read.
        GraphEventUnreadable = "graph_event_unreadable",
        /// The meeting's time zone is none that outforce knows.
        UnknownTimeZone = "unknown_time_zone",
        /// An interrupted create may have written the Event, and Salesforce holds more Events
        /// like it than outforce can tell apart (no key field).
        EarlierWriteAmbiguous = "earlier_write_ambiguous",
        /// The sync met a failure it could not recover from, again and again, and stopped.
        SyncGaveUp = "sync_gave_up",
        // Removed: the meeting left the sync, and says why.
        /// Every meeting is synced (`scope: all`), and no attendee of this one matches.
        NoMatchingAttendee = "no_matching_attendee",
        OutlookCancelled = "outlook_cancelled",
        OutlookDeleted = "outlook_deleted",
        /// Its Event was deleted in Salesforce.
        SalesforceDeleted = "salesforce_deleted",
        /// It no longer falls in the configuration's window.
        OutsideWindow = "outside_window",
        /// The configuration that selected it (`scope: all`) no longer does.
        OutsideScope = "outside_scope",
        // Queued: waits, and goes on by itself.
        SalesforceApiBudgetPaused = "salesforce_api_budget_paused",
        GraphThrottled = "graph_throttled",
        GraphUnavailable = "graph_unavailable",
        SalesforceUnavailable = "salesforce_unavailable",
        /// Salesforce's changes to its Event are merged first.
        MergingSalesforceChanges = "merging_salesforce_changes",
        /// Another rep's first write of the meeting is still landing.
        SharedMeetingPending = "shared_meeting_pending",
        /// A create of an identical meeting of the rep is still in flight: looked for again.
        TwinWriteInFlight = "twin_write_in_flight",
    }
}

impl LinkCode {
    /// What an admin should do about it, for the error report.
    pub const fn advice(self) -> &'static str {
        match self {
            Self::SalesforceReconnectNeeded => {
                "The rep's Salesforce connection was refused or revoked: ask them to connect again from the task pane; their meetings sync then, none is lost."
            }
            Self::SalesforceRejected => {
                "Salesforce refused the Event for good (a validation rule, a related record gone, a field the rep may not write): the meeting's history names Salesforce's code; fix the cause, and the rep's next change syncs it."
            }
            Self::Private => {
                "The sync configuration keeps private meetings out (`private: skip`): nothing to fix unless they should sync."
            }
            Self::LongerThan14Days => {
                "Salesforce takes no event longer than 14 days: such meetings stay in Outlook."
            }
            Self::SyncDirectionOff => {
                "The rep's sync configuration sends nothing from Outlook to Salesforce (`direction`): change it if it should."
            }
            Self::OutlookUnreadable => {
                "outforce could not read the meeting from the rep's mailbox and the pane gave no view of it: run the connection test for the rep (Graph access, consent); the rep's next change, or Sync in the pane, sends it again."
            }
            Self::GraphEventUnreadable => {
                "Microsoft Graph returned the meeting in a form outforce could not read: the log names the meeting's link; report it to outforce's maintainers. The rep's next change tries again."
            }
            Self::UnknownTimeZone => {
                "The meeting is in a time zone outforce does not know (its name is in the meeting's history), so its time cannot be written: report the zone's name to outforce's maintainers; meanwhile the rep can move the meeting to a standard zone."
            }
            Self::EarlierWriteAmbiguous => {
                "A write interrupted by a crash or a lost answer may have made this meeting's Event, and the rep's Salesforce calendar holds several Events like it that outforce cannot tell apart: add the meeting key field (`Outforce_Key__c` unless configured otherwise; the connection test says how), delete the extra Event in Salesforce, then reset the rep's sync."
            }
            Self::SyncGaveUp => {
                "The sync failed with an unexpected error on every attempt and stopped: the log has the cause under the job's id; once it is fixed, reset the rep's sync (or the rep selects the meeting again)."
            }
            Self::NoMatchingAttendee => {
                "Every meeting with a customer is synced (`scope: all`), and none of this meeting's attendees matches one Contact or Lead: nothing to fix unless they should."
            }
            Self::OutlookCancelled | Self::OutlookDeleted => {
                "The meeting was cancelled or deleted in Outlook: its Event was deleted or kept as the configuration's `deleted` says."
            }
            Self::SalesforceDeleted => {
                "The Event was deleted in Salesforce, so its meeting no longer syncs (the Outlook event stays unless `deleted_in_salesforce` is `delete`): the rep can select it again."
            }
            Self::OutsideWindow => {
                "The meeting no longer falls in the configuration's window (`window_days_back`, `window_days_ahead`): its Event stays as it was; it syncs again if the window takes it back."
            }
            Self::OutsideScope => {
                "The configuration that selected this meeting by itself (`scope: all`) no longer does: its Event stays as it was; the rep can select the meeting in the pane."
            }
            Self::SalesforceApiBudgetPaused => {
                "The org has almost used today's Salesforce API calls: the sync waits and resumes as they come back; raise the org's allowance if this lasts."
            }
            Self::GraphThrottled => {
                "Microsoft Graph asked the sync to slow down: it waits as told and resumes."
            }
            Self::GraphUnavailable => {
                "Microsoft Graph or Entra ID failed in passing (a 5xx, a timeout): the sync reads the meeting again on its own."
            }
            Self::SalesforceUnavailable => {
                "Salesforce failed in passing (a 5xx, a locked record, a timeout): the sync retries on its own."
            }
            Self::MergingSalesforceChanges => {
                "The Event was changed in Salesforce too: the sync merges both sides' changes first, then goes on by itself."
            }
            Self::SharedMeetingPending => {
                "Another rep of the org is writing this meeting's Event: the rep is invited to it once it lands, by itself."
            }
            Self::TwinWriteInFlight => {
                "The rep has another meeting with the same subject and time whose write is still in flight: the sync looks again once it lands, by itself."
            }
        }
    }

    /// Whether it goes away without anybody acting.
    pub const fn clears_by_itself(self) -> bool {
        match self {
            Self::SalesforceApiBudgetPaused
            | Self::GraphThrottled
            | Self::GraphUnavailable
            | Self::SalesforceUnavailable
            | Self::MergingSalesforceChanges
            | Self::SharedMeetingPending
            | Self::TwinWriteInFlight => true,
            Self::SalesforceReconnectNeeded
            | Self::SalesforceRejected
            | Self::Private
            | Self::LongerThan14Days
            | Self::SyncDirectionOff
            | Self::OutlookUnreadable
            | Self::GraphEventUnreadable
            | Self::UnknownTimeZone
            | Self::EarlierWriteAmbiguous
            | Self::SyncGaveUp
            | Self::NoMatchingAttendee
            | Self::OutlookCancelled
            | Self::OutlookDeleted
            | Self::SalesforceDeleted
            | Self::OutsideWindow
            | Self::OutsideScope => false,
        }
    }
}

text_enum! {
    /// Why a rep's calendar, or their Salesforce Events, could not be read or are held.
    pub enum WatchCode {
        /// The sync has no way into the rep's mailbox (no grant, no consent).
        GraphMailboxUnreachable = "graph_mailbox_unreachable",
        /// Conditional Access wants the rep to sign in again: the pane asks them.
        GraphInteractionRequired = "graph_interaction_required",
        GraphThrottled = "graph_throttled",
        GraphUnavailable = "graph_unavailable",
        /// Graph would not create the subscription: the poll alone finds changes.
        GraphSubscriptionRefused = "graph_subscription_refused",
        /// The rep's Salesforce connection is missing or dead (Salesforce → Outlook).
        SalesforceNotConnected = "salesforce_not_connected",
        SalesforceApiBudgetPaused = "salesforce_api_budget_paused",
        SalesforceUnavailable = "salesforce_unavailable",
        /// One round would delete too much: held until an admin releases it.
        DeletionCircuitBreaker = "deletion_circuit_breaker",
    }
}

impl WatchCode {
    /// Whether the sync cannot read the rep's mailbox at all until someone acts (the others
    /// pass, or hold only part of the sync).
    pub const fn shuts_mailbox(self) -> bool {
        matches!(
            self,
            Self::GraphMailboxUnreachable | Self::GraphInteractionRequired
        )
    }

    /// What an admin should do about it.
    pub const fn advice(self) -> &'static str {
        match self {
            Self::GraphMailboxUnreachable => {
                "outforce cannot reach the rep's mailbox: in delegated mode the rep opens the task pane once (which gives the grant); in application mode check the access policy with the Graph check."
            }
            Self::GraphInteractionRequired => {
                "Conditional Access wants the rep to sign in again: the task pane asks them the next time they open it."
            }
            Self::GraphThrottled => {
                "Microsoft Graph asked outforce to slow down: it waits as told."
            }
            Self::GraphUnavailable => {
                "Microsoft Graph or Entra ID failed in passing: the next read tries again."
            }
            Self::GraphSubscriptionRefused => {
                "Graph refused the change notifications' subscription (is `http.public_url` reachable from Microsoft?): changes still arrive with the poll."
            }
            Self::SalesforceNotConnected => {
                "The rep's Salesforce connection is missing or was refused: ask them to connect from the task pane."
            }
            Self::SalesforceApiBudgetPaused => {
                "The org has almost used today's Salesforce API calls: reads resume as the allowance comes back."
            }
            Self::SalesforceUnavailable => {
                "Salesforce failed in passing: the next read tries again."
            }
            Self::DeletionCircuitBreaker => {
                "One round would have deleted too many of the rep's Salesforce Events: check the rep's calendar, then release the hold."
            }
        }
    }
}
