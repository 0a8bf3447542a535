//! The finish phase: each link recorded once Salesforce has answered, its state and its
//! history entry in one transaction (a decision is never kept without its effect, nor the
//! effect without its decision: no history has a hole after a crash), then its Outlook event
//! marked with the Event's Id.

use super::plan::{Removal, Write};
use super::read::Source;
use super::rep::{Item, Rep};
use crate::graph::events::SELECTION_PROPERTY;
use crate::storage::event_links::{self, AsWritten, Written};
use crate::storage::history::{Actor, NewEntry};
use crate::storage::{self, StorageError};
use crate::sync::error::{Delay, SyncError};
use crate::sync::jobs::SyncEvent;
use crate::sync::model::codes::LinkCode;
use crate::sync::model::content::Content;
use crate::sync::model::history::{Action, Call, Cause, Detail, Rule};

/// How an Event came to hold what Outlook says.
pub(super) enum How {
    /// Created by this run (`call`), or by an earlier attempt whose answer was lost and which
    /// this run found again.
    Created { call: Call, found_again: bool },
    /// The parts Outlook changed since both sides last agreed, written.
    Updated { parts: Content },
    /// Nothing needed writing.
    InStep,
}

/// A history entry about `item`'s link.
pub(super) fn entry<'a>(item: &'a Item<'_>, action: Action, detail: &'a Detail) -> NewEntry<'a> {
    NewEntry {
        user_id: &item.link.user_id,
        link_id: Some(&item.link.id),
        actor: Actor::System,
        action,
        detail,
    }
}

/// `detail` with the change that asked for the run.
pub(super) fn seen(item: &Item<'_>, detail: Detail) -> Detail {
    Detail {
        seen: Some(item.job.cause),
        ..detail
    }
}

/// Records the Event `event_id` as holding what Outlook says (`how`), with the decision, and
/// marks the Outlook event.
pub(super) async fn written(
    rep: &Rep<'_>,
    item: &Item<'_>,
    event_id: &str,
    write: &Write,
    how: How,
) -> Result<(), SyncError> {
    let (db, link) = (&rep.state.db, &item.link);
    let salesforce_base = link.salesforce_content.as_ref().map(|c| c.0.clone());
    let (salesforce_after, decision) = match &how {
        How::Created { call, found_again } => {
            let detail = Detail {
                call: Some(*call),
                found_again: *found_again,
                after: Some(write.fields.fields.clone()),
                ..Detail::event(event_id)
            };
            (
                write.content.salesforce_side(),
                Some((Action::Created, detail)),
            )
        }
        How::Updated { parts } => {
            let before = salesforce_base
                .as_ref()
                .map(|base| base.only(&parts.parts()).to_salesforce());
            let detail = Detail {
                call: Some(Call::Update),
                parts: Some(parts.parts()),
                before,
                after: Some(parts.to_salesforce()),
                ..Detail::event(event_id)
            };
            let after = match &salesforce_base {
                Some(base) => base.with(parts),
                None => write.content.clone(),
            }
            .salesforce_side();
            (after, Some((Action::Updated, detail)))
        }
        How::InStep => (
            salesforce_base
                .unwrap_or_else(|| write.content.clone())
                .salesforce_side(),
            None,
        ),
    };
    // What the pane alone said is no version of Outlook's: the next read of Outlook compares.
    let change_key = match write.source {
        Source::Pane => None,
        Source::Graph | Source::GraphAndPane => write.event.change_key.as_deref(),
    };
    let (start, end) = write.fields.span;
    let done = Written {
        event_id,
        hash: &write.fields.hash,
        meeting: AsWritten {
            start,
            end,
            who_ids_left_out: i64::try_from(write.fields.who_ids_dropped).unwrap_or(0),
        },
        outlook_content: &write.content,
        salesforce_content: &salesforce_after,
        outlook_change_key: change_key,
    };
    let now = storage::now();
    let decision = decision.map(|(action, detail)| (action, seen(item, detail)));
    let recorded = match &decision {
        Some((action, detail)) => {
            let entry = entry(item, *action, detail);
            event_links::outcome::record_written(db, &link.id, done, Some(&entry), now).await
        }
        None => event_links::outcome::record_written(db, &link.id, done, None, now).await,
    };
    match recorded {
        Ok(()) => {}
        // Another link recorded this Event first (a create found again that a twin's own
        // answer named a moment before): this link looks again, and never shares an Event.
        Err(StorageError::Conflict(_)) => {
            return Err(SyncError::Wait(
                Delay::For(std::time::Duration::from_secs(1)),
                LinkCode::TwinWriteInFlight,
            ));
        }
        Err(other) => return Err(other.into()),
    }
    if write.back_in_scope {
        let detail = seen(item, Detail::event(event_id));
        let entry = entry(item, Action::BackInScope, &detail);
        crate::storage::history::append(db, &entry, now).await?;
    }
    stamp_if_needed(rep, item, event_id, write).await?;
    confirm_pane_view(rep, item, write).await?;
    Ok(())
}

/// The Outlook event marked with its Event's Id, unless it is already (an occurrence shows its
/// series' mark instead).
async fn stamp_if_needed(
    rep: &Rep<'_>,
    item: &Item<'_>,
    event_id: &str,
    write: &Write,
) -> Result<(), SyncError> {
    let event = &write.event;
    let stamped = event
        .single_value_extended_properties
        .iter()
        .any(|p| p.id.eq_ignore_ascii_case(SELECTION_PROPERTY) && p.value == event_id);
    if stamped || event.kind.as_deref() == Some("occurrence") || write.source == Source::Pane {
        return Ok(());
    }
    stamp(rep, item, event_id, event.change_key.as_deref()).await
}

/// A write that used the pane's view is checked against Outlook's own a moment later.
async fn confirm_pane_view(rep: &Rep<'_>, item: &Item<'_>, write: &Write) -> Result<(), SyncError> {
    if write.source != Source::GraphAndPane || item.job.cause != Cause::Pane {
        return Ok(());
    }
    let state = rep.state;
    let wait = chrono::Duration::seconds(
        i64::try_from(state.settings.sync.pane_confirm_secs).unwrap_or(30),
    );
    let confirm = SyncEvent::new(
        &item.link.user_id,
        &item.link.outlook_event_id,
        Cause::Confirm,
    );
    state
        .queue
        .enqueue_at(&confirm, storage::now() + wait)
        .await?;
    Ok(())
}

/// Marks the Outlook event with its Salesforce Id (empty once unselected), so the selection
/// shows on every device, and remembers the change key our write gave it (so that the
/// notification of it is known for our own echo). Best effort, and said so in the log: the
/// Salesforce side is already right, and the next sync marks again.
pub(super) async fn stamp(
    rep: &Rep<'_>,
    item: &Item<'_>,
    value: &str,
    if_unchanged_since: Option<&str>,
) -> Result<(), SyncError> {
    let Some(mailbox) = rep.mailbox.token() else {
        return Ok(());
    };
    let link = &item.link;
    // An occurrence of a selected series shows its series' mark; a write to the occurrence
    // itself would make it an exception, cut off from later edits of the series.
    if link.from_series {
        return Ok(());
    }
    let stamped = rep
        .state
        .graph
        .stamp_selection(mailbox, &link.outlook_event_id, value, if_unchanged_since)
        .await;
    match stamped {
        Ok(Some(change_key)) => {
            event_links::outcome::record_outlook_seen(&rep.state.db, &link.id, &change_key).await?;
        }
        Ok(None) => {}
        Err(error) => {
            tracing::warn!(link = %link.id, error = %error, "the Outlook event was not marked; the next sync marks it");
        }
    }
    Ok(())
}

/// Records a deletion the run's call made (or found made already).
pub(super) async fn deleted(
    rep: &Rep<'_>,
    item: &Item<'_>,
    event_id: &str,
    why: Removal,
) -> Result<(), SyncError> {
    let because = match why {
        Removal::Gone(code) => Detail::because(code),
        Removal::Unselected => Detail::because(Rule::Unselected),
    };
    let detail = seen(
        item,
        Detail {
            call: Some(Call::Delete),
            salesforce_event_id: Some(event_id.to_string()),
            ..because
        },
    );
    let entry = entry(item, Action::Deleted, &detail);
    let now = storage::now();
    event_links::outcome::forget_salesforce_event(
        &rep.state.db,
        &item.link.id,
        why.code(),
        Some(&entry),
        now,
    )
    .await?;
    if why == Removal::Unselected {
        stamp(rep, item, "", None).await?;
    }
    Ok(())
}
