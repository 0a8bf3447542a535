//! A selected recurring series: the items synced are its occurrences in the window, each one
//! Salesforce Event of its own (Salesforce's own series are re-created whole on every pattern
//! change, so none is made). The series' link holds the rep's choice; each occurrence gets a
//! link that follows it (`from_series`) and its own sync. An occurrence moved or cancelled in
//! Outlook comes through delta under its own id and touches only its Event; a series edit
//! comes through as every occurrence changed (a notice about the series itself queues that
//! delta round); an occurrence entering the window as the days pass is found by the poll, which
//! runs the series' sync again.

use super::finish::{entry, seen, stamp};
use super::rep::{Item, Rep};
use crate::graph::events::SELECTION_PROPERTY;
use crate::storage;
use crate::storage::event_links::{self, LinkState, by_series};
use crate::sync::error::SyncError;
use crate::sync::jobs::{PollMailbox, SyncEvent};
use crate::sync::model::event_map::GraphEvent;
use crate::sync::model::history::{Action, Cause, Detail};

/// What a selected series' master carries in the selection property: its occurrences' Events
/// are many, and each occurrence shows the master's mark (stamping an occurrence itself would
/// make it an exception in Exchange).
const SERIES_MARK: &str = "series";

/// The series `master` is selected: every occurrence in the window gets a link following the
/// series' choice, and each new or changed one its sync. The series' own link is `synced`
/// with no Event.
pub(super) async fn expand(
    rep: &Rep<'_>,
    item: &Item<'_>,
    master: &GraphEvent,
) -> Result<(), SyncError> {
    let (state, link) = (rep.state, &item.link);
    let Some(mailbox) = rep.mailbox.token() else {
        return Ok(());
    };
    let (start, end) = rep.settings.window(storage::now());
    let instances = state
        .graph
        .instances(mailbox, &link.outlook_event_id, start, end)
        .await?;
    let occurrences: Vec<&str> = instances
        .iter()
        .filter(|i| !i["isCancelled"].as_bool().unwrap_or(false))
        .filter_map(|i| i["id"].as_str())
        .collect();
    let adopted = by_series::adopt(
        &state.db,
        link,
        &occurrences,
        |id| state.queue.prepare(&sync_of(item, id)),
        storage::now(),
    )
    .await?;
    // When the series itself changed, what changed shows in delta, occurrence by occurrence
    // (a cancelled one as removed, a series edit as each one changed): a round reads it. A
    // series unchanged since (the poll asking for a new occurrence's link) needs no round.
    if master.change_key != link.outlook_change_key {
        let poll = PollMailbox {
            user_id: link.user_id.clone(),
        };
        state.queue.enqueue(&poll).await?;
    }
    let now = storage::now();
    let detail;
    let expanded = if adopted > 0 {
        state.queue.notify();
        detail = seen(
            item,
            Detail {
                occurrences: Some(occurrences.len() as u64),
                queued: Some(adopted as u64),
                ..Detail::default()
            },
        );
        Some(entry(item, Action::SeriesExpanded, &detail))
    } else {
        None
    };
    event_links::outcome::set_state(
        &state.db,
        &link.id,
        LinkState::Synced,
        None,
        expanded.as_ref(),
        now,
    )
    .await?;
    if let Some(seen) = &master.change_key {
        event_links::outcome::record_outlook_seen(&state.db, &link.id, seen).await?;
    }
    let marked = master
        .single_value_extended_properties
        .iter()
        .any(|p| p.id.eq_ignore_ascii_case(SELECTION_PROPERTY) && p.value == SERIES_MARK);
    if !marked {
        stamp(rep, item, SERIES_MARK, master.change_key.as_deref()).await?;
    }
    Ok(())
}

/// The rep stopped syncing this link: if it is a series', every occurrence that followed it
/// stops too, each per the deletion policy by its own sync.
pub(super) async fn release(rep: &Rep<'_>, item: &Item<'_>) -> Result<(), SyncError> {
    let (state, link) = (rep.state, &item.link);
    if link.outlook_series_id.is_some() {
        return Ok(());
    }
    let released = by_series::release(
        &state.db,
        &link.user_id,
        &link.outlook_event_id,
        |id| state.queue.prepare(&sync_of(item, id)),
        storage::now(),
    )
    .await?;
    if released > 0 {
        state.queue.notify();
    }
    Ok(())
}

fn sync_of(item: &Item<'_>, outlook_event_id: &str) -> SyncEvent {
    SyncEvent::new(&item.link.user_id, outlook_event_id, Cause::Series)
}
