//! Shared meetings: several reps of one org attend the same meeting (one iCalUId), and
//! Salesforce gets one Event, never one per rep.
//!
//! - The first rep to sync it claims it (once per org, so two at once still make one Event)
//!   and owns the Event; each other rep who syncs it is related to that Event as an invited
//!   user (Salesforce puts a child Event in their calendar).
//! - The organizer's rep, syncing it later, takes the Event over (they own the meeting); the
//!   former owner becomes an invitee.
//! - The owner stopping (unselecting, or the meeting leaving their calendar) hands the Event to
//!   the organizer's rep if they sync it, else to the rep who joined first; the Event is deleted
//!   (per the deletion policy) only when nobody syncs the meeting any more.
//! - An invitee stopping is only uninvited.
//!
//! The plan decides from the owner it read ([`super::plan`]); these steps carry it out, the
//! claim deciding a race between two reps' first writes.

use std::time::Duration;

use super::finish::{entry, seen, stamp};
use super::plan::Write;
use super::rep::{Item, Rep};
use crate::salesforce::invitees;
use crate::storage;
use crate::storage::event_links::shared::{self, Former};
use crate::storage::event_links::{self, EventLink};
use crate::storage::users;
use crate::sync::error::{Delay, SyncError};
use crate::sync::model::codes::LinkCode;
use crate::sync::model::history::{Action, Detail, Rule};

/// How long a rep joining a meeting whose Event is still being written waits to look again.
const JOIN_WAIT: Duration = Duration::from_secs(2);

/// Waits for another rep's first write of the meeting to land.
pub(super) fn wait_for_owner() -> SyncError {
    SyncError::Wait(Delay::For(JOIN_WAIT), LinkCode::SharedMeetingPending)
}

/// Before a create of a meeting with attendees: claims it for this rep in the org. `Ok` when
/// this rep owns it (and creates its Event); another rep's claim a moment before makes this
/// link look again (the next plan joins their Event).
pub(super) async fn claim(rep: &Rep<'_>, item: &Item<'_>, write: &Write) -> Result<(), SyncError> {
    let (db, link) = (&rep.state.db, &item.link);
    let Some(uid) = write.event.ical_uid.as_deref().filter(|u| !u.is_empty()) else {
        return Ok(());
    };
    if write.event.attendees.is_empty() {
        return Ok(());
    }
    let tenant = &rep.user.tenant_id;
    let organizer = write.event.is_organizer == Some(true);
    let owner_id = shared::claim(db, tenant, uid, &link.id, organizer).await?;
    if owner_id == link.id {
        return Ok(());
    }
    match event_links::find(db, &owner_id).await? {
        Some(owner) if owner.selected => Err(wait_for_owner()),
        // The owner stopped before writing: this rep takes the meeting, unless another rep
        // took it a moment before (then this one joins theirs, on its next look).
        _ => {
            if shared::set_owner(db, tenant, uid, &owner_id, &link.id).await? {
                Ok(())
            } else {
                Err(wait_for_owner())
            }
        }
    }
}

/// Joins the meeting's Event another rep owns: invited to it.
pub(super) async fn join(
    rep: &mut Rep<'_>,
    item: &Item<'_>,
    event_id: &str,
) -> Result<(), SyncError> {
    let me = rep.session.salesforce_user_id().as_str().to_string();
    invitees::invite(&mut rep.session, event_id, &me).await?;
    shared::join(&rep.state.db, &item.link.id, event_id, storage::now()).await?;
    let detail = seen(
        item,
        Detail::event(event_id).with_because(Rule::SharedMeeting),
    );
    storage::history::append(
        &rep.state.db,
        &entry(item, Action::Invited, &detail),
        storage::now(),
    )
    .await?;
    Ok(())
}

/// The organizer's rep takes the meeting's Event over from `owner`: it becomes theirs, the
/// former owner an invitee. The Event is then written as this rep's Outlook says.
pub(super) async fn take_over(
    rep: &mut Rep<'_>,
    item: &Item<'_>,
    event_id: &str,
    owner: &str,
    write: &Write,
) -> Result<(), SyncError> {
    let db = &rep.state.db;
    let Some(former) = event_links::find(db, owner).await? else {
        return Err(wait_for_owner());
    };
    let Some(uid) = write.event.ical_uid.as_deref() else {
        return Err(wait_for_owner());
    };
    let me = rep.session.salesforce_user_id().as_str().to_string();
    invitees::set_owner(&mut rep.session, event_id, &me).await?;
    invitees::uninvite(&mut rep.session, event_id, &me).await?;
    if let Some(former_user) = salesforce_user(rep, &former).await? {
        invitees::invite(&mut rep.session, event_id, &former_user).await?;
    }
    let tenant = &rep.user.tenant_id;
    shared::set_owner(db, tenant, uid, &former.id, &item.link.id).await?;
    let now = storage::now();
    shared::transfer(
        db,
        &former.id,
        &item.link.id,
        event_id,
        Former::Invitee,
        now,
    )
    .await?;
    let detail = seen(item, Detail::event(event_id).with_because(Rule::Organizer));
    storage::history::append(db, &entry(item, Action::TookOver, &detail), now).await?;
    Ok(())
}

/// An invitee's link leaves the meeting (`code`: why, `None` when unselected): uninvited.
pub(super) async fn leave(
    rep: &mut Rep<'_>,
    item: &Item<'_>,
    code: Option<LinkCode>,
) -> Result<(), SyncError> {
    let link = &item.link;
    let now = storage::now();
    if let Some(event_id) = &link.shared_event_id {
        let me = rep.session.salesforce_user_id().as_str().to_string();
        invitees::uninvite(&mut rep.session, event_id, &me).await?;
        let because = match code {
            Some(code) => Detail::because(code),
            None => Detail::because(Rule::Unselected),
        };
        let detail = seen(
            item,
            Detail {
                salesforce_event_id: Some(event_id.clone()),
                ..because
            },
        );
        storage::history::append(&rep.state.db, &entry(item, Action::Uninvited, &detail), now)
            .await?;
    }
    shared::leave(&rep.state.db, &link.id, code, now).await?;
    if code.is_none() {
        stamp(rep, item, "", None).await?;
    }
    Ok(())
}

/// The owner's link leaves the meeting: its Event passes to the organizer's rep if they sync
/// it, else to the rep who joined first. `false`: nobody else syncs it (the deletion policy
/// decides).
pub(super) async fn hand_over(
    rep: &mut Rep<'_>,
    item: &Item<'_>,
    code: Option<LinkCode>,
) -> Result<bool, SyncError> {
    let link = &item.link;
    let Some(event_id) = &link.salesforce_event_id else {
        return Ok(false);
    };
    let db = &rep.state.db;
    let invited = shared::invitees(db, event_id).await?;
    let tenant = rep.user.tenant_id.clone();
    let Some(next) = invited
        .iter()
        .find(|l| l.is_organizer)
        .or_else(|| invited.first())
    else {
        if let Some(uid) = &link.ical_uid {
            shared::release(db, &tenant, uid, &link.id).await?;
        }
        return Ok(false);
    };
    let Some(new_owner) = salesforce_user(rep, next).await? else {
        return Ok(false);
    };
    invitees::set_owner(&mut rep.session, event_id, &new_owner).await?;
    invitees::uninvite(&mut rep.session, event_id, &new_owner).await?;
    if let Some(uid) = &link.ical_uid {
        shared::set_owner(db, &tenant, uid, &link.id, &next.id).await?;
    }
    let now = storage::now();
    shared::transfer(db, &link.id, &next.id, event_id, Former::Gone(code), now).await?;
    let because = match code {
        Some(code) => Detail::because(code),
        None => Detail::because(Rule::Unselected),
    };
    let detail = seen(
        item,
        Detail {
            salesforce_event_id: Some(event_id.clone()),
            handed_to: Some(next.id.clone()),
            ..because
        },
    );
    storage::history::append(db, &entry(item, Action::HandedOver, &detail), now).await?;
    if code.is_none() {
        stamp(rep, item, "", None).await?;
    }
    Ok(true)
}

/// The Salesforce user of the rep whose link `link` is.
async fn salesforce_user(rep: &Rep<'_>, link: &EventLink) -> Result<Option<String>, SyncError> {
    Ok(users::find(&rep.state.db, &link.user_id)
        .await?
        .and_then(|u| u.salesforce_user_id)
        .map(|id| id.as_str().to_string()))
}
