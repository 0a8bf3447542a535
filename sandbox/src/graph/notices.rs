//! The messages Exchange would send a meeting's attendees when its organizer's copy is
//! created (an invitation), changed in what attendees see (an update) or deleted (a
//! cancellation), with who caused them: the mailbox's owner in Outlook (`outlook`) or an
//! application. Nothing is sent for a change attendees do not see (a category, an extended
//! property). Tests read them to show that outforce never writes anything that mails anyone.

use serde_json::{Map, Value};

use super::api::Caller;
use super::mailbox::Event;

/// One message Exchange would have sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentNotice {
    pub mailbox: String,
    pub event_id: String,
    /// `invitation`, `update` or `cancellation`.
    pub kind: &'static str,
    /// The application that caused it (`outlook` for the owner in Outlook).
    pub by: String,
    pub attendees: usize,
}

/// What attendees see of a meeting: a change to any of these sends them an update.
const SEEN_BY_ATTENDEES: &[&str] = &[
    "subject",
    "start",
    "end",
    "location",
    "locations",
    "body",
    "attendees",
    "isAllDay",
    "recurrence",
    "isOnlineMeeting",
];

fn attendees(event: &Event) -> usize {
    event
        .props
        .get("attendees")
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// The notice a write sends, if any: `body` is the write's (`None` for a deletion).
pub fn of(
    mailbox: &str,
    event: &Event,
    id: &str,
    caller: &Caller,
    kind: &'static str,
    body: Option<&Map<String, Value>>,
) -> Option<SentNotice> {
    let attendees = attendees(event);
    let seen = body.is_none_or(|b| SEEN_BY_ATTENDEES.iter().any(|k| b.contains_key(*k)));
    (attendees > 0 && seen).then(|| SentNotice {
        mailbox: mailbox.to_string(),
        event_id: id.to_string(),
        kind,
        by: caller.app_id.clone(),
        attendees,
    })
}
