//! The sync's jobs: their payloads (typed ids), and [`register`], which adds every kind to a
//! worker's registry. Each kind's `impl Job` (its name, keys and work) is beside its work:
//! `to_salesforce` (`event.sync`), `to_outlook::poll` (`salesforce.poll`), `watch::poll`
//! (`mailbox.poll`), `watch::subscription` (`mailbox.watch`).

use serde::{Deserialize, Serialize};

use super::model::history::Cause;
use crate::ids::{OutlookEventId, UserId};
use crate::jobs::Registry;
use crate::state::AppState;

/// Every job kind of the sync, in a worker's registry.
pub fn register(registry: Registry<AppState>) -> Registry<AppState> {
    registry
        .register::<SyncEvent>()
        .register::<PollMailbox>()
        .register::<PollSalesforce>()
        .register::<WatchMailbox>()
}

/// Bring the link of `outlook_event_id` of `user_id` in step: write, update or remove its
/// Salesforce Event as the selection and the rep's sync configuration say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncEvent {
    pub user_id: UserId,
    pub outlook_event_id: OutlookEventId,
    /// What asked for this sync (the first change seen, when several came before it ran).
    #[serde(default)]
    pub cause: Cause,
}

impl SyncEvent {
    pub fn new(user_id: &UserId, outlook_event_id: impl Into<String>, cause: Cause) -> Self {
        Self {
            user_id: user_id.clone(),
            outlook_event_id: OutlookEventId::new(outlook_event_id.into()),
            cause,
        }
    }
}

/// Read the rep's calendar for changes (a `calendarView/delta` round): what notifications
/// said, and what they missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollMailbox {
    pub user_id: UserId,
}

/// Bring the rep's Salesforce Events changed since the last read to Outlook (when their
/// configuration sends Salesforce's Events to Outlook).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollSalesforce {
    pub user_id: UserId,
}

/// What the `mailbox.watch` job does to the mailbox's Graph subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Create it when missing, renew it when it lapses within a day.
    Keep,
    /// Graph asked (`reauthorizationRequired`): reauthorize, and renew.
    Reauthorize,
    /// Graph removed it (`subscriptionRemoved`): make a new one.
    Recreate,
}

/// Keep the rep's mailbox subscription alive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchMailbox {
    pub user_id: UserId,
    pub action: Action,
}
