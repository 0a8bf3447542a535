//! Where a user's sync stands, for the rep and for admins: whether their calendar is watched
//! (and notified), when it was last read, whether the deletion circuit breaker holds it, and
//! their meetings by state. An admin's release of the breaker, and a reset, are kept in the
//! user's history.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::ids::UserId;
use crate::state::AppState;
use crate::storage::event_links::{self, LinkState};
use crate::storage::history::{self, Actor, NewEntry};
use crate::storage::{self, StorageError, mailbox_watches};
use crate::sync::jobs::{PollMailbox, SyncEvent};
use crate::sync::model::codes::{LinkCode, WatchCode};
use crate::sync::model::history::{Action, Cause, Detail};

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncStatus {
    /// The calendar is read for changes (from the first selection or connection on).
    pub watched: bool,
    /// Graph notifies us of changes (else the poll alone finds them).
    pub notified: bool,
    pub last_poll_at: Option<DateTime<Utc>>,
    /// Why the calendar could not be read last time (`graph_mailbox_unreachable`, …).
    pub mailbox_error: Option<WatchCode>,
    /// Salesforce → Outlook: how far the rep's Salesforce Events have been read (their last
    /// change seen), and why the last read failed (`salesforce_not_connected`, …).
    pub salesforce_read_until: Option<DateTime<Utc>>,
    pub salesforce_error: Option<WatchCode>,
    /// Set while the sync is held: until an admin releases it (`deletion_circuit_breaker`), or
    /// until the org's Salesforce API allowance comes back (`salesforce_api_budget_paused`).
    pub paused: Option<Paused>,
    /// The user's meetings by sync state.
    pub meetings: Meetings,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Paused {
    pub code: WatchCode,
    /// How many Salesforce Events the held round would delete (the breaker).
    pub deletions: i64,
    /// How many meetings wait for it.
    pub meetings: i64,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Meetings {
    pub queued: i64,
    pub synced: i64,
    pub failed: i64,
    pub removed: i64,
}

pub async fn status(state: &AppState, user_id: &UserId) -> Result<SyncStatus, StorageError> {
    let watch = mailbox_watches::find(&state.db, user_id).await?;
    let mut meetings = Meetings::default();
    for (link_state, count) in event_links::count_by_state(&state.db, user_id).await? {
        let slot = match link_state {
            LinkState::Pending => &mut meetings.queued,
            LinkState::Synced => &mut meetings.synced,
            LinkState::Failed => &mut meetings.failed,
            LinkState::Removed => &mut meetings.removed,
        };
        *slot += count;
    }
    let budget = LinkCode::SalesforceApiBudgetPaused;
    let waiting_for_budget = event_links::count_with_code(&state.db, user_id, budget).await?;
    let held = watch.as_ref().and_then(|w| {
        w.paused_code.map(|code| Paused {
            code,
            deletions: w.held_deletions,
            meetings: 0,
        })
    });
    let paused = held.or_else(|| {
        (waiting_for_budget > 0).then_some(Paused {
            code: WatchCode::SalesforceApiBudgetPaused,
            deletions: 0,
            meetings: waiting_for_budget,
        })
    });
    Ok(SyncStatus {
        watched: watch.is_some(),
        notified: watch.as_ref().is_some_and(|w| w.subscription_id.is_some()),
        last_poll_at: watch.as_ref().and_then(|w| w.last_poll_at),
        mailbox_error: watch.as_ref().and_then(|w| w.last_error_code),
        salesforce_read_until: watch.as_ref().and_then(|w| w.salesforce_cursor),
        salesforce_error: watch.as_ref().and_then(|w| w.salesforce_error_code),
        paused,
        meetings,
    })
}

/// An admin (`by`) releases the user's held sync: the next poll, queued now, carries out the
/// deletions it held. `false` when nothing was held.
pub async fn release(
    state: &AppState,
    user_id: &UserId,
    by: &UserId,
) -> Result<bool, StorageError> {
    let now = storage::now();
    if !mailbox_watches::release(&state.db, user_id, now).await? {
        return Ok(false);
    }
    let detail = Detail {
        released_by: Some(by.to_string()),
        ..Detail::default()
    };
    let entry = NewEntry {
        user_id,
        link_id: None,
        actor: Actor::Admin,
        action: Action::DeletionsReleased,
        detail: &detail,
    };
    history::append(&state.db, &entry, now).await?;
    state
        .queue
        .enqueue(&PollMailbox {
            user_id: user_id.clone(),
        })
        .await?;
    Ok(true)
}

/// An admin (`by`) resets the user's sync: the delta rounds start over from the whole window,
/// and every selected meeting is synced again against what Outlook holds. Nothing is written
/// twice: each link keeps its Event, and an unchanged meeting writes nothing. Returns how many
/// meetings were queued.
pub async fn reset(state: &AppState, user_id: &UserId, by: &UserId) -> Result<u64, StorageError> {
    let now = storage::now();
    mailbox_watches::forget_round(&state.db, user_id, now).await?;
    mailbox_watches::forget_salesforce_cursor(&state.db, user_id, now).await?;
    let syncs: Vec<SyncEvent> = event_links::all_for_user(&state.db, user_id)
        .await?
        .into_iter()
        .filter(|link| link.selected)
        .map(|link| SyncEvent::new(user_id, link.outlook_event_id, Cause::Reset))
        .collect();
    let queued = state.queue.enqueue_many(&syncs).await?;
    state
        .queue
        .enqueue(&PollMailbox {
            user_id: user_id.clone(),
        })
        .await?;
    let detail = Detail {
        reset_by: Some(by.to_string()),
        meetings: Some(syncs.len() as u64),
        ..Detail::default()
    };
    let entry = NewEntry {
        user_id,
        link_id: None,
        actor: Actor::Admin,
        action: Action::SyncReset,
        detail: &detail,
    };
    history::append(&state.db, &entry, now).await?;
    Ok(queued)
}
