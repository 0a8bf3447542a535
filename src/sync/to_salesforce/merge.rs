//! Outlook → Salesforce when Salesforce's Events come to Outlook too (`direction: both`): an
//! update first reads what Salesforce holds (one query per 200). An Event changed there since
//! both sides last agreed is not written over: its merge is the read of Salesforce's changes
//! (`salesforce.poll`, `sync::to_outlook`), queued now, and the update waits for it. One place
//! merges, so two merges of one meeting never race; once merged, the update finds both sides
//! agreeing again and writes only what Outlook changed since.

use std::collections::HashSet;
use std::time::Duration;

use super::rep::Rep;
use crate::salesforce::changes::{self, Changed};
use crate::storage::event_links::EventLink;
use crate::sync::error::{Delay, SyncError};
use crate::sync::jobs::PollSalesforce;
use crate::sync::model::codes::LinkCode;
use crate::sync::model::content::Content;

/// How long an update waits for the merge before it looks again.
const WAIT: Duration = Duration::from_secs(2);

/// The Events of `updates` (each link and its Event's Id) that Salesforce changed since both
/// sides last agreed.
pub(super) async fn changed_in_salesforce(
    rep: &mut Rep<'_>,
    updates: &[(&EventLink, &str)],
) -> Result<HashSet<String>, SyncError> {
    if !rep.settings.salesforce_to_outlook() || rep.mailbox.token().is_none() {
        return Ok(HashSet::new());
    }
    let checked: Vec<(&str, &Content)> = updates
        .iter()
        .filter_map(|(link, event_id)| {
            let agreed = link.salesforce_content.as_ref()?;
            Some((*event_id, &agreed.0))
        })
        .collect();
    if checked.is_empty() {
        return Ok(HashSet::new());
    }
    let ids: Vec<&str> = checked.iter().map(|(id, _)| *id).collect();
    let current: Vec<Changed> = changes::current(&mut rep.session, &ids).await?;
    Ok(checked
        .iter()
        .filter(|(id, agreed)| {
            current
                .iter()
                .any(|c| c.id == *id && **agreed != Content::of_fields(&c.fields))
        })
        .map(|(id, _)| (*id).to_string())
        .collect())
}

/// The wait of an update whose Event is merged first.
pub(super) fn wait_for_merge() -> SyncError {
    SyncError::Wait(Delay::For(WAIT), LinkCode::MergingSalesforceChanges)
}

/// Queues the read of the rep's Salesforce changes, which merges them.
pub(super) async fn ask_for_merge(rep: &Rep<'_>) -> Result<(), SyncError> {
    let read = PollSalesforce {
        user_id: rep.user.id.clone(),
    };
    rep.state.queue.enqueue(&read).await?;
    Ok(())
}
