//! A meeting as the task pane saw it through Office.js: what the sync can act on before
//! Microsoft Graph has the change (an organizer's unsent edits, a meeting saved a second ago).
//! Checked here, once, against the limits Salesforce puts on an Event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::matching::EmailAddress;

/// Salesforce's limit on an Event's `Subject` and `Location`.
const MAX_TEXT: usize = 255;
/// Outlook's limit on a meeting's attendees.
const MAX_ATTENDEES: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Meeting {
    #[schema(example = "Quarterly review")]
    pub subject: String,
    /// The start, as an instant (Office.js gives a `Date`; the pane sends it in ISO 8601).
    #[schema(value_type = String, format = DateTime, example = "2026-12-03T14:00:00Z")]
    pub start: DateTime<Utc>,
    #[schema(value_type = String, format = DateTime, example = "2026-12-03T15:00:00Z")]
    pub end: DateTime<Utc>,
    /// The mailbox's time zone (`Office.context.mailbox.userProfile.timeZone`), Windows or IANA.
    #[serde(default)]
    #[schema(example = "W. Europe Standard Time")]
    pub time_zone: Option<String>,
    /// Whether it lasts all day; left out by a host that cannot say (Mailbox before 1.11).
    #[serde(default)]
    pub all_day: Option<bool>,
    /// Left out when the pane could not read it: Outlook's own then stands.
    #[serde(default)]
    pub location: Option<String>,
    /// Required and optional attendees, and the organizer.
    #[serde(default)]
    pub attendees: Vec<MeetingAttendee>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingAttendee {
    #[schema(example = "jane.doe@acme.example")]
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// A field of the meeting that cannot be synced: its path and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> Invalid {
    Invalid {
        field: field.into(),
        message: message.into(),
    }
}

impl Meeting {
    /// Checks the meeting (fields named under `meeting.`); addresses come back lower-cased.
    pub fn checked(mut self) -> Result<Self, Invalid> {
        if self.subject.chars().count() > MAX_TEXT {
            return Err(invalid(
                "meeting.subject",
                "at most 255 characters (Salesforce's limit on an Event's subject)",
            ));
        }
        if self.end < self.start {
            return Err(invalid("meeting.end", "the end is before the start"));
        }
        if self
            .location
            .as_ref()
            .is_some_and(|l| l.chars().count() > MAX_TEXT)
        {
            return Err(invalid(
                "meeting.location",
                "at most 255 characters (Salesforce's limit on an Event's location)",
            ));
        }
        if self
            .time_zone
            .as_ref()
            .is_some_and(|z| z.is_empty() || z.len() > 64)
        {
            return Err(invalid(
                "meeting.time_zone",
                "a time zone name, 1 to 64 characters",
            ));
        }
        if self.attendees.len() > MAX_ATTENDEES {
            return Err(invalid("meeting.attendees", "at most 500 attendees"));
        }
        for (index, attendee) in self.attendees.iter_mut().enumerate() {
            let email = EmailAddress::parse(&attendee.email)
                .map_err(|problem| invalid(format!("meeting.attendees[{index}].email"), problem))?;
            attendee.email = email.as_str().to_string();
        }
        Ok(self)
    }
}
