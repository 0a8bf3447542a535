//! What Salesforce checks and fills in on every save: required fields, names, case numbers,
//! the flags derived from a status or a stage, and the activity rules (in `activities`).

use super::{Ctx, Errors, Mode, RecordError, activities};
use chrono::{DateTime, Utc};

use crate::salesforce::schema::SObject;
use crate::salesforce::store::Record;
use crate::salesforce::values::Value;

pub fn complete(
    ctx: &mut Ctx<'_>,
    object: &SObject,
    record: &mut Record,
    changed: &[String],
    mode: Mode,
) -> Result<(), Errors> {
    let missing: Vec<String> = object
        .fields
        .iter()
        .filter(|f| f.required && record.get(&f.name).is_null())
        .filter(|f| mode == Mode::Create || changed.contains(&f.name))
        .map(|f| f.name.clone())
        .collect();
    if !missing.is_empty() {
        let mut error = RecordError::new(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{}]", missing.join(", ")),
        );
        error.fields = missing;
        return Err(vec![error]);
    }
    match object.name.as_str() {
        "Contact" | "Lead" | "User" => {
            let name = [record.text("FirstName"), record.text("LastName")]
                .into_iter()
                .flatten()
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            record.fields.insert("Name".into(), Value::Text(name));
        }
        "Case" => {
            if mode == Mode::Create {
                ctx.org.case_numbers += 1;
                record.fields.insert(
                    "CaseNumber".into(),
                    Value::Text(format!("{:08}", ctx.org.case_numbers)),
                );
            }
            let closed = record.text("Status") == Some("Closed");
            closed_flag(record, "ClosedDate", closed, ctx.now);
        }
        "Opportunity" => {
            let stage = record.text("StageName").unwrap_or_default();
            let won = stage == "Closed Won";
            let closed = won || stage == "Closed Lost";
            record.fields.insert("IsWon".into(), Value::Bool(won));
            record.fields.insert("IsClosed".into(), Value::Bool(closed));
        }
        "Task" => {
            let closed = record.text("Status") == Some("Completed");
            closed_flag(record, "CompletedDateTime", closed, ctx.now);
            let high = record.text("Priority") == Some("High");
            record
                .fields
                .insert("IsHighPriority".into(), Value::Bool(high));
            activities::who_and_what(ctx.org, record, changed, false)?;
        }
        "Event" => activities::complete_event(ctx.org, record, changed, mode)?,
        "EventRelation" if mode == Mode::Create => activities::check_relation(ctx.org, record)?,
        _ => {}
    }
    duplicates(ctx, record)
}

/// The org's duplicate rules for the record's object, each blocking a save that matches a
/// live record on all of its fields.
fn duplicates(ctx: &Ctx<'_>, record: &Record) -> Result<(), Errors> {
    let key = |r: &Record, field: &str| {
        r.text(field)
            .map(|v| v.trim().to_lowercase())
            .filter(|v| !v.is_empty())
    };
    for rule in ctx
        .org
        .duplicate_rules
        .iter()
        .filter(|r| r.sobject.eq_ignore_ascii_case(&record.sobject))
    {
        let Some(wanted) = rule
            .fields
            .iter()
            .map(|f| key(record, f))
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let matches: Vec<&Record> = ctx
            .org
            .rows(&record.sobject)
            .filter(|other| other.deleted.is_none() && other.id != record.id)
            .filter(|other| {
                rule.fields
                    .iter()
                    .zip(&wanted)
                    .all(|(f, w)| key(other, f).as_ref() == Some(w))
            })
            .collect();
        if matches.is_empty() {
            continue;
        }
        let mut error = RecordError::new("DUPLICATES_DETECTED", "Use one of these records?");
        error.duplicate_result = Some(serde_json::json!({
            "allowSave": false,
            "duplicateRule": rule.name,
            "duplicateRuleEntityType": record.sobject,
            "errorMessage": "You're creating a duplicate record. We recommend you use an existing record instead.",
            "matchResults": [{
                "entityType": record.sobject,
                "errors": [],
                "matchEngine": "ExactMatchEngine",
                "matchRecords": matches.iter().map(|m| serde_json::json!({
                    "additionalInformation": [],
                    "fieldDiffs": [],
                    "matchConfidence": 100.0,
                    "record": { "attributes": { "type": m.sobject, "url": m.url("64.0") }, "Id": m.id },
                })).collect::<Vec<_>>(),
                "rule": rule.name,
                "size": matches.len(),
                "success": true,
            }],
        }));
        return Err(vec![error]);
    }
    Ok(())
}

/// `IsClosed`, and the moment it became true in `closed_at` (kept while it stays closed).
fn closed_flag(record: &mut Record, closed_at: &str, closed: bool, now: DateTime<Utc>) {
    let was_closed = matches!(record.get("IsClosed"), Value::Bool(true));
    record.fields.insert("IsClosed".into(), Value::Bool(closed));
    if !closed {
        record.fields.insert(closed_at.into(), Value::Null);
    } else if !was_closed {
        record.fields.insert(closed_at.into(), Value::DateTime(now));
    }
}
