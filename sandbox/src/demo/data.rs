//! The demo-data file: Salesforce records (with `@ref` references between them) and a mailbox
//! (contacts, and a week of meetings placed relative to the current week, so the demo always
//! shows this week).

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use chrono::{DateTime, Datelike as _, Days, NaiveDate, NaiveTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::graph::Graph;
use crate::graph::time::{to_utc, zone};
use crate::salesforce::Salesforce;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoData {
    pub salesforce: SalesforceData,
    pub mailbox: MailboxData,
    /// The control API's switches, applied once everything is seeded.
    #[serde(default)]
    pub switches: Option<crate::control::Switches>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesforceData {
    pub org: String,
    pub api_allowance: u64,
    #[serde(default)]
    pub shared_activities: bool,
    pub records: Vec<SeedRecord>,
}

/// A record; a field value `"@ref"` stands for the Id of the record seeded with that `ref`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRecord {
    #[serde(rename = "type")]
    pub sobject: String,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub fields: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxData {
    /// The Windows zone the meetings are written in.
    pub time_zone: String,
    #[serde(default)]
    pub contacts: Vec<Value>,
    pub events: Vec<DemoEvent>,
}

/// A meeting this week: `day` 0 is Monday.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoEvent {
    pub subject: String,
    pub day: u64,
    pub start: Option<String>,
    pub minutes: Option<i64>,
    #[serde(default)]
    pub all_day: bool,
    pub location: Option<String>,
    #[serde(default)]
    pub attendees: Vec<String>,
    /// `weekly` (on its day) or `weekdays`.
    pub recurrence: Option<String>,
    #[serde(default)]
    pub private: bool,
    pub show_as: Option<String>,
}

const BUNDLED: &str = include_str!("../../demo-data.json");

impl DemoData {
    /// The demo data shipped with the sandbox.
    pub fn bundled() -> anyhow::Result<Self> {
        serde_json::from_str(BUNDLED).context("the bundled demo data is invalid")
    }

    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid demo data", path.display()))
    }

    /// Creates the records in order; how many.
    pub fn seed_salesforce(&self, sf: &Salesforce, org_id: &str) -> anyhow::Result<usize> {
        let mut ids: HashMap<String, String> = HashMap::new();
        for record in &self.salesforce.records {
            let mut fields = record.fields.clone();
            for value in fields.values_mut() {
                if let Some(reference) = value.as_str().and_then(|v| v.strip_prefix('@')) {
                    let id = ids
                        .get(reference)
                        .with_context(|| format!("unknown reference @{reference}"))?;
                    *value = json!(id);
                }
            }
            let id = sf
                .create_record(org_id, &record.sobject, Value::Object(fields))
                .with_context(|| format!("seeding {} {:?}", record.sobject, record.reference))?;
            if let Some(reference) = &record.reference {
                ids.insert(reference.clone(), id);
            }
        }
        Ok(self.salesforce.records.len())
    }

    /// Creates the contacts and this week's meetings (the week of `now` in the mailbox's own
    /// zone, as its owner's Outlook shows it): how many events, and that week's Monday.
    pub fn seed_mailbox(
        &self,
        graph: &Graph,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(usize, NaiveDate)> {
        let tz = zone(&self.mailbox.time_zone).context("unknown time zone in the demo data")?;
        let today = now.with_timezone(&tz).date_naive();
        let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
        for contact in &self.mailbox.contacts {
            graph.create_contact(user_id, None, contact.clone())?;
        }
        for event in &self.mailbox.events {
            graph.create_event(user_id, event.body(monday, &self.mailbox.time_zone, tz)?)?;
        }
        Ok((self.mailbox.events.len(), monday))
    }
}

impl DemoEvent {
    fn body(&self, monday: NaiveDate, zone_name: &str, tz: chrono_tz::Tz) -> anyhow::Result<Value> {
        let date = monday + Days::new(self.day);
        let (start, end) = if self.all_day {
            (
                date.and_time(NaiveTime::MIN),
                (date + Days::new(1)).and_time(NaiveTime::MIN),
            )
        } else {
            let time = NaiveTime::parse_from_str(self.start.as_deref().unwrap_or("09:00"), "%H:%M")
                .context("start is HH:MM")?;
            let start = date.and_time(time);
            (
                start,
                start + chrono::Duration::minutes(self.minutes.unwrap_or(30)),
            )
        };
        let local = |t: chrono::NaiveDateTime| json!({ "dateTime": t.format("%Y-%m-%dT%H:%M:%S").to_string(), "timeZone": zone_name });
        let mut body = json!({
            "subject": self.subject,
            "start": local(start),
            "end": local(end),
            "isAllDay": self.all_day,
            "body": { "contentType": "html", "content": format!("<p>{}</p>", self.subject) },
            "attendees": self.attendees.iter().map(|a| json!({ "type": "required", "status": { "response": "none", "time": "0001-01-01T00:00:00Z" }, "emailAddress": { "name": display_name(a), "address": a } })).collect::<Vec<_>>(),
            "sensitivity": if self.private { "private" } else { "normal" },
            "showAs": self.show_as.as_deref().unwrap_or("busy"),
        });
        if let Some(location) = &self.location {
            body["location"] = json!({ "displayName": location, "locationType": "default" });
        }
        if let Some(kind) = &self.recurrence {
            let days: Vec<&str> = match kind.as_str() {
                "weekdays" => vec!["monday", "tuesday", "wednesday", "thursday", "friday"],
                _ => vec![weekday_name(date)],
            };
            body["recurrence"] = json!({
                "pattern": { "type": "weekly", "interval": 1, "daysOfWeek": days, "firstDayOfWeek": "sunday" },
                "range": { "type": "noEnd", "startDate": date.format("%Y-%m-%d").to_string(), "recurrenceTimeZone": zone_name },
            });
        }
        // Checks the local times exist in the zone (none falls in a daylight-saving gap).
        let _ = to_utc(start, tz);
        Ok(body)
    }
}

fn weekday_name(date: NaiveDate) -> &'static str {
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ][date.weekday().num_days_from_monday() as usize]
}

/// `jane.doe@acme.example` → `Jane Doe`, as Outlook shows an address without a name.
fn display_name(address: &str) -> String {
    address
        .split('@')
        .next()
        .unwrap_or(address)
        .split(['.', '-', '_'])
        .filter(|p| !p.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_demo_data_parses_and_its_references_resolve() {
        let data = DemoData::bundled().unwrap();
        let refs: Vec<&str> = data
            .salesforce
            .records
            .iter()
            .filter_map(|r| r.reference.as_deref())
            .collect();
        for record in &data.salesforce.records {
            for value in record.fields.values() {
                if let Some(reference) = value.as_str().and_then(|v| v.strip_prefix('@')) {
                    let earlier = data
                        .salesforce
                        .records
                        .iter()
                        .take_while(|r| !std::ptr::eq(*r, record))
                        .any(|r| r.reference.as_deref() == Some(reference));
                    assert!(
                        earlier && refs.contains(&reference),
                        "@{reference} must be seeded before it is used"
                    );
                }
            }
        }
        assert!(data.mailbox.events.iter().any(|e| e.recurrence.is_some()));
        assert!(data.mailbox.events.iter().any(|e| e.private));
        assert_eq!(display_name("jane.doe@acme.example"), "Jane Doe");
    }
}
