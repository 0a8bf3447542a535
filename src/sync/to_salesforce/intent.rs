//! The intent a create leaves before it is sent (rule 2): the hash of the fields sent, when it
//! was sent, and what tells its Event apart without a key field (subject, start, end, all-day
//! date and length, location). A retry looks for the Event the intent describes, not the
//! meeting as it is now: a meeting moved in Outlook while the first write's answer was lost is
//! found at its old time, then updated.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::salesforce::SfDateTime;
use crate::sync::model::event_map::EventFields;

/// The fields an Event is found again by (`salesforce::events::find_written`).
pub const KEY_FIELDS: [&str; 7] = [
    "Subject",
    "StartDateTime",
    "EndDateTime",
    "IsAllDayEvent",
    "ActivityDate",
    "DurationInMinutes",
    "Location",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    /// The hash of the fields the create sent.
    pub hash: String,
    /// What finds the Event it made.
    pub key: Map<String, Value>,
    /// When the create was sent: its Event was created at or after it. `None` for an intent
    /// recorded before intents said when.
    #[serde(default)]
    pub sent_at: Option<DateTime<Utc>>,
}

impl Intent {
    /// The intent of a create of `fields`, sent `now`.
    pub fn of(fields: &EventFields, now: DateTime<Utc>) -> Self {
        let key = KEY_FIELDS
            .iter()
            .filter_map(|name| {
                let value = fields.fields.get(*name)?;
                Some(((*name).to_string(), value.clone()))
            })
            .collect();
        Self {
            hash: fields.hash.clone(),
            key,
            sent_at: Some(now),
        }
    }

    /// Whether `fields` (an Event as Salesforce returns it) are what this intent's create
    /// wrote: each key field holds the recorded value (times compared as instants, empty text
    /// as null).
    pub fn describes(&self, fields: &Map<String, Value>) -> bool {
        self.key.iter().all(|(name, recorded)| {
            let returned = fields.get(name).unwrap_or(&Value::Null);
            same_value(returned, recorded)
        })
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// An intent as recorded. One recorded before intents carried their key (a bare hash)
    /// is taken as a create of `current`, as it was then looked for.
    pub fn read(recorded: &str, current: &EventFields) -> Self {
        serde_json::from_str(recorded).unwrap_or_else(|_| Self {
            hash: recorded.to_string(),
            key: Self::of(current, Utc::now()).key,
            sent_at: None,
        })
    }
}

/// Two values of one Event field alike as Salesforce stores them.
fn same_value(returned: &Value, recorded: &Value) -> bool {
    let instant = |v: &Value| {
        v.as_str()
            .filter(|t| t.len() > 10)
            .and_then(|t| SfDateTime::parse(t).ok())
            .map(|t| t.0)
    };
    let text = |v: &Value| match v {
        Value::Null => Some(String::new()),
        Value::String(s) => Some(s.trim().to_string()),
        _ => None,
    };
    if let (Some(a), Some(b)) = (instant(returned), instant(recorded)) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (text(returned), text(recorded)) {
        // A date returned as a date-time's first ten characters compares as the date.
        return a == b || (a.len() >= 10 && b.len() == 10 && a[..10] == b);
    }
    match (returned.as_f64(), recorded.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() < f64::EPSILON,
        _ => returned == recorded,
    }
}
