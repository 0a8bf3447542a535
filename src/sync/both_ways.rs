//! Outlook → Salesforce when Salesforce's Events come to Outlook too (`direction: both`): an
//! update first reads what Salesforce holds (one query per 200). An Event changed there since
//! the last sync is not written over: its merge is the read of Salesforce's changes
//! (`salesforce.poll`, `sync::to_outlook`), queued now, and the update waits for it. One place
//! merges, so two merges of one meeting never race; once merged, the update finds Salesforce
//! as the merge left it and goes ahead.

use std::time::Duration;

use super::link::{Run, Write};
use super::settle::{self, Handling};
use super::{PollSalesforce, SyncEvent};
use crate::salesforce::changes::{self, Changed};
use crate::salesforce::session::Session;
use crate::state::AppState;
use crate::sync::content::Content;

/// The code a queued link carries while Salesforce's changes to its Event are merged first.
pub const MERGING: &str = "merging_salesforce_changes";

/// How long an update waits for the merge before it looks again.
const WAIT: Duration = Duration::from_secs(2);

/// A planned update: the job's index, its link's run, the Event's Id and what to write.
pub(super) type Update<'r, 'a> = (usize, &'r Run<'a>, &'r str, &'r Write);

/// The updates to send now; those whose Event Salesforce changed since the last sync wait for
/// its merge, each of those jobs' results set.
pub(super) async fn merged<'r, 'a>(
    state: &AppState,
    session: &mut Session,
    jobs: &[&SyncEvent],
    updates: Vec<Update<'r, 'a>>,
    results: &mut [anyhow::Result<()>],
) -> Vec<Update<'r, 'a>> {
    let checked = |run: &Run<'_>| {
        run.policy.salesforce_to_outlook
            && run.mailbox.is_some()
            && run.link.salesforce_content.is_some()
    };
    let ids: Vec<&str> = updates
        .iter()
        .filter(|(_, run, _, _)| checked(run))
        .map(|(_, _, id, _)| *id)
        .collect();
    if ids.is_empty() {
        return updates;
    }
    let current: Vec<Changed> = match changes::current(session, &ids).await {
        Ok(current) => current,
        Err(error) => {
            let error = anyhow::Error::from(error);
            let mut rest = Vec::new();
            for update in updates {
                let (i, run) = (update.0, update.1);
                if checked(run) {
                    results[i] = settle::settle_shared(state, jobs[i], run.link, &error).await;
                } else {
                    rest.push(update);
                }
            }
            return rest;
        }
    };
    let mut rest = Vec::new();
    let mut merge_for = None;
    for update in updates {
        let (i, run) = (update.0, update.1);
        let changed_there = checked(run)
            && current.iter().any(|c| {
                c.id == update.2
                    && run.link.salesforce_content.as_ref().map(|s| &s.0)
                        != Some(&Content::of_fields(&c.fields))
            });
        if changed_there {
            merge_for = Some(run.link.user_id.to_string());
            results[i] = Handling::Wait(WAIT, MERGING)
                .apply(state, jobs[i], run.link)
                .await;
        } else {
            rest.push(update);
        }
    }
    if let Some(user_id) = merge_for
        && let Err(error) = state.queue.enqueue(&PollSalesforce { user_id }).await
    {
        tracing::warn!(error = %error, "the read of Salesforce's changes was not queued");
    }
    rest
}
