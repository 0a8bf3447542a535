//! What a meeting says, the same on both sides: its subject, time, location, description,
//! show-as and privacy, in Salesforce's field names and one form for each value, so that the
//! Event as Salesforce returns it compares equal to the fields we wrote (rule 3), and what each
//! side changed since the last sync can be told apart field by field (rule 4). Pure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use super::settings::ConflictPolicy;
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

/// Both sides changed a part since the last sync, each to its own value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub part: Part,
    pub outlook: Value,
    pub salesforce: Value,
    pub winner: Side,
}

impl Conflict {
    /// The losing side's value, as the item's history keeps it.
    pub fn loser_value(&self) -> &Value {
        if self.winner == Side::Outlook {
            &self.salesforce
        } else {
            &self.outlook
        }
    }
}

/// Each side as the last sync left it and as it is now, and when each last changed.
#[derive(Debug, Clone)]
pub struct Sides<'a> {
    pub outlook_base: Option<&'a Content>,
    pub outlook_now: &'a Content,
    pub salesforce_base: Option<&'a Content>,
    pub salesforce_now: &'a Content,
    pub outlook_changed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub salesforce_changed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What bringing both sides in step takes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Merge {
    /// The parts to write to Outlook, with their values.
    pub to_outlook: Content,
    /// The parts to write to Salesforce.
    pub to_salesforce: Content,
    pub conflicts: Vec<Conflict>,
}

impl Merge {
    pub fn is_empty(&self) -> bool {
        self.to_outlook.0.is_empty() && self.to_salesforce.0.is_empty()
    }
}

/// Brings the sides in step, part by part: a part one side changed goes to the other; a part
/// both changed to the same value needs nothing; a part both changed differently is a conflict
/// the policy settles, its loser kept in the plan. A side never synced before is taken as
/// unchanged since the other side's base (the two were in step at the last write).
pub fn reconcile(sides: &Sides<'_>, policy: ConflictPolicy) -> Merge {
    let outlook_base = sides
        .outlook_base
        .or(sides.salesforce_base)
        .unwrap_or(sides.outlook_now);
    let salesforce_base = sides
        .salesforce_base
        .or(sides.outlook_base)
        .unwrap_or(sides.outlook_now);
    let mut plan = Merge::default();
    for part in Part::ALL {
        let (Some(outlook), Some(salesforce)) =
            (sides.outlook_now.get(part), sides.salesforce_now.get(part))
        else {
            continue;
        };
        let outlook_changed = outlook_base.get(part).is_some_and(|b| b != outlook);
        let salesforce_changed = salesforce_base.get(part).is_some_and(|b| b != salesforce);
        if outlook == salesforce {
            continue;
        }
        let winner = match (outlook_changed, salesforce_changed) {
            (true, false) => Side::Outlook,
            (false, true) => Side::Salesforce,
            // Neither changed, and they differ: they were left apart on purpose (a write the
            // platform forbids); nothing to do until one side changes.
            (false, false) => continue,
            (true, true) => {
                let winner = match policy {
                    ConflictPolicy::SalesforceWins => Side::Salesforce,
                    ConflictPolicy::OutlookWins => Side::Outlook,
                    ConflictPolicy::NewestWins => {
                        match (sides.outlook_changed_at, sides.salesforce_changed_at) {
                            (Some(o), Some(s)) if o > s => Side::Outlook,
                            (Some(_), None) => Side::Outlook,
                            _ => Side::Salesforce,
                        }
                    }
                };
                plan.conflicts.push(Conflict {
                    part,
                    outlook: outlook.clone(),
                    salesforce: salesforce.clone(),
                    winner,
                });
                winner
            }
        };
        if winner == Side::Outlook {
            plan.to_salesforce.0.insert(part, outlook.clone());
        } else {
            plan.to_outlook.0.insert(part, salesforce.clone());
        }
    }
    plan
}

/// What begins the paragraph the sync adds to an Outlook event it made from a Salesforce
/// Event: the people and records it relates to (the event invites nobody, rule 7). It is no
/// part of the Description: reading the event back leaves it out.
pub const RELATED_LINE: &str = "Related in Salesforce: ";

/// `description` without the related paragraph the sync added to it (its last paragraph).
pub fn without_related(description: &str) -> &str {
    if description.starts_with(RELATED_LINE) {
        return "";
    }
    match description.rfind(&format!("\n\n{RELATED_LINE}")) {
        Some(at) => description[..at].trim_end(),
        None => description,
    }
}

/// The Graph fields that write these parts to an Outlook event (`related`: the paragraph that
/// names the Event's relations, added to the body, which it makes alone when the content has no
/// description). A time is written whole, in UTC.
pub fn to_graph(content: &Content, related: Option<&str>) -> Map<String, Value> {
    let mut event = Map::new();
    if let (Some(related), None) = (related, content.get(Part::Description)) {
        let body = format!("{RELATED_LINE}{related}");
        event.insert(
            "body".into(),
            json!({ "contentType": "text", "content": body }),
        );
    }
    for (part, value) in &content.0 {
        match part {
            Part::Subject => {
                event.insert("subject".into(), value.clone());
            }
            Part::Location => {
                event.insert("location".into(), json!({ "displayName": value }));
            }
            Part::Description => {
                let text = value.as_str().unwrap_or_default();
                let content = match related {
                    Some(related) if text.is_empty() => format!("{RELATED_LINE}{related}"),
                    Some(related) => format!("{text}\n\n{RELATED_LINE}{related}"),
                    None => text.to_string(),
                };
                event.insert(
                    "body".into(),
                    json!({ "contentType": "text", "content": content }),
                );
            }
            Part::ShowAs => {
                let word = match value.as_str() {
                    Some("Free") => "free",
                    Some("OutOfOffice") => "oof",
                    _ => "busy",
                };
                event.insert("showAs".into(), json!(word));
            }
            Part::Private => {
                let word = if value.as_bool() == Some(true) {
                    "private"
                } else {
                    "normal"
                };
                event.insert("sensitivity".into(), json!(word));
            }
            Part::Time => graph_time(value, &mut event),
            // Outlook's attendees are the relations' source: nothing is written back.
            Part::Relations => {}
        }
    }
    event
}

fn graph_time(time: &Value, event: &mut Map<String, Value>) {
    let zoned = |at: String| json!({ "dateTime": at, "timeZone": "UTC" });
    if time["IsAllDayEvent"].as_bool() == Some(true) {
        let Some(first) = time["ActivityDate"]
            .as_str()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            return;
        };
        let days = (time["DurationInMinutes"].as_i64().unwrap_or(1440) / 1440).max(1);
        let last = first + chrono::Duration::days(days);
        event.insert("isAllDay".into(), json!(true));
        event.insert("start".into(), zoned(format!("{first}T00:00:00")));
        event.insert("end".into(), zoned(format!("{last}T00:00:00")));
        return;
    }
    let at = |name: &str| {
        let text = time[name].as_str()?;
        let at = SfDateTime::parse(text).ok()?.0;
        Some(at.format("%Y-%m-%dT%H:%M:%S").to_string())
    };
    if let (Some(start), Some(end)) = (at("StartDateTime"), at("EndDateTime")) {
        event.insert("isAllDay".into(), json!(false));
        event.insert("start".into(), zoned(start));
        event.insert("end".into(), zoned(end));
    }
}
