//! The send phase's single steps: what a plan asks that needs no batched Salesforce call (a
//! skip recorded, a round asked for, a series expanded, a shared meeting joined or left, a kept
//! Event marked), each carried out for its link alone.

use super::attendees::Related;
use super::finish::{self, How, entry, seen, stamp};
use super::plan::{Fate, Removal, Write};
use super::rep::{Item, Rep};
use super::{series, shared};
use crate::salesforce::events;
use crate::storage;
use crate::storage::event_links::{self, LinkState};
use crate::sync::error::SyncError;
use crate::sync::jobs::PollMailbox;
use crate::sync::model::codes::LinkCode;
use crate::sync::model::event_map;
use crate::sync::model::history::{Action, Call, Detail, Rule};

/// What a kept Event's subject starts with once its meeting is cancelled.
const CANCELED: &str = "Canceled: ";

/// Leaves the meeting out of Salesforce this time: the link fails with `code`, and the history
/// says why (and which zone nobody knows, when that is why).
pub(super) async fn skip(
    rep: &Rep<'_>,
    item: &Item<'_>,
    code: LinkCode,
    time_zone: Option<String>,
) -> Result<(), SyncError> {
    let detail = seen(
        item,
        Detail {
            time_zone,
            ..Detail::because(code)
        },
    );
    let entry = entry(item, Action::Skipped, &detail);
    let now = storage::now();
    event_links::outcome::set_state(
        &rep.state.db,
        &item.link.id,
        LinkState::Failed,
        Some(code),
        Some(&entry),
        now,
    )
    .await?;
    Ok(())
}

/// The meeting leaves the sync with `code` (`action` says how), its Event untouched.
pub(super) async fn leave_sync(
    rep: &Rep<'_>,
    item: &Item<'_>,
    code: LinkCode,
    action: Action,
    change_key: Option<&str>,
) -> Result<(), SyncError> {
    let (db, link) = (&rep.state.db, &item.link);
    let detail = seen(
        item,
        Detail {
            salesforce_event_id: link.salesforce_event_id.clone(),
            ..Detail::because(code)
        },
    );
    let entry = entry(item, action, &detail);
    let now = storage::now();
    event_links::outcome::set_state(
        db,
        &link.id,
        LinkState::Removed,
        Some(code),
        Some(&entry),
        now,
    )
    .await?;
    // Seen as it is: a round that finds it unchanged queues nothing.
    if let Some(key) = change_key {
        event_links::outcome::record_outlook_seen(db, &link.id, key).await?;
    }
    Ok(())
}

/// The meeting is missing from Outlook, and no round has said so yet: a round is queued,
/// which (unless the breaker holds it) marks the deletion and syncs the link again.
pub(super) async fn ask_for_round(rep: &Rep<'_>, item: &Item<'_>) -> Result<(), SyncError> {
    let poll = PollMailbox {
        user_id: item.link.user_id.clone(),
    };
    rep.state.queue.enqueue(&poll).await?;
    Ok(())
}

/// The relations the attendees' changes call for, recorded (with what changed, in the history)
/// before anything is written.
pub(super) async fn follow_attendees(
    rep: &Rep<'_>,
    item: &Item<'_>,
    related: &Related,
) -> Result<(), SyncError> {
    if !related.changes(&item.link) {
        return Ok(());
    }
    let detail;
    let told = if related.worth_telling() {
        detail = seen(
            item,
            Detail {
                related: Some(related.related.clone()),
                unrelated: Some(related.unrelated.clone()),
                ambiguous: Some(related.ambiguous as u64),
                ..Detail::default()
            },
        );
        Some(entry(item, Action::RelationsFollowed, &detail))
    } else {
        None
    };
    event_links::attendees::record(
        &rep.state.db,
        &item.link.id,
        &related.seen,
        &related.auto_relations,
        told.as_ref(),
        storage::now(),
    )
    .await?;
    Ok(())
}

/// The Event already says what Outlook says: recorded as synced, the Outlook event marked.
pub(super) async fn in_step(
    rep: &Rep<'_>,
    item: &Item<'_>,
    event_id: &str,
    write: &Write,
) -> Result<(), SyncError> {
    follow_attendees(rep, item, &write.relations).await?;
    finish::written(rep, item, event_id, write, How::InStep).await
}

/// The link leaves the sync (`why`): its Event passes to another rep who syncs the meeting, or
/// goes as the policy says (`fate`). A deletion is left to the batch's call: `Some(id)`.
pub(super) async fn remove(
    rep: &mut Rep<'_>,
    item: &Item<'_>,
    why: Removal,
    fate: Fate,
) -> Result<Option<String>, SyncError> {
    if why == Removal::Unselected {
        series::release(rep, item).await?;
    }
    // Others still sync the meeting: its Event passes to one of them.
    if shared::hand_over(rep, item, why.code()).await? {
        return Ok(None);
    }
    let (db, link, now) = (&rep.state.db, &item.link, storage::now());
    match fate {
        Fate::Delete(id) => return Ok(Some(id)),
        Fate::Keep(id) => {
            let because = match why {
                Removal::Gone(code) => Detail::because(code),
                Removal::Unselected => Detail::because(Rule::Unselected),
            };
            let mut detail = seen(
                item,
                Detail {
                    salesforce_event_id: Some(id.clone()),
                    ..because
                },
            );
            if matches!(why, Removal::Gone(_)) {
                mark_cancelled(rep, &id, &mut detail).await?;
            }
            let entry = entry(item, Action::Kept, &detail);
            event_links::outcome::set_state(
                db,
                &link.id,
                LinkState::Removed,
                why.code(),
                Some(&entry),
                now,
            )
            .await?;
        }
        Fate::NoEvent => match why {
            Removal::Gone(code) => {
                event_links::outcome::set_state(
                    db,
                    &link.id,
                    LinkState::Removed,
                    Some(code),
                    None,
                    now,
                )
                .await?;
            }
            Removal::Unselected => {
                event_links::outcome::forget_salesforce_event(db, &link.id, None, None, now)
                    .await?;
            }
        },
    }
    if why == Removal::Unselected {
        stamp(rep, item, "", None).await?;
    }
    Ok(None)
}

/// A kept Event of a meeting that went: "Canceled: " before its subject as Salesforce holds
/// it (as Outlook shows a cancelled meeting), once.
async fn mark_cancelled(rep: &mut Rep<'_>, id: &str, detail: &mut Detail) -> Result<(), SyncError> {
    let subject = events::subject(&mut rep.session, id).await?;
    if let Some(subject) = subject.filter(|s| !s.starts_with(CANCELED)) {
        let marked = event_map::truncated(&format!("{CANCELED}{subject}"), 255);
        let mut fields = serde_json::Map::new();
        fields.insert("Subject".into(), marked.into());
        events::update(&mut rep.session, id, &fields).await?;
        detail.call = Some(Call::UpdateOne);
        detail.after = Some(fields);
    }
    Ok(())
}
