//! An Outlook event (as Graph returns it, its body as text) to the fields of its Salesforce
//! Event, and the hash of those fields (rule 3: a value we wrote is recognised when it comes
//! back). Pure: the pipeline reads the event and the link, and writes what this returns. Every
//! read of an event (one event, a delta round, the dry run's) asks Graph for the body as text,
//! so there is one conversion, Exchange's own.

use aws_lc_rs::digest;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::codes::LinkCode;
use super::content::Content;
use super::settings::PrivatePolicy;
use super::zones::{self, TimeError};
use crate::salesforce::datetime::SfDateTime;

/// Salesforce's limits on an Event's text fields and its length.
const SUBJECT_CHARS: usize = 255;
const LOCATION_CHARS: usize = 255;
const DESCRIPTION_CHARS: usize = 32_000;
const MAX_DAYS: i64 = 14;

/// The part of a Graph event the mapping reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphEvent {
    pub id: String,
    pub subject: Option<String>,
    pub body: Option<Body>,
    pub start: Option<ZonedTime>,
    pub end: Option<ZonedTime>,
    pub is_all_day: bool,
    pub location: Option<Location>,
    pub sensitivity: Option<String>,
    pub show_as: Option<String>,
    pub is_cancelled: bool,
    /// `singleInstance`, `occurrence`, `exception` or `seriesMaster`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub attendees: Vec<Attendee>,
    pub categories: Vec<String>,
    /// When Outlook last changed it (UTC, RFC 3339).
    pub last_modified_date_time: Option<String>,
    /// Graph's version of the event; `None` for the pane's view.
    pub change_key: Option<String>,
    /// Only the selection property, when asked for.
    pub single_value_extended_properties: Vec<ExtendedProperty>,
    /// The meeting's id in every attendee's calendar.
    #[serde(rename = "iCalUId")]
    pub ical_uid: Option<String>,
    /// The mailbox's owner organizes it.
    pub is_organizer: Option<bool>,
}

impl GraphEvent {
    /// A series' master: its occurrences are the items synced, never the master itself.
    pub fn is_series_master(&self) -> bool {
        self.kind.as_deref() == Some("seriesMaster")
    }

    /// The attendees' addresses, lower case, sorted, each once.
    pub fn attendee_addresses(&self) -> Vec<String> {
        let mut addresses: Vec<String> = self
            .attendees
            .iter()
            .map(|a| a.email_address.address.trim().to_ascii_lowercase())
            .filter(|a| !a.is_empty())
            .collect();
        addresses.sort();
        addresses.dedup();
        addresses
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Attendee {
    pub email_address: AttendeeAddress,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AttendeeAddress {
    pub address: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExtendedProperty {
    pub id: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Body {
    pub content_type: String,
    pub content: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ZonedTime {
    pub date_time: String,
    pub time_zone: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Location {
    pub display_name: String,
}

/// What the mapping needs besides the event.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub who_ids: &'a [String],
    pub what_id: Option<&'a str>,
    /// The org relates an Event to several Contacts (`EventWhoIds`); without it, one `WhoId`.
    pub shared_activities: bool,
    pub private: PrivatePolicy,
}

/// The Event's fields and their hash.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFields {
    pub fields: Map<String, Value>,
    pub hash: String,
    /// Contacts left out because the org has no Shared Activities (one `WhoId` only).
    pub who_ids_dropped: usize,
    /// When the meeting takes place (UTC; an all-day event's dates from midnight UTC).
    pub span: (DateTime<Utc>, DateTime<Utc>),
}

impl EventFields {
    /// What these fields say, part by part (relations included).
    pub fn content(&self) -> Content {
        Content::of_written(&self.fields)
    }
}

/// The outcome for one event.
#[derive(Debug, Clone, PartialEq)]
pub enum Mapped {
    Write(EventFields),
    /// Cancelled in Outlook: the deletion policy decides.
    Cancelled,
    /// Not synced, and why (a stable code for the link and the history).
    Skipped(LinkCode),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("the event has no {0}")]
    Missing(&'static str),
    /// Graph sent the body as HTML although it was asked for text.
    #[error("the event's body is not text")]
    NotText,
    #[error(transparent)]
    Time(#[from] TimeError),
}

impl MapError {
    /// The code a link that cannot be mapped fails with.
    pub fn code(&self) -> LinkCode {
        match self {
            Self::Time(TimeError::Zone(_)) => LinkCode::UnknownTimeZone,
            Self::Missing(_) | Self::NotText | Self::Time(TimeError::DateTime(_)) => {
                LinkCode::GraphEventUnreadable
            }
        }
    }

    /// The unknown zone's name, when that is what failed.
    pub fn time_zone(&self) -> Option<&str> {
        match self {
            Self::Time(TimeError::Zone(name)) => Some(name),
            _ => None,
        }
    }
}

pub fn truncated(text: &str, limit: usize) -> String {
    text.trim().chars().take(limit).collect()
}

fn calendar_date(time: &ZonedTime) -> Result<NaiveDate, MapError> {
    NaiveDateTime::parse_from_str(time.date_time.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S%.f")
        .map(|t| t.date())
        .map_err(|_| {
            MapError::Time(TimeError::DateTime(
                time.date_time.chars().take(40).collect(),
            ))
        })
}

/// The Event for `event`: Subject, the UTC start and end (an all-day event on its calendar
/// dates), Location, Description as plain text, ShowAs, IsPrivate, and the relations.
pub fn map(event: &GraphEvent, context: &Context<'_>) -> Result<Mapped, MapError> {
    if event.is_cancelled {
        return Ok(Mapped::Cancelled);
    }
    let private = matches!(
        event.sensitivity.as_deref(),
        Some("private" | "confidential")
    );
    if private && context.private == PrivatePolicy::Skip {
        return Ok(Mapped::Skipped(LinkCode::Private));
    }
    let metadata_only = private && context.private == PrivatePolicy::TimeAndAttendeesOnly;
    let start = event.start.as_ref().ok_or(MapError::Missing("start"))?;
    let span;
    let end = event.end.as_ref().ok_or(MapError::Missing("end"))?;
    let mut fields = Map::new();
    if !metadata_only {
        let subject = event.subject.as_deref().unwrap_or_default();
        fields.insert("Subject".into(), json!(truncated(subject, SUBJECT_CHARS)));
    }
    if event.is_all_day {
        // An all-day event is the same dates in every zone: midnight to midnight where it was
        // made, end exclusive, as Graph gives it.
        let first = calendar_date(start)?;
        let days = (calendar_date(end)? - first).num_days().max(1);
        if days > MAX_DAYS {
            return Ok(Mapped::Skipped(LinkCode::LongerThan14Days));
        }
        fields.insert("IsAllDayEvent".into(), json!(true));
        fields.insert("ActivityDate".into(), json!(first.to_string()));
        fields.insert("DurationInMinutes".into(), json!(days * 24 * 60));
        let midnight = first.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        span = (midnight, midnight + chrono::Duration::days(days));
    } else {
        let from = zones::to_utc(&start.date_time, &start.time_zone)?;
        let to = zones::to_utc(&end.date_time, &end.time_zone)?;
        if (to - from).num_minutes() > MAX_DAYS * 24 * 60 {
            return Ok(Mapped::Skipped(LinkCode::LongerThan14Days));
        }
        fields.insert("IsAllDayEvent".into(), json!(false));
        span = (from, to.max(from));
        fields.insert("StartDateTime".into(), json!(SfDateTime(from).to_string()));
        fields.insert(
            "EndDateTime".into(),
            json!(SfDateTime(to.max(from)).to_string()),
        );
    }
    if !metadata_only {
        let location = event
            .location
            .as_ref()
            .map_or("", |l| l.display_name.as_str());
        fields.insert(
            "Location".into(),
            json!(truncated(location, LOCATION_CHARS)),
        );
        let description = match &event.body {
            Some(body) if body.content_type.eq_ignore_ascii_case("html") => {
                return Err(MapError::NotText);
            }
            // The relations an event made from a Salesforce Event lists are Salesforce's own.
            Some(body) => super::to_graph::without_related(body.content.trim()).to_string(),
            None => String::new(),
        };
        fields.insert(
            "Description".into(),
            json!(truncated(&description, DESCRIPTION_CHARS)),
        );
    }
    let show_as = match event.show_as.as_deref() {
        Some("free") => "Free",
        Some("oof") => "OutOfOffice",
        _ => "Busy",
    };
    fields.insert("ShowAs".into(), json!(show_as));
    fields.insert("IsPrivate".into(), json!(private));
    let mut who_ids_dropped = 0;
    let is_lead = context
        .who_ids
        .first()
        .is_some_and(|id| id.starts_with("00Q"));
    if context.shared_activities && !is_lead {
        fields.insert("EventWhoIds".into(), json!(context.who_ids));
    } else {
        fields.insert("WhoId".into(), json!(context.who_ids.first()));
        who_ids_dropped = context.who_ids.len().saturating_sub(1);
    }
    if !is_lead {
        fields.insert("WhatId".into(), json!(context.what_id));
    }
    let hash = hash(&fields);
    Ok(Mapped::Write(EventFields {
        fields,
        hash,
        who_ids_dropped,
        span,
    }))
}

/// SHA-256 of the fields as written (their order is the mapping's, so equal fields hash alike).
pub fn hash(fields: &Map<String, Value>) -> String {
    let bytes = serde_json::to_vec(fields).unwrap_or_default();
    digest::digest(&digest::SHA256, &bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
