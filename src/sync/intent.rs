//! The intent a create leaves before it is sent (rule 2): the hash of the fields sent, and what
//! finds that Event again without a key field (its subject and start). A retry looks for the
//! Event the intent describes, not the meeting as it is now: a meeting moved in Outlook while
//! the first write's answer was lost is found at its old time, then updated.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::event_map::EventFields;

/// The fields an Event is found again by (`salesforce::events::find_written`).
const KEY_FIELDS: [&str; 4] = ["Subject", "StartDateTime", "IsAllDayEvent", "ActivityDate"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    /// The hash of the fields the create sent.
    pub hash: String,
    /// What finds the Event it made.
    pub key: Map<String, Value>,
}

impl Intent {
    /// The intent of a create of `fields`, as recorded.
    pub fn of(fields: &EventFields) -> Self {
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
        }
    }

    /// Whether `fields` (an Event as Salesforce returns it) are what this intent's create
    /// wrote: each key field holds the recorded value (times compared as instants).
    pub fn describes(&self, fields: &Map<String, Value>) -> bool {
        let instant = |v: &Value| {
            v.as_str()
                .and_then(|t| crate::salesforce::SfDateTime::parse(t).ok())
                .map(|t| t.0)
        };
        self.key.iter().all(|(name, recorded)| {
            let Some(returned) = fields.get(name) else {
                return false;
            };
            match (instant(returned), instant(recorded)) {
                (Some(a), Some(b)) => a == b,
                _ => returned == recorded,
            }
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
            key: Self::of(current).key,
        })
    }
}
