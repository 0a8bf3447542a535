//! Events and EventRelations: start, end and duration kept consistent; `WhoId` a Contact or a
//! Lead, never a Lead together with a `WhatId`; with Shared Activities, `EventWhoIds` (up to 50
//! contacts or one lead) kept in step with the event's parent EventRelation rows.

use chrono::{Duration, NaiveTime};

use super::{Ctx, Errors, Mode, RecordError};
use crate::salesforce::store::{OrgData, Record};
use crate::salesforce::values::Value;

/// Fourteen days, the longest an event may last.
const MAX_MINUTES: i64 = 14 * 24 * 60;
const MAX_CONTACTS: usize = 50;

fn integrity(field: &str, message: &str) -> Errors {
    vec![RecordError::new("FIELD_INTEGRITY_EXCEPTION", message).on(field)]
}

fn missing(field: &str) -> Errors {
    vec![
        RecordError::new(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{field}]"),
        )
        .on(field),
    ]
}

pub fn complete_event(
    org: &OrgData,
    record: &mut Record,
    changed: &[String],
    mode: Mode,
) -> Result<(), Errors> {
    times(record, changed, mode)?;
    who_and_what(org, record, changed, org.shared_activities)
}

fn times(record: &mut Record, changed: &[String], mode: Mode) -> Result<(), Errors> {
    let set = |name: &str| changed.iter().any(|c| c == name);
    let datetime = |record: &Record, name: &str| match record.get(name) {
        Value::DateTime(t) => Some(*t),
        _ => None,
    };
    let minutes = match record.get("DurationInMinutes") {
        Value::Int(m) => Some(*m),
        _ => None,
    };
    let all_day = matches!(record.get("IsAllDayEvent"), Value::Bool(true));
    let start = if all_day {
        let date = match record.get("ActivityDate") {
            Value::Date(d) if set("ActivityDate") || !set("StartDateTime") => Some(*d),
            _ => datetime(record, "StartDateTime").map(|t| t.date_naive()),
        }
        .ok_or_else(|| missing("ActivityDate"))?;
        date.and_time(NaiveTime::MIN).and_utc()
    } else if set("ActivityDateTime") && !set("StartDateTime") {
        datetime(record, "ActivityDateTime").ok_or_else(|| missing("StartDateTime"))?
    } else {
        datetime(record, "StartDateTime").ok_or_else(|| missing("StartDateTime"))?
    };
    let end_given = set("EndDateTime")
        .then(|| datetime(record, "EndDateTime"))
        .flatten();
    let duration = match (
        end_given,
        set("DurationInMinutes").then_some(minutes).flatten(),
    ) {
        (Some(end), Some(m)) if (end - start).num_minutes() != m => {
            return Err(integrity(
                "DurationInMinutes",
                "Duration: the duration does not match the end date time",
            ));
        }
        (Some(end), _) => (end - start).num_minutes(),
        (None, Some(m)) => m,
        (None, None) => match (minutes, mode) {
            (Some(m), Mode::Update) => m,
            _ if all_day => 24 * 60,
            _ => return Err(missing("DurationInMinutes")),
        },
    };
    if duration < 0 {
        return Err(integrity(
            "EndDateTime",
            "End Date Time: the end cannot be earlier than the start",
        ));
    }
    if duration > MAX_MINUTES {
        return Err(integrity(
            "DurationInMinutes",
            "Duration: an event cannot last more than 14 days",
        ));
    }
    let end = start + Duration::minutes(duration);
    let fields = &mut record.fields;
    fields.insert("StartDateTime".into(), Value::DateTime(start));
    fields.insert("ActivityDateTime".into(), Value::DateTime(start));
    fields.insert("ActivityDate".into(), Value::Date(start.date_naive()));
    fields.insert("EndDateTime".into(), Value::DateTime(end));
    fields.insert("DurationInMinutes".into(), Value::Int(duration));
    let last_day = if all_day {
        end - Duration::minutes(1)
    } else {
        end
    };
    fields.insert("EndDate".into(), Value::Date(last_day.date_naive()));
    Ok(())
}

/// `WhoId` and `WhatId` checked, `AccountId` derived from them; with `who_ids`, the record's
/// `EventWhoIds` kept in step with its `WhoId`.
pub(super) fn who_and_what(
    org: &OrgData,
    record: &mut Record,
    changed: &[String],
    who_ids: bool,
) -> Result<(), Errors> {
    let set = |name: &str| changed.iter().any(|c| c == name);
    if who_ids {
        let mut who_ids = match record.get("EventWhoIds") {
            Value::Ids(ids) => ids.clone(),
            _ => Vec::new(),
        };
        let who = record.text("WhoId").map(str::to_string);
        if set("WhoId") && !set("EventWhoIds") {
            // A new primary replaces the old one at the head of the list.
            if !who_ids.is_empty() {
                who_ids.remove(0);
            }
        }
        if let Some(who) = &who {
            who_ids.retain(|id| id != who);
            who_ids.insert(0, who.clone());
        }
        let leads = who_ids.iter().filter(|id| id.starts_with("00Q")).count();
        if leads > 0 && who_ids.len() > 1 {
            return Err(integrity(
                "EventWhoIds",
                "You can relate an event to one lead, or to contacts, but not both or several leads",
            ));
        }
        if who_ids.len() > MAX_CONTACTS {
            return Err(integrity(
                "EventWhoIds",
                "You can relate an event to at most 50 contacts",
            ));
        }
        let primary = who_ids.first().cloned().map_or(Value::Null, Value::Text);
        record.fields.insert("WhoId".into(), primary);
        record
            .fields
            .insert("EventWhoIds".into(), Value::Ids(who_ids));
    }
    let who = record.text("WhoId").map(str::to_string);
    let what = record.text("WhatId").map(str::to_string);
    if who.as_deref().is_some_and(|w| w.starts_with("00Q")) && what.is_some() {
        return Err(integrity(
            "WhatId",
            "Related To ID: a lead cannot be related to an account, opportunity or other object",
        ));
    }
    let account = what
        .as_deref()
        .and_then(|what| account_of(org, what))
        .or_else(|| who.as_deref().and_then(|who| account_of(org, who)));
    record
        .fields
        .insert("AccountId".into(), account.map_or(Value::Null, Value::Text));
    Ok(())
}

/// The account a record belongs to: itself, or its `AccountId`.
fn account_of(org: &OrgData, id: &str) -> Option<String> {
    let record = org.live(id)?;
    if record.sobject == "Account" {
        return Some(record.id.clone());
    }
    record.text("AccountId").map(str::to_string)
}

pub fn check_relation(org: &OrgData, record: &mut Record) -> Result<(), Errors> {
    let event = record.text("EventId").unwrap_or_default().to_string();
    super::invitees::check_not_child(org, &event)?;
    let relation = record.text("RelationId").unwrap_or_default().to_string();
    let flag = |name: &str| matches!(record.get(name), Value::Bool(true));
    let relation_type = org
        .live(&relation)
        .map(|r| r.sobject.clone())
        .unwrap_or_default();
    let invitee_only = !flag("IsParent")
        && !flag("IsWhat")
        && matches!(relation_type.as_str(), "User" | "Contact" | "Lead");
    if !org.shared_activities && !invitee_only {
        return Err(integrity(
            "RelationId",
            "Relation ID: without Shared Activities a relation can only invite a user, contact or lead",
        ));
    }
    if !flag("IsInvitee") && !flag("IsParent") {
        return Err(integrity(
            "IsInvitee",
            "A relation must be an invitee or a parent",
        ));
    }
    let what_type = matches!(relation_type.as_str(), "Account" | "Opportunity" | "Case");
    if flag("IsWhat") != what_type && flag("IsParent") {
        return Err(integrity(
            "IsWhat",
            "Is What: does not match the relation's type",
        ));
    }
    if let Some(existing) = relations(org, &event).find(|r| r.text("RelationId") == Some(&relation))
    {
        return Err(vec![RecordError::new(
            "DUPLICATE_VALUE",
            format!(
                "duplicate value found: RelationId duplicates value on record with id: {}",
                existing.id
            ),
        )]);
    }
    let account = account_of(org, &relation).map_or(Value::Null, Value::Text);
    record.fields.insert("AccountId".into(), account);
    Ok(())
}

fn relations<'a>(org: &'a OrgData, event_id: &'a str) -> impl Iterator<Item = &'a Record> {
    org.rows("EventRelation")
        .filter(move |r| r.deleted.is_none() && r.text("EventId") == Some(event_id))
}

/// Keeps the junction rows in step with what was just written.
pub fn after_write(ctx: &mut Ctx<'_>, id: &str, _mode: Mode) {
    let Some(record) = ctx.org.live(id).cloned() else {
        return;
    };
    match record.sobject.as_str() {
        "Event" if matches!(record.get("IsChild"), Value::Bool(true)) => {}
        "Event" => {
            if ctx.org.shared_activities {
                sync_parents(ctx, &record);
            }
            super::invitees::follow(ctx, &record);
        }
        "EventRelation" => {
            let event_id = record.text("EventId").unwrap_or_default().to_string();
            if matches!(record.get("IsInvitee"), Value::Bool(true)) {
                let relation = record.text("RelationId").unwrap_or_default().to_string();
                super::invitees::invited(ctx, &event_id, &relation);
            }
            if matches!(record.get("IsParent"), Value::Bool(true))
                && !matches!(record.get("IsWhat"), Value::Bool(true))
            {
                let relation = record.text("RelationId").unwrap_or_default().to_string();
                edit_event(ctx, &event_id, |event| {
                    let mut ids = who_ids(event);
                    if !ids.contains(&relation) {
                        ids.push(relation.clone());
                    }
                    set_who_ids(event, ids);
                });
            }
            refresh_group_flag(ctx, &event_id);
        }
        _ => {}
    }
}

pub fn after_delete(ctx: &mut Ctx<'_>, record: &Record) {
    match record.sobject.as_str() {
        "Event" => {
            let ids: Vec<String> = relations(ctx.org, &record.id)
                .map(|r| r.id.clone())
                .collect();
            for id in ids {
                ctx.mark_deleted(&id);
            }
            super::invitees::parent_deleted(ctx, &record.id);
        }
        "EventRelation" => {
            let event_id = record.text("EventId").unwrap_or_default().to_string();
            let relation = record.text("RelationId").unwrap_or_default().to_string();
            super::invitees::uninvited(ctx, &event_id, &relation);
            if ctx.org.shared_activities {
                edit_event(ctx, &event_id, |event| {
                    let mut ids = who_ids(event);
                    ids.retain(|id| id != &relation);
                    set_who_ids(event, ids);
                });
            }
            refresh_group_flag(ctx, &event_id);
        }
        _ => {}
    }
}

fn who_ids(event: &Record) -> Vec<String> {
    match event.get("EventWhoIds") {
        Value::Ids(ids) => ids.clone(),
        _ => event
            .text("WhoId")
            .map(str::to_string)
            .into_iter()
            .collect(),
    }
}

/// Sets the list; the first entry is promoted to `WhoId`.
fn set_who_ids(event: &mut Record, ids: Vec<String>) {
    let primary = ids.first().cloned().map_or(Value::Null, Value::Text);
    event.fields.insert("WhoId".into(), primary);
    event.fields.insert("EventWhoIds".into(), Value::Ids(ids));
}

fn edit_event(ctx: &mut Ctx<'_>, event_id: &str, edit: impl FnOnce(&mut Record)) {
    let now = Value::DateTime(ctx.now);
    if let Some(event) = ctx.org.record_mut(event_id) {
        edit(event);
        event.fields.insert("SystemModstamp".into(), now);
    }
}

fn refresh_group_flag(ctx: &mut Ctx<'_>, event_id: &str) {
    let invited =
        relations(ctx.org, event_id).any(|r| matches!(r.get("IsInvitee"), Value::Bool(true)));
    edit_event(ctx, event_id, |event| {
        event
            .fields
            .insert("IsGroupEvent".into(), Value::Bool(invited));
        let kind = if invited { "1" } else { "0" };
        event
            .fields
            .insert("GroupEventType".into(), Value::text(kind));
    });
}

/// Parent rows for `EventWhoIds` and `WhatId`; invitee rows are left alone.
fn sync_parents(ctx: &mut Ctx<'_>, event: &Record) {
    let mut wanted: Vec<(String, bool)> =
        who_ids(event).into_iter().map(|id| (id, false)).collect();
    if let Some(what) = event.text("WhatId") {
        wanted.push((what.to_string(), true));
    }
    let existing: Vec<Record> = relations(ctx.org, &event.id).cloned().collect();
    for row in &existing {
        let relation = row.text("RelationId").unwrap_or_default();
        let is_parent = matches!(row.get("IsParent"), Value::Bool(true));
        let keep = wanted.iter().any(|(id, _)| id == relation);
        let invitee = matches!(row.get("IsInvitee"), Value::Bool(true));
        if is_parent != keep {
            if !keep && !invitee {
                ctx.mark_deleted(&row.id);
            } else if let Some(stored) = ctx.org.record_mut(&row.id) {
                stored.fields.insert("IsParent".into(), Value::Bool(keep));
            }
        }
    }
    for (relation, is_what) in wanted {
        if existing
            .iter()
            .any(|r| r.text("RelationId") == Some(&relation))
        {
            continue;
        }
        let mut row = Record {
            id: ctx.ids.next("0RE"),
            sobject: "EventRelation".into(),
            fields: Default::default(),
            deleted: None,
        };
        let account = account_of(ctx.org, &relation).map_or(Value::Null, Value::Text);
        for (name, value) in [
            ("Id", Value::text(row.id.clone())),
            ("EventId", Value::text(event.id.clone())),
            ("RelationId", Value::text(relation)),
            ("IsParent", Value::Bool(true)),
            ("IsInvitee", Value::Bool(false)),
            ("IsWhat", Value::Bool(is_what)),
            ("Status", Value::text("New")),
            ("AccountId", account),
        ] {
            row.fields.insert(name.into(), value);
        }
        ctx.stamp(&mut row, true);
        ctx.org.insert(row);
    }
}
