//! The sweeper each `serve` and `worker` process runs: every `sync.sweep_interval_secs` it
//! queues the polls and subscription renewals that are due. Several processes may sweep at
//! once: a job already pending for a mailbox is not queued again, so nothing runs twice.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::state::AppState;
use crate::storage::{self, StorageError, mailbox_watches};
use crate::sync::jobs::{Action, PollMailbox, WatchMailbox};

/// Mailboxes handled per sweep and kind; the rest wait for the next sweep.
const PER_SWEEP: i64 = 1000;

/// Sweeps until `stop` is cancelled.
pub fn spawn(state: AppState, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
    let every = Duration::from_secs(state.settings.sync.sweep_interval_secs.max(1));
    tokio::spawn(async move {
        loop {
            if let Err(error) = sweep(&state).await {
                tracing::warn!(error = %error, "the sync sweep failed; trying again later");
            }
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(every) => {}
            }
        }
    })
}

/// Queues what is due now; how many jobs it queued.
pub async fn sweep(state: &AppState) -> Result<u64, StorageError> {
    let now = storage::now();
    let due = mailbox_watches::due(
        &state.db,
        now,
        now + super::subscription::RENEW_BEFORE,
        PER_SWEEP,
    )
    .await?;
    let polls: Vec<PollMailbox> = due
        .polls
        .into_iter()
        .map(|user_id| PollMailbox { user_id })
        .collect();
    let renewals: Vec<WatchMailbox> = due
        .renewals
        .into_iter()
        .map(|user_id| WatchMailbox {
            user_id,
            action: Action::Keep,
        })
        .collect();
    Ok(state.queue.enqueue_many(&polls).await? + state.queue.enqueue_many(&renewals).await?)
}
