//! What the calendar shows: single events, series masters, occurrences expanded from their
//! pattern and the exceptions that replace some of them, rendered as Graph event resources.

use chrono::{DateTime, Days, Utc};
use serde_json::{Map, Value, json};

use super::mailbox::{Event, EventKind, Mailbox, occurrence_id};
use super::recurrence::Recurrence;
use super::time::{all_day_date_time, date_time_zone, stamp, to_utc, zone};

/// One item a calendar view lists.
#[derive(Debug, Clone)]
pub struct Instance<'a> {
    pub base: &'a Event,
    pub id: String,
    pub kind: &'static str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub series_master: Option<String>,
}

impl<'a> Instance<'a> {
    /// A single event, series master or exception as itself.
    pub fn of(event: &'a Event, immutable: bool) -> Self {
        let (kind, series_master) = match &event.kind {
            EventKind::SingleInstance => ("singleInstance", None),
            EventKind::SeriesMaster(_) => ("seriesMaster", None),
            EventKind::Exception { master, .. } => ("exception", Some(master.clone())),
        };
        Self {
            base: event,
            id: event.ids.shown(immutable).to_string(),
            kind,
            start: event.start,
            end: event.end,
            series_master,
        }
    }

    pub fn overlaps(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.start < to && (self.end > from || (self.end == self.start && self.start >= from))
    }
}

/// The original starts of a series' occurrences up to `until`.
pub fn original_starts(
    master: &Event,
    recurrence: &Recurrence,
    until: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let Some(tz) = zone(&master.start_zone) else {
        return Vec::new();
    };
    let local_time = master.start.with_timezone(&tz).time();
    let last_day = until
        .with_timezone(&tz)
        .date_naive()
        .checked_add_days(Days::new(1))
        .unwrap_or(until.date_naive());
    recurrence
        .dates(last_day)
        .into_iter()
        .map(|date| to_utc(date.and_time(local_time), tz))
        .collect()
}

/// A series master's id as the caller asked ids to be shown.
pub fn shown_master(mailbox: &Mailbox, master: &str, immutable: bool) -> String {
    mailbox
        .event(master)
        .map_or(master.to_string(), |m| m.ids.shown(immutable).to_string())
}

/// An instance with its `seriesMasterId` shown as the caller asked ids to be shown.
pub fn with_shown_master<'a>(
    mut instance: Instance<'a>,
    mailbox: &Mailbox,
    immutable: bool,
) -> Instance<'a> {
    instance.series_master = instance
        .series_master
        .map(|m| shown_master(mailbox, &m, immutable));
    instance
}

/// A series' occurrences and exceptions that overlap the window.
pub fn instances_of<'a>(
    mailbox: &'a Mailbox,
    master: &'a Event,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    immutable: bool,
) -> Vec<Instance<'a>> {
    let EventKind::SeriesMaster(recurrence) = &master.kind else {
        return Vec::new();
    };
    let duration = master.end - master.start;
    let mut out = Vec::new();
    for original in original_starts(master, recurrence, to) {
        if master.cancelled.contains(&original) {
            continue;
        }
        let id = occurrence_id(&master.ids.immutable, original);
        let instance = match mailbox.exception(&id) {
            Some(exception) => Instance::of(exception, true),
            None => Instance {
                base: master,
                id,
                kind: "occurrence",
                start: original,
                end: original + duration,
                series_master: Some(master.ids.immutable.clone()),
            },
        };
        if instance.overlaps(from, to) {
            out.push(with_shown_master(instance, mailbox, immutable));
        }
    }
    // An exception moved into the window from an occurrence outside it.
    for exception in mailbox.events.iter().filter(
        |e| matches!(&e.kind, EventKind::Exception { master: m, .. } if *m == master.ids.immutable),
    ) {
        let instance = Instance::of(exception, true);
        if instance.overlaps(from, to) && !out.iter().any(|i| i.id == instance.id) {
            out.push(with_shown_master(instance, mailbox, immutable));
        }
    }
    out
}

/// Every single event, occurrence and exception overlapping the window, by start.
pub fn window<'a>(
    mailbox: &'a Mailbox,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    immutable: bool,
) -> Vec<Instance<'a>> {
    let mut out = Vec::new();
    for event in &mailbox.events {
        match event.kind {
            EventKind::SingleInstance => {
                let instance = Instance::of(event, immutable);
                if instance.overlaps(from, to) {
                    out.push(instance);
                }
            }
            EventKind::SeriesMaster(_) => {
                out.extend(instances_of(mailbox, event, from, to, immutable))
            }
            EventKind::Exception { .. } => {}
        }
    }
    out.sort_by_key(|i| (i.start, i.id.clone()));
    out
}

/// How to render: the zone to show times in, which ids, which properties, which extended
/// properties to expand.
#[derive(Debug, Clone, Default)]
pub struct Render {
    pub time_zone: Option<String>,
    pub select: Option<Vec<String>>,
    pub expand_extended: Option<String>,
}

pub fn etag(change_key: &str) -> String {
    format!("W/\"{change_key}\"")
}

/// An instance as Graph renders an event.
pub fn event_json(instance: &Instance<'_>, mailbox: &Mailbox, render: &Render) -> Value {
    let event = instance.base;
    let shown_zone = render.time_zone.clone().unwrap_or_else(|| "UTC".into());
    let shown_time = |t: DateTime<Utc>, own_zone: &str| {
        if event.is_all_day {
            all_day_date_time(t, own_zone, &shown_zone)
        } else {
            date_time_zone(t, &shown_zone)
        }
    };
    let mut out = Map::new();
    out.insert("@odata.etag".into(), json!(etag(&event.change_key)));
    out.insert("id".into(), json!(instance.id));
    let defaults = json!({
        "createdDateTime": stamp(event.created),
        "lastModifiedDateTime": stamp(event.modified),
        "changeKey": event.change_key,
        "categories": [],
        "transactionId": null,
        "originalStartTimeZone": event.start_zone,
        "originalEndTimeZone": event.end_zone,
        "iCalUId": if instance.kind == "occurrence" { format!("{}-{}", event.ical_uid, instance.start.timestamp()) } else { event.ical_uid.clone() },
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": true,
        "hasAttachments": false,
        "subject": "",
        "bodyPreview": body_preview(event),
        "importance": "normal",
        "sensitivity": "normal",
        "isAllDay": event.is_all_day,
        "isCancelled": false,
        "isOrganizer": true,
        "responseRequested": true,
        "seriesMasterId": instance.series_master,
        "showAs": "busy",
        "type": instance.kind,
        "webLink": format!("https://outlook.office365.com/owa/?itemid={}&exvsurl=1&path=/calendar/item", instance.id),
        "onlineMeetingUrl": null,
        "isOnlineMeeting": false,
        "onlineMeetingProvider": "unknown",
        "allowNewTimeProposals": true,
        "isDraft": false,
        "hideAttendees": false,
        "responseStatus": { "response": "organizer", "time": "0001-01-01T00:00:00Z" },
        "body": { "contentType": "html", "content": "" },
        "start": shown_time(instance.start, &event.start_zone),
        "end": shown_time(instance.end, &event.end_zone),
        "location": { "displayName": "", "locationType": "default", "uniqueIdType": "unknown", "address": {}, "coordinates": {} },
        "locations": [],
        "recurrence": null,
        "attendees": [],
        "organizer": { "emailAddress": { "name": mailbox.display_name, "address": mailbox.upn } },
        "onlineMeeting": null,
    });
    if let Value::Object(defaults) = defaults {
        for (key, value) in defaults {
            let computed = matches!(
                key.as_str(),
                "start" | "end" | "type" | "seriesMasterId" | "iCalUId" | "bodyPreview"
            );
            let given = event.props.get(&key).filter(|_| !computed);
            out.insert(key, given.cloned().unwrap_or(value));
        }
    }
    out.insert("uid".into(), json!(event.ical_uid));
    out.insert("occurrenceId".into(), shown_occurrence_id(instance, event));
    for (key, value) in &event.props {
        out.entry(key.clone()).or_insert_with(|| value.clone());
    }
    if instance.kind != "seriesMaster" {
        out.insert("recurrence".into(), Value::Null);
    }
    if let Some(filter_id) = &render.expand_extended {
        let matching: Vec<Value> = event
            .extended
            .iter()
            .filter(|(id, _)| id.eq_ignore_ascii_case(filter_id))
            .map(|(id, value)| json!({ "id": id, "value": value }))
            .collect();
        if !matching.is_empty() {
            out.insert("singleValueExtendedProperties".into(), json!(matching));
        }
    }
    if let Some(select) = &render.select {
        out.retain(|key, _| {
            key == "id"
                || key == "@odata.etag"
                || key == "singleValueExtendedProperties"
                || select.iter().any(|s| s.eq_ignore_ascii_case(key))
        });
    }
    Value::Object(out)
}

/// An occurrence's or exception's `occurrenceId`: `OID.{series master's id}.{the date it was
/// first due on, in the series' zone}`, as Graph shows it (null for a single event or a master).
/// The series' `uid` is shared by the master, its occurrences and its exceptions; for a single
/// event it is its own (our reading of v1.0's `uid`: the docs name only the series case).
fn shown_occurrence_id(instance: &Instance<'_>, event: &Event) -> Value {
    let original = match &event.kind {
        EventKind::Exception { original_start, .. } => *original_start,
        _ if instance.kind == "occurrence" => instance.start,
        _ => return Value::Null,
    };
    let Some(master) = &instance.series_master else {
        return Value::Null;
    };
    let day = super::time::zone(&event.start_zone).map_or(original.date_naive(), |tz| {
        original.with_timezone(&tz).date_naive()
    });
    json!(format!("OID.{master}.{day}"))
}

fn body_preview(event: &Event) -> String {
    let content = event
        .props
        .get("body")
        .and_then(|b| b["content"].as_str())
        .unwrap_or_default();
    let mut text = String::new();
    let mut in_tag = false;
    for c in content.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(255)
        .collect()
}
