//! The sync of a rep's selected meetings to Salesforce: what the task pane's selection queues
//! (`SyncEvent`, run by `run`), and the mapping of a meeting to its Salesforce Event.

pub mod advice;
mod attendees;
mod batch;
mod both_ways;
pub mod budget;
pub mod content;
pub mod context;
mod decision;
pub mod event_map;
mod from_salesforce;
mod intent;
mod link;
pub mod notifications;
pub mod policy;
mod poll;
pub mod preview;
mod removal;
mod run;
pub mod schedule;
mod series;
pub mod settings;
mod settle;
mod shared;
pub mod status;
mod to_outlook;
pub mod watch;
pub mod zones;

use serde::{Deserialize, Serialize};

/// The job kind that brings one event link in step with Salesforce.
pub const SYNC_EVENT: &str = "event.sync";

/// Bring the link of `outlook_event_id` of `user_id` in step: write, update or remove its
/// Salesforce Event as the selection and policies say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncEvent {
    pub user_id: String,
    pub outlook_event_id: String,
    /// What asked for this sync (the first change seen, when several came before it ran).
    #[serde(default)]
    pub cause: Cause,
}

impl SyncEvent {
    pub fn new(user_id: impl ToString, outlook_event_id: impl ToString, cause: Cause) -> Self {
        Self {
            user_id: user_id.to_string(),
            outlook_event_id: outlook_event_id.to_string(),
            cause,
        }
    }
}

/// The change that asked for a sync, as each decision's history names it (`seen`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The rep's choice in the task pane (selected, related, unselected).
    Pane,
    /// Graph notified us of a change to the meeting.
    Notification,
    /// A delta round of the mailbox found the meeting changed or gone.
    DeltaRound,
    /// The selection category was put on the meeting in Outlook, or taken off it.
    Category,
    /// The meeting's series is selected (its occurrences follow it).
    Series,
    /// The configuration syncs every meeting with a customer attendee (`scope: all`).
    Scope,
    /// The rep connected Salesforce again, and what waited for it went on.
    Reconnected,
    /// An admin reset the rep's sync.
    Reset,
    /// The sync configuration that applies to the rep changed: every meeting written again.
    Configuration,
    /// The rep's Salesforce Event changed (Salesforce → Outlook).
    SalesforceChange,
    /// A job queued before causes were recorded.
    #[default]
    Unknown,
}

impl Cause {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pane => "pane",
            Self::Notification => "notification",
            Self::DeltaRound => "delta_round",
            Self::Category => "category",
            Self::Series => "series",
            Self::Scope => "scope",
            Self::Reconnected => "reconnected",
            Self::Reset => "reset",
            Self::Configuration => "configuration",
            Self::SalesforceChange => "salesforce",
            Self::Unknown => "unknown",
        }
    }
}

/// Read the rep's calendar for changes (a `calendarView/delta` round): what notifications
/// said, and what they missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollMailbox {
    pub user_id: String,
}

/// Bring the rep's Salesforce Events changed since the last read to Outlook (when their
/// configuration sends Salesforce's Events to Outlook).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollSalesforce {
    pub user_id: String,
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
    pub user_id: String,
    pub action: Action,
}

/// The code a link is parked with while the rep's Salesforce connection is missing or dead.
pub const PARKED: &str = "salesforce_reconnect_needed";

/// Queues the sync of every link of `user_id` parked for want of a connection: called when the
/// rep connects (again), so nothing that waited is dropped.
pub async fn resume_parked(
    db: &crate::storage::Db,
    queue: &crate::jobs::Queue,
    user_id: &crate::ids::UserId,
) -> Result<u64, crate::storage::StorageError> {
    use crate::storage::event_links::{self, LinkState};
    const PAGE: i64 = 10_000;
    let jobs: Vec<SyncEvent> = event_links::list_for_user(db, user_id, LinkState::Failed, PAGE)
        .await?
        .into_iter()
        .filter(|link| link.last_error_code.as_deref() == Some(PARKED))
        .map(|link| SyncEvent::new(user_id, link.outlook_event_id, Cause::Reconnected))
        .collect();
    if jobs.is_empty() {
        return Ok(0);
    }
    queue.enqueue_many(&jobs).await
}
