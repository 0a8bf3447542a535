//! What a meeting says, the same on both sides: its subject, time, location, description,
//! show-as and privacy, in Salesforce's field names and one form for each value, so that the
//! Event as Salesforce returns it compares equal to the fields we wrote (rule 3), and what each
//! side changed since the last sync can be told apart field by field (rule 4). Pure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use crate::salesforce::datetime::SfDateTime;

/// A side of the sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Outlook,
    Salesforce,
}

/// The parts of a meeting that are compared and merged, each as a unit: a meeting's time is
/// one (its start is never taken from one side and its end from the other).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Subject,
    Time,
    Location,
    Description,
    ShowAs,
    Private,
    /// The Contacts, Lead and What the Event relates to: written from Outlook's side only (the
    /// rep's choices and the attendees), never read back from Salesforce, so never in conflict.
    Relations,
}

impl Part {
    /// The parts both sides hold and compare.
    pub const ALL: [Part; 6] = [
        Part::Subject,
        Part::Time,
        Part::Location,
        Part::Description,
        Part::ShowAs,
        Part::Private,
    ];

    /// The one Salesforce field the part is; `None` for the time, which is several
    /// (`IsAllDayEvent` with `StartDateTime` and `EndDateTime`, or with `ActivityDate` and
    /// `DurationInMinutes`).
    pub const fn field(self) -> Option<&'static str> {
        match self {
            Part::Subject => Some("Subject"),
            Part::Time => None,
            Part::Location => Some("Location"),
            Part::Description => Some("Description"),
            Part::ShowAs => Some("ShowAs"),
            Part::Private => Some("IsPrivate"),
            Part::Relations => None,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Time => "time",
            Part::Location => "location",
            Part::Description => "description",
            Part::ShowAs => "show_as",
            Part::Private => "private",
            Part::Relations => "relations",
        }
    }
}

/// A meeting's content: each part it carries, in one form. A part may be missing (a private
/// meeting synced as time and attendees only carries no subject): only the parts both compared
/// contents carry are compared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Content(pub BTreeMap<Part, Value>);

impl Content {
    /// The content of Salesforce fields: what we write (`event_map`) or an Event as Salesforce
    /// returns it. Empty text and a null are alike; times are UTC to the second; an all-day
    /// meeting is its first date and its length, whatever its start and end say.
    pub fn of_fields(fields: &Map<String, Value>) -> Self {
        let text = |name: &str| match fields.get(name) {
            Some(Value::String(s)) => Some(json!(s.trim())),
            Some(Value::Null) => Some(json!("")),
            _ => None,
        };
        let mut parts = BTreeMap::new();
        for part in [Part::Subject, Part::Location, Part::Description] {
            if let Some(value) = part.field().and_then(text) {
                parts.insert(part, value);
            }
        }
        if let Some(show_as) = fields.get("ShowAs") {
            let word = show_as.as_str().unwrap_or("Busy");
            parts.insert(Part::ShowAs, json!(word));
        }
        if let Some(private) = fields.get("IsPrivate") {
            parts.insert(Part::Private, json!(private.as_bool().unwrap_or(false)));
        }
        if let Some(time) = time(fields) {
            parts.insert(Part::Time, time);
        }
        Self(parts)
    }

    /// The content of the fields the sync writes from Outlook ([`super::event_map`]): the
    /// compared parts, and the relations.
    pub fn of_written(fields: &Map<String, Value>) -> Self {
        let mut content = Self::of_fields(fields);
        let relations: Map<String, Value> = RELATION_FIELDS
            .iter()
            .filter_map(|name| Some(((*name).to_string(), fields.get(*name)?.clone())))
            .collect();
        if !relations.is_empty() {
            content.0.insert(Part::Relations, Value::Object(relations));
        }
        content
    }

    pub fn get(&self, part: Part) -> Option<&Value> {
        self.0.get(&part)
    }

    /// The parts whose values differ from `base`'s, among those both carry.
    pub fn changed_since(&self, base: &Content) -> Vec<Part> {
        self.0
            .iter()
            .filter(|(part, value)| base.0.get(part).is_some_and(|old| old != *value))
            .map(|(part, _)| *part)
            .collect()
    }

    /// The parts of this content that `base` does not hold as they are here (changed since, or
    /// new), with their values: what a write from this side carries.
    pub fn beyond(&self, base: &Content) -> Content {
        Content(
            self.0
                .iter()
                .filter(|(part, value)| base.0.get(part) != Some(*value))
                .map(|(part, value)| (*part, value.clone()))
                .collect(),
        )
    }

    /// What Salesforce's side holds of it: the parts Salesforce reads back (relations are
    /// written from Outlook's side only).
    pub fn salesforce_side(&self) -> Content {
        let mut parts = self.0.clone();
        parts.remove(&Part::Relations);
        Content(parts)
    }

    /// This content with `other`'s relations (as the sync last wrote them from Outlook).
    pub fn with_relations_of(&self, other: &Content) -> Content {
        let mut parts = self.0.clone();
        if let Some(relations) = other.get(Part::Relations) {
            parts.insert(Part::Relations, relations.clone());
        }
        Content(parts)
    }

    /// The parts of `parts` this content carries.
    pub fn only(&self, parts: &[Part]) -> Content {
        Content(
            self.0
                .iter()
                .filter(|(part, _)| parts.contains(part))
                .map(|(part, value)| (*part, value.clone()))
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The parts it carries.
    pub fn parts(&self) -> Vec<Part> {
        self.0.keys().copied().collect()
    }

    /// This content with `changes` laid over it.
    pub fn with(&self, changes: &Content) -> Content {
        let mut parts = self.0.clone();
        parts.extend(changes.0.iter().map(|(p, v)| (*p, v.clone())));
        Content(parts)
    }

    /// When the meeting takes place (UTC; an all-day one from midnight UTC of its first date).
    pub fn span(&self) -> Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> {
        let time = self.get(Part::Time)?;
        if time["IsAllDayEvent"].as_bool() == Some(true) {
            let first =
                chrono::NaiveDate::parse_from_str(time["ActivityDate"].as_str()?, "%Y-%m-%d")
                    .ok()?
                    .and_hms_opt(0, 0, 0)?
                    .and_utc();
            let minutes = time["DurationInMinutes"].as_i64().unwrap_or(1440);
            return Some((first, first + chrono::Duration::minutes(minutes)));
        }
        let at = |name: &str| SfDateTime::parse(time[name].as_str()?).ok().map(|t| t.0);
        Some((at("StartDateTime")?, at("EndDateTime")?))
    }

    /// The Salesforce fields that write these parts.
    pub fn to_salesforce(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        for (part, value) in &self.0 {
            match (part.field(), value.as_object()) {
                (Some(field), _) => {
                    fields.insert(field.to_string(), value.clone());
                }
                // The time's and the relations' fields, as they were written.
                (None, Some(several)) => fields.extend(several.clone()),
                (None, None) => {}
            }
        }
        fields
    }
}

/// The fields that relate an Event (`EventWhoIds` with Shared Activities, else `WhoId`).
const RELATION_FIELDS: [&str; 3] = ["EventWhoIds", "WhoId", "WhatId"];

/// The time part: `{IsAllDayEvent: false, StartDateTime, EndDateTime}` (UTC, to the second), or
/// `{IsAllDayEvent: true, ActivityDate, DurationInMinutes}`.
fn time(fields: &Map<String, Value>) -> Option<Value> {
    let all_day = fields.get("IsAllDayEvent")?.as_bool().unwrap_or(false);
    if all_day {
        let date = fields.get("ActivityDate")?.as_str()?.get(..10)?.to_string();
        let minutes = fields.get("DurationInMinutes").and_then(Value::as_i64);
        return Some(json!({
            "IsAllDayEvent": true,
            "ActivityDate": date,
            "DurationInMinutes": minutes.unwrap_or(1440),
        }));
    }
    let at = |name: &str| {
        let text = fields.get(name)?.as_str()?;
        SfDateTime::parse(text)
            .ok()
            .map(|t| SfDateTime(t.0).to_string())
    };
    Some(json!({
        "IsAllDayEvent": false,
        "StartDateTime": at("StartDateTime")?,
        "EndDateTime": at("EndDateTime")?,
    }))
}
