//! Outlook → Salesforce: the `event.sync` job. A rep's due meetings are run together
//! ([`batch`]: read, plan, send, finish), each link ending written, waiting, parked or failed
//! with its code ([`settle`]). Entry points: [`run`] (the job), [`gave_up`] (its last failure),
//! [`resume_parked`] (the rep connected again); [`plan::plan`] and [`read`] for the dry run.

mod attendees;
pub mod batch;
pub mod budget;
mod finish;
pub mod intent;
mod merge;
pub mod plan;
pub mod read;
pub mod rep;
mod send;
mod series;
mod settle;
mod shared;
mod steps;
mod twins;

pub use attendees::{Related, Seen, relate, seen};
pub use batch::run;
pub use settle::gave_up;

use crate::ids::UserId;
use crate::jobs::{Job, Queue};
use crate::salesforce::collections::MAX_RECORDS;
use crate::state::AppState;
use crate::storage::event_links::{self, LinkState};
use crate::storage::{Db, StorageError};
use crate::sync::jobs::SyncEvent;
use crate::sync::model::codes::LinkCode;
use crate::sync::model::history::Cause;

/// Queues the sync of every link of `user_id` parked for want of a connection: called when the
/// rep connects (again), so nothing that waited is dropped.
pub async fn resume_parked(db: &Db, queue: &Queue, user_id: &UserId) -> Result<u64, StorageError> {
    const PAGE: i64 = 10_000;
    let jobs: Vec<SyncEvent> = event_links::list_for_user(db, user_id, LinkState::Failed, PAGE)
        .await?
        .into_iter()
        .filter(|link| link.last_error_code == Some(LinkCode::SalesforceReconnectNeeded))
        .map(|link| SyncEvent::new(user_id, link.outlook_event_id, Cause::Reconnected))
        .collect();
    if jobs.is_empty() {
        return Ok(0);
    }
    queue.enqueue_many(&jobs).await
}

impl Job for SyncEvent {
    const KIND: &'static str = "event.sync";
    type Context = AppState;
    /// As many as one sObject Collections call writes.
    const BATCH: usize = MAX_RECORDS;

    /// One pending sync per link: a second change before it runs is covered by the first.
    fn dedup_key(&self) -> Option<String> {
        Some(format!("{}/{}", self.user_id, self.outlook_event_id))
    }

    /// A rep's links are written together: they share the rep's session and calls.
    fn batch_key(&self) -> Option<String> {
        Some(self.user_id.to_string())
    }

    async fn run(&self, state: &AppState) -> anyhow::Result<()> {
        Self::run_batch(std::slice::from_ref(self), state)
            .await
            .pop()
            .unwrap_or(Ok(()))
    }

    async fn run_batch(jobs: &[Self], state: &AppState) -> Vec<anyhow::Result<()>> {
        let results = run(state, jobs).await;
        // A pane waiting on one of these meetings hears how it went (a batch is one rep's:
        // its batch key).
        if let Some(job) = jobs.first() {
            state.live.changed(&job.user_id).await;
        }
        results
    }

    /// The link says that the sync stopped, and the error report says what to do.
    async fn gave_up(&self, state: &AppState) -> anyhow::Result<()> {
        let result = gave_up(state, self).await;
        state.live.changed(&self.user_id).await;
        result
    }
}
