//! An Event's invited users: each gets a child Event in their own calendar (`IsChild`, owned by
//! them) that follows its parent's subject, time and place, and goes when their invitation or
//! the parent goes. A child Event takes no relations of its own. (Salesforce's documentation:
//! "When a Salesforce user is invited to a calendar event, a child calendar event record is
//! created for the invitee"; none for a contact, lead or resource.)

use super::{Ctx, Errors, RecordError};
use crate::salesforce::store::{OrgData, Record};
use crate::salesforce::values::Value;

/// The child's link to its parent: kept on the record, never part of Event's schema, so no
/// query or describe shows it (Salesforce exposes none either).
const PARENT: &str = "__ParentEventId";

/// What a child copies from its parent.
const COPIED: &[&str] = &[
    "Subject",
    "StartDateTime",
    "EndDateTime",
    "ActivityDateTime",
    "ActivityDate",
    "EndDate",
    "DurationInMinutes",
    "IsAllDayEvent",
    "Location",
    "Description",
    "ShowAs",
    "IsPrivate",
];

fn is_user(id: &str) -> bool {
    id.starts_with("005")
}

/// A child Event takes no relation (`INVALID_CROSS_REFERENCE_KEY`, as Salesforce refuses it).
pub fn check_not_child(org: &OrgData, event_id: &str) -> Result<(), Errors> {
    match org.live(event_id) {
        Some(event) if matches!(event.get("IsChild"), Value::Bool(true)) => Err(vec![
            RecordError::new(
                "INVALID_CROSS_REFERENCE_KEY",
                "An EventRelation can't be created for a child event",
            )
            .on("EventId"),
        ]),
        _ => Ok(()),
    }
}

fn children<'a>(org: &'a OrgData, event_id: &'a str) -> impl Iterator<Item = &'a Record> + 'a {
    org.rows("Event")
        .filter(move |r| r.deleted.is_none() && r.text(PARENT) == Some(event_id))
}

/// A user was invited to `event_id`: their child Event.
pub fn invited(ctx: &mut Ctx<'_>, event_id: &str, user_id: &str) {
    if !is_user(user_id) || children(ctx.org, event_id).any(|c| c.text("OwnerId") == Some(user_id))
    {
        return;
    }
    let Some(parent) = ctx.org.live(event_id).cloned() else {
        return;
    };
    let mut child = Record {
        id: ctx.ids.next("00U"),
        sobject: "Event".into(),
        fields: Default::default(),
        deleted: None,
    };
    for name in COPIED {
        child
            .fields
            .insert((*name).into(), parent.get(name).clone());
    }
    for (name, value) in [
        ("Id", Value::text(child.id.clone())),
        ("OwnerId", Value::text(user_id)),
        ("IsChild", Value::Bool(true)),
        ("IsGroupEvent", Value::Bool(true)),
        ("GroupEventType", Value::text("1")),
        ("IsRecurrence", Value::Bool(false)),
        ("EventSubtype", Value::text("Event")),
        (PARENT, Value::text(event_id)),
    ] {
        child.fields.insert(name.into(), value);
    }
    ctx.stamp(&mut child, true);
    ctx.org.insert(child);
}

/// A user's invitation to `event_id` was withdrawn: their child Event goes.
pub fn uninvited(ctx: &mut Ctx<'_>, event_id: &str, user_id: &str) {
    let gone: Vec<String> = children(ctx.org, event_id)
        .filter(|c| c.text("OwnerId") == Some(user_id))
        .map(|c| c.id.clone())
        .collect();
    for id in gone {
        ctx.mark_deleted(&id);
    }
}

/// The parent changed: its children follow.
pub fn follow(ctx: &mut Ctx<'_>, parent: &Record) {
    let ids: Vec<String> = children(ctx.org, &parent.id)
        .map(|c| c.id.clone())
        .collect();
    for id in ids {
        let mut changed = false;
        if let Some(child) = ctx.org.record_mut(&id) {
            for name in COPIED {
                let value = parent.get(name).clone();
                if child.get(name) != &value {
                    child.fields.insert((*name).into(), value);
                    changed = true;
                }
            }
        }
        if changed && let Some(mut child) = ctx.org.record_mut(&id).cloned() {
            ctx.stamp(&mut child, false);
            ctx.org.insert(child);
        }
    }
}

/// The parent was deleted: so are its children.
pub fn parent_deleted(ctx: &mut Ctx<'_>, parent_id: &str) {
    let ids: Vec<String> = children(ctx.org, parent_id).map(|c| c.id.clone()).collect();
    for id in ids {
        ctx.mark_deleted(&id);
    }
}
