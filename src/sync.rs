//! The sync of a rep's selected meetings to Salesforce: what the task pane's selection queues
//! (`SyncEvent`, run by `run`), and the mapping of a meeting to its Salesforce Event.

pub mod budget;
pub mod event_map;
pub mod policy;
mod run;
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
        .map(|link| SyncEvent {
            user_id: user_id.to_string(),
            outlook_event_id: link.outlook_event_id,
        })
        .collect();
    if jobs.is_empty() {
        return Ok(0);
    }
    queue.enqueue_many(&jobs).await
}
