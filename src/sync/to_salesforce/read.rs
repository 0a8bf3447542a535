//! The read phase: what a run knows of each link's meeting. Outlook's own meeting, read from
//! Graph (its body as text), is the truth (rule 10); the pane's view only fills what Graph has
//! not caught up with yet, field by field, and only fields the pane really knows.
//!
//! - Graph knows the meeting: Graph's event, with the pane's newer view over it when the pane
//!   asked for this run and sent its view after Graph last changed the event (an organizer's
//!   unsaved edits). A write that used the pane's view is checked against Outlook's own a
//!   moment later (`Cause::Confirm`), so a view the organizer discarded never stays.
//! - Graph does not know it yet (saved a moment ago), or the sync has no way into the mailbox,
//!   or Graph refuses the read (401, 403): the pane's view alone, a deliberate fallback the
//!   log names; the next Graph read corrects it.
//! - Graph showed it before and knows it no more: deleted.
//! - Graph failing in passing (a timeout, a 5xx, throttling) is an error: the run waits and
//!   reads again, never writes the pane's partial view instead.
//! - An event Graph sends that cannot be read fails the link with its code, logged.

use chrono::{DateTime, Utc};

use super::super::context::Mailbox;
use super::super::error::SyncError;
use super::super::model::codes::LinkCode;
use super::super::model::event_map::{
    Attendee, AttendeeAddress, GraphEvent, Location, MapError, ZonedTime,
};
use super::super::model::history::Cause;
use super::super::model::zones::{self, TimeError};
use crate::graph::events::ReadError;
use crate::meeting::Meeting as PaneView;
use crate::state::AppState;
use crate::storage::event_links::EventLink;

/// What a run knows of a link's meeting.
#[derive(Debug, Clone)]
pub enum Meeting {
    /// The rep stopped syncing it: nothing is read.
    Unselected,
    Found {
        event: Box<GraphEvent>,
        from: Source,
    },
    /// Graph showed it before and knows it no more.
    Deleted,
    /// Neither Graph nor the pane shows it.
    Unknown,
    /// It was shown in a form the sync cannot read (the code says how), and the time zone
    /// nobody knows, when that is why.
    Unreadable(LinkCode, Option<String>),
}

/// Where a found meeting's fields come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Graph,
    /// Graph's event with the pane's newer view over some of its fields.
    GraphAndPane,
    /// The pane's view alone.
    Pane,
}

impl Meeting {
    pub fn unreadable(error: &MapError) -> Self {
        Self::Unreadable(error.code(), error.time_zone().map(str::to_string))
    }
}

/// The link's meeting, as the run should write it.
pub async fn meeting(
    state: &AppState,
    mailbox: &Mailbox,
    link: &EventLink,
    cause: Cause,
) -> Result<Meeting, SyncError> {
    if !link.selected {
        return Ok(Meeting::Unselected);
    }
    let token = match mailbox {
        Mailbox::Open(token) => token,
        Mailbox::Closed(code) => {
            tracing::warn!(link = %link.id, why = %code, "no way into the rep's mailbox: the pane's view of the meeting is written");
            return Ok(pane_only(link));
        }
    };
    let read = match state.graph.event(token, &link.outlook_event_id).await {
        Ok(read) => read,
        Err(ReadError::Status(status @ (401 | 403))) => {
            tracing::warn!(link = %link.id, status, "Graph refused to show the meeting: the pane's view of it is written");
            return Ok(pane_only(link));
        }
        Err(error) => return Err(error.into()),
    };
    let Some(value) = read else {
        if link.outlook_change_key.is_some() {
            return Ok(Meeting::Deleted);
        }
        // Not in Graph yet (saved a moment ago): the pane's view, until a round brings it.
        return Ok(pane_only(link));
    };
    let event = match serde_json::from_value::<GraphEvent>(value) {
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(link = %link.id, error = %error, "Graph's event could not be read");
            return Ok(Meeting::Unreadable(LinkCode::GraphEventUnreadable, None));
        }
    };
    Ok(with_pane_view(event, link, cause))
}

/// The pane's view alone, or nothing when the pane gave none.
fn pane_only(link: &EventLink) -> Meeting {
    match &link.meeting {
        Some(view) => match from_pane(&view.0) {
            Ok(event) => Meeting::Found {
                event: Box::new(event),
                from: Source::Pane,
            },
            Err(error) => Meeting::unreadable(&MapError::Time(error)),
        },
        None => Meeting::Unknown,
    }
}

/// Graph's event, with the pane's view over the fields the pane knows when the pane asked for
/// this run and its view is newer than Graph's last change.
pub fn with_pane_view(mut event: GraphEvent, link: &EventLink, cause: Cause) -> Meeting {
    let graph_changed = event
        .last_modified_date_time
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc));
    let newer = match (link.meeting_seen_at, graph_changed) {
        (Some(seen), Some(changed)) => seen > changed,
        _ => false,
    };
    let view = match &link.meeting {
        Some(view) if cause == Cause::Pane && newer => &view.0,
        _ => {
            return Meeting::Found {
                event: Box::new(event),
                from: Source::Graph,
            };
        }
    };
    let mut differs = false;
    if event.subject.as_deref() != Some(view.subject.as_str()) {
        event.subject = Some(view.subject.clone());
        differs = true;
    }
    if let Some(location) = &view.location
        && event.location.as_ref().map(|l| l.display_name.as_str()) != Some(location.as_str())
    {
        event.location = Some(Location {
            display_name: location.clone(),
        });
        differs = true;
    }
    // The time, when both say it is timed (a host without Mailbox 1.11 cannot say whether the
    // meeting is all day: Graph's all-day meeting keeps its dates).
    if !event.is_all_day && view.all_day != Some(true) {
        let (start, end) = (utc_time(view.start), utc_time(view.end));
        let same = |graph: &Option<ZonedTime>, pane: &ZonedTime| {
            graph
                .as_ref()
                .and_then(|g| zones::to_utc(&g.date_time, &g.time_zone).ok())
                == zones::to_utc(&pane.date_time, &pane.time_zone).ok()
        };
        if !same(&event.start, &start) || !same(&event.end, &end) {
            event.start = Some(start);
            event.end = Some(end);
            differs = true;
        }
    }
    Meeting::Found {
        event: Box::new(event),
        from: if differs {
            Source::GraphAndPane
        } else {
            Source::Graph
        },
    }
}

fn utc_time(at: DateTime<Utc>) -> ZonedTime {
    ZonedTime {
        date_time: at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string(),
        time_zone: "UTC".into(),
    }
}

/// The pane's view of the meeting in Graph's shape: UTC times, and an all-day meeting's dates
/// in the mailbox's zone (which must be one we know: a date is never guessed in UTC).
pub fn from_pane(view: &PaneView) -> Result<GraphEvent, TimeError> {
    let all_day = view.all_day == Some(true);
    let (start, end) = if all_day {
        let name = view.time_zone.as_deref().unwrap_or("UTC");
        let zone = zones::zone(name).ok_or_else(|| TimeError::Zone(name.to_string()))?;
        let local = |at: DateTime<Utc>| ZonedTime {
            date_time: at
                .with_timezone(&zone)
                .naive_local()
                .format("%Y-%m-%dT%H:%M:%S%.f")
                .to_string(),
            time_zone: name.to_string(),
        };
        (local(view.start), local(view.end))
    } else {
        (utc_time(view.start), utc_time(view.end))
    };
    Ok(GraphEvent {
        subject: Some(view.subject.clone()),
        start: Some(start),
        end: Some(end),
        is_all_day: all_day,
        location: view.location.as_ref().map(|l| Location {
            display_name: l.clone(),
        }),
        attendees: view
            .attendees
            .iter()
            .map(|a| Attendee {
                email_address: AttendeeAddress {
                    address: a.email.clone(),
                },
            })
            .collect(),
        ..GraphEvent::default()
    })
}
