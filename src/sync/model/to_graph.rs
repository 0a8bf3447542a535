//! A meeting's content as Graph writes it to an Outlook event, and the paragraph naming the
//! Event's relations that the sync adds to an event it made from Salesforce. Pure.

use serde_json::{Map, Value, json};

use super::content::{Content, Part};
use crate::salesforce::datetime::SfDateTime;

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
