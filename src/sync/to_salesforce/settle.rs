//! How a link's run ends when it met a [`SyncError`]: nothing here drops a meeting. It waits
//! (queued, saying why, its job run again later), is parked until the rep reconnects, fails
//! saying why, or its job is retried; a job that gives up leaves its link saying so
//! ([`gave_up`]), never that it will recover.

use std::time::Duration;

use super::rep::Item;
use crate::jobs::Permanent;
use crate::state::AppState;
use crate::storage;
use crate::storage::event_links::{self, LinkState};
use crate::storage::history::{Actor, NewEntry};
use crate::sync::error::{Delay, SyncError};
use crate::sync::jobs::SyncEvent;
use crate::sync::model::codes::LinkCode;
use crate::sync::model::history::{Action, Detail};

/// The job's result for a link whose run ended with `result`.
pub async fn settle(
    state: &AppState,
    item: &Item<'_>,
    result: Result<(), SyncError>,
) -> anyhow::Result<()> {
    let (db, link, now) = (&state.db, &item.link, storage::now());
    match result {
        Ok(()) => Ok(()),
        Err(SyncError::Wait(delay, code)) => {
            let wait = match delay {
                Delay::For(wait) => wait,
                Delay::Transient => Duration::from_secs(state.settings.sync.transient_retry_secs),
                Delay::Allowance => Duration::from_secs(state.settings.sync.paused_recheck_secs),
            };
            let at = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
            state.queue.enqueue_at(item.job, at).await?;
            event_links::outcome::set_state(
                db,
                &link.id,
                LinkState::Pending,
                Some(code),
                None,
                now,
            )
            .await?;
            tracing::info!(link = %link.id, wait_ms = wait.as_millis() as u64, %code, "this sync waits");
            Ok(())
        }
        // The link says why and the pane offers to reconnect. Nothing is dropped.
        Err(SyncError::Park) => {
            let code = Some(LinkCode::SalesforceReconnectNeeded);
            event_links::outcome::set_state(db, &link.id, LinkState::Failed, code, None, now)
                .await?;
            Ok(())
        }
        Err(SyncError::Undecided(code)) => {
            let detail = Detail {
                seen: Some(item.job.cause),
                ..Detail::because(code)
            };
            let entry = NewEntry {
                user_id: &link.user_id,
                link_id: Some(&link.id),
                actor: Actor::System,
                action: Action::Skipped,
                detail: &detail,
            };
            event_links::outcome::set_state(
                db,
                &link.id,
                LinkState::Failed,
                Some(code),
                Some(&entry),
                now,
            )
            .await?;
            Ok(())
        }
        Err(SyncError::Rejected(code)) => {
            let detail = Detail {
                seen: Some(item.job.cause),
                salesforce_code: Some(code.to_string()),
                ..Detail::because(LinkCode::SalesforceRejected)
            };
            let entry = NewEntry {
                user_id: &link.user_id,
                link_id: Some(&link.id),
                actor: Actor::System,
                action: Action::Rejected,
                detail: &detail,
            };
            let code = Some(LinkCode::SalesforceRejected);
            event_links::outcome::set_state(
                db,
                &link.id,
                LinkState::Failed,
                code,
                Some(&entry),
                now,
            )
            .await?;
            Ok(())
        }
        Err(SyncError::Failed(error)) => Err(error),
        Err(SyncError::Fatal(message)) => Err(Permanent(message).into()),
    }
}

/// The job of `job`'s link failed for good (no newer job of the link waits: that one would
/// have taken its place): the link fails saying that the sync gave up, and its history says
/// so. A link that left the sync already stays as it is.
pub async fn gave_up(state: &AppState, job: &SyncEvent) -> anyhow::Result<()> {
    let db = &state.db;
    let Some(link) =
        event_links::find_by_outlook_id(db, &job.user_id, job.outlook_event_id.as_str()).await?
    else {
        return Ok(());
    };
    if link.state == LinkState::Removed {
        return Ok(());
    }
    let detail = Detail {
        seen: Some(job.cause),
        ..Detail::because(LinkCode::SyncGaveUp)
    };
    let entry = NewEntry {
        user_id: &link.user_id,
        link_id: Some(&link.id),
        actor: Actor::System,
        action: Action::GaveUp,
        detail: &detail,
    };
    let code = Some(LinkCode::SyncGaveUp);
    let now = storage::now();
    event_links::outcome::set_state(db, &link.id, LinkState::Failed, code, Some(&entry), now)
        .await?;
    Ok(())
}
