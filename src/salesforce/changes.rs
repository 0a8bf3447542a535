//! A rep's Salesforce Events that changed since a cursor (`SystemModstamp`), deleted ones
//! included (`queryAll`: a deleted Event stays in the recycle bin, flagged, with its deletion's
//! `SystemModstamp`), or, on the first read, every live one in the calendar window. One query
//! (and its further pages) per read. An invitee's copy of an Event (`IsChild`) is its owner's
//! Event, never a meeting of its own; a recurring series' master (`IsRecurrence`) is read as its
//! occurrences.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::SfDateTime;
use super::rest::{query_all_path, query_path, soql_escape};
use super::session::{Session, SessionError};

/// The Event fields a read returns: what the sync compares (`sync::content`), and what the
/// Outlook event names of its relations.
const FIELDS: &str = "Id, Subject, StartDateTime, EndDateTime, IsAllDayEvent, ActivityDate, \
     DurationInMinutes, Location, Description, ShowAs, IsPrivate, IsDeleted, WhoId, WhatId, \
     Who.Name, What.Name, LastModifiedDate, SystemModstamp";

/// The most records one read takes; the rest wait for the next (the cursor stops at the last).
const MAX_RECORDS: usize = 2_000;

/// One Event as a read found it.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    pub id: String,
    pub deleted: bool,
    /// The Event's fields, as Salesforce returned them.
    pub fields: Map<String, Value>,
    pub system_modstamp: DateTime<Utc>,
    /// When a person (or an app) last changed it.
    pub last_modified: Option<DateTime<Utc>>,
}

impl Changed {
    /// `Who.Name`, `What.Name`: the names of the records it relates to, for the Outlook event's
    /// body.
    pub fn related_names(&self) -> Vec<String> {
        ["Who", "What"]
            .iter()
            .filter_map(|r| self.fields.get(*r)?.get("Name")?.as_str())
            .map(str::to_string)
            .collect()
    }

    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(Value::as_str)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    records: Vec<Map<String, Value>>,
    #[serde(default)]
    next_records_url: Option<String>,
}

/// What a read asks for.
pub enum Since {
    /// The first read: every live Event of the rep in the window `[start, end)`.
    Window(DateTime<Utc>, DateTime<Utc>),
    /// Every Event of the rep changed (or deleted) at or after the cursor, oldest first. (At,
    /// not after: Events changed in the cursor's own second may not all have been read.)
    Cursor(DateTime<Utc>),
}

/// The rep's Events as `since` asks, oldest change first, at most [`MAX_RECORDS`].
pub async fn read(session: &mut Session, since: &Since) -> Result<Vec<Changed>, SessionError> {
    let owner = soql_escape(session.salesforce_user_id().as_str());
    let literal = |at: &DateTime<Utc>| at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let (path, condition): (fn(&str) -> _, _) = match since {
        Since::Window(start, end) => (
            query_path,
            format!(
                "IsDeleted = false AND StartDateTime < {} AND EndDateTime > {}",
                literal(end),
                literal(start)
            ),
        ),
        Since::Cursor(at) => (query_all_path, format!("SystemModstamp >= {}", literal(at))),
    };
    let soql = format!(
        "SELECT {FIELDS} FROM Event WHERE OwnerId = '{owner}' AND IsChild = false \
         AND IsRecurrence = false AND {condition} ORDER BY SystemModstamp, Id LIMIT {MAX_RECORDS}"
    );
    let mut page: Page = session.get(&path(&soql)?).await?;
    let mut records = std::mem::take(&mut page.records);
    while let Some(next) = page.next_records_url.take() {
        page = session.get(&next).await?;
        records.append(&mut page.records);
    }
    Ok(records.into_iter().filter_map(changed).collect())
}

/// These Events as Salesforce holds them now (the live ones; one query per 200).
pub async fn current(session: &mut Session, ids: &[&str]) -> Result<Vec<Changed>, SessionError> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(200) {
        let list: Vec<String> = chunk
            .iter()
            .map(|id| format!("'{}'", soql_escape(id)))
            .collect();
        let soql = format!(
            "SELECT {FIELDS} FROM Event WHERE Id IN ({})",
            list.join(", ")
        );
        let page = session.query::<Map<String, Value>>(&soql).await?;
        found.extend(page.records.into_iter().filter_map(changed));
    }
    Ok(found)
}

fn changed(fields: Map<String, Value>) -> Option<Changed> {
    let at = |name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .and_then(|t| SfDateTime::parse(t).ok())
            .map(|t| t.0)
    };
    Some(Changed {
        id: fields.get("Id")?.as_str()?.to_string(),
        deleted: fields.get("IsDeleted").and_then(Value::as_bool) == Some(true),
        system_modstamp: at("SystemModstamp")?,
        last_modified: at("LastModifiedDate"),
        fields,
    })
}
