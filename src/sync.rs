//! The sync of a rep's selected meetings to Salesforce: what the task pane's selection queues
//! (`SyncEvent`, run by `run`), and the mapping of a meeting to its Salesforce Event.

pub mod event_map;
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

impl SyncEvent {
    /// One pending sync per link: a second change before it runs is covered by the first.
    pub fn dedup_key(&self) -> String {
        format!("{}/{}", self.user_id, self.outlook_event_id)
    }
}
