//! What Graph's notifications set going. A change to a meeting we sync queues its sync at once
//! (the fast path); any other change queues a poll of the mailbox, which finds new meetings,
//! categories and deletions. Lifecycle notifications keep the subscription alive. Each is
//! believed only when its `clientState` is the one we gave that subscription (or, for a
//! subscription whose creation Graph has not answered yet, the one we are giving it); the rest
//! are counted and dropped. Queuing is all that happens here: Graph wants its answer within 3 s.

use serde::Deserialize;

use crate::state::AppState;
use crate::storage::mailbox_watches::{self, Watch};
use crate::storage::{self, StorageError, event_links};
use crate::sync::jobs::{Action, PollMailbox, SyncEvent, WatchMailbox};
use crate::sync::model::history::Cause;

/// A change or lifecycle notification, as Graph posts it (in `{"value": [...]}`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Notification {
    pub subscription_id: String,
    pub client_state: Option<String>,
    pub change_type: Option<String>,
    pub resource_data: Option<ResourceData>,
    pub lifecycle_event: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ResourceData {
    pub id: String,
    /// `W/"<changeKey>"`.
    #[serde(rename = "@odata.etag")]
    pub etag: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Batch {
    pub value: Vec<Notification>,
}

/// How many notifications were acted on, and how many were not believed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Accepted {
    pub queued: usize,
    pub refused: usize,
}

/// The watch a notification belongs to, when its clientState proves it came from Graph: the
/// watch of its subscription, or the one whose subscription is being created with it.
async fn believed(state: &AppState, note: &Notification) -> Result<Option<Watch>, StorageError> {
    let Some(sent) = note
        .client_state
        .as_deref()
        .map(crate::secrets::fingerprint)
    else {
        return Ok(None);
    };
    let watch =
        match mailbox_watches::find_by_subscription(&state.db, &note.subscription_id).await? {
            Some(watch) => Some(watch),
            None => mailbox_watches::find_expecting(&state.db, &sent).await?,
        };
    Ok(watch.filter(|w| w.client_state_hash.as_deref() == Some(sent.as_str())))
}

/// Which webhook a batch came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A change to an event of the mailbox.
    Change,
    /// The subscription itself: reauthorize it, make it again, or read what was missed.
    Lifecycle,
}

/// Queues the work a batch of notifications calls for; the ones not believed are counted.
pub async fn accept(state: &AppState, kind: Kind, batch: &Batch) -> Result<Accepted, StorageError> {
    let mut accepted = Accepted::default();
    for note in &batch.value {
        let Some(watch) = believed(state, note).await? else {
            accepted.refused += 1;
            continue;
        };
        accepted.queued += 1;
        match kind {
            Kind::Change => change(state, &watch, note).await?,
            Kind::Lifecycle => lifecycle(state, &watch, note).await?,
        }
    }
    Ok(accepted)
}

/// A change to a selected meeting queues its sync at once, unless it is the echo of our own
/// write (rule 3); a deletion, and any other change, queues a poll of the mailbox.
async fn change(state: &AppState, watch: &Watch, note: &Notification) -> Result<(), StorageError> {
    let user_id = watch.user_id.clone();
    let data = note.resource_data.as_ref();
    let link = match data {
        Some(data) => event_links::find_by_outlook_id(&state.db, &watch.user_id, &data.id).await?,
        None => None,
    };
    let poll = PollMailbox {
        user_id: user_id.clone(),
    };
    let Some(link) = link.filter(|l| l.selected) else {
        state.queue.enqueue(&poll).await?;
        return Ok(());
    };
    // A deletion goes through the poll, which judges a round's deletions together (the
    // deletion circuit breaker); a held sync waits there for its release.
    if note.change_type.as_deref() == Some("deleted") || watch.paused_code.is_some() {
        state.queue.enqueue(&poll).await?;
        return Ok(());
    }
    let etag = data.and_then(|d| d.etag.as_deref());
    let ours = etag.is_some_and(|etag| {
        let key = etag.trim_start_matches("W/").trim_matches('"');
        link.outlook_change_key.as_deref() == Some(key)
    });
    if !ours {
        let sync = SyncEvent::new(&user_id, link.outlook_event_id, Cause::Notification);
        state.queue.enqueue(&sync).await?;
    }
    Ok(())
}

async fn lifecycle(
    state: &AppState,
    watch: &Watch,
    note: &Notification,
) -> Result<(), StorageError> {
    let user_id = watch.user_id.clone();
    let watch_job = |action| WatchMailbox {
        user_id: user_id.clone(),
        action,
    };
    let poll = PollMailbox {
        user_id: user_id.clone(),
    };
    match note.lifecycle_event.as_deref() {
        Some("reauthorizationRequired") => {
            state.queue.enqueue(&watch_job(Action::Reauthorize)).await?;
        }
        Some("subscriptionRemoved") => {
            let now = storage::now();
            mailbox_watches::forget_subscription(&state.db, &watch.user_id, None, now).await?;
            state.queue.enqueue(&watch_job(Action::Recreate)).await?;
            state.queue.enqueue(&poll).await?;
        }
        // `missed`, and whatever Graph adds later: read the mailbox.
        _ => {
            state.queue.enqueue(&poll).await?;
        }
    }
    Ok(())
}
