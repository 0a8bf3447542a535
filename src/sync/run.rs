//! The `event.sync` job: the links of one rep due together are synced in one run
//! (`sync::batch`), so that their Salesforce writes share calls.

use std::collections::BTreeMap;

use super::SyncEvent;
use super::batch;
use crate::jobs::Job;
use crate::salesforce::collections::MAX_RECORDS;
use crate::state::AppState;

impl Job for SyncEvent {
    const KIND: &'static str = super::SYNC_EVENT;
    type Context = AppState;
    /// As many as one sObject Collections call writes.
    const BATCH: usize = MAX_RECORDS;

    /// One pending sync per link: a second change before it runs is covered by the first.
    fn dedup_key(&self) -> Option<String> {
        Some(format!("{}/{}", self.user_id, self.outlook_event_id))
    }

    /// A rep's links are written together: they share the rep's session and calls.
    fn batch_key(&self) -> Option<String> {
        Some(self.user_id.clone())
    }

    async fn run(&self, state: &AppState) -> anyhow::Result<()> {
        Self::run_batch(std::slice::from_ref(self), state)
            .await
            .pop()
            .unwrap_or(Ok(()))
    }

    async fn run_batch(jobs: &[Self], state: &AppState) -> Vec<anyhow::Result<()>> {
        let mut by_rep: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, job) in jobs.iter().enumerate() {
            by_rep.entry(job.user_id.as_str()).or_default().push(i);
        }
        let mut results: Vec<Option<anyhow::Result<()>>> = jobs.iter().map(|_| None).collect();
        for (user_id, at) in by_rep {
            let of_rep: Vec<&SyncEvent> = at.iter().map(|&i| &jobs[i]).collect();
            let done = batch::run(state, user_id, &of_rep).await;
            for (i, result) in at.into_iter().zip(done) {
                results[i] = Some(result);
            }
        }
        results.into_iter().map(|r| r.unwrap_or(Ok(()))).collect()
    }
}
