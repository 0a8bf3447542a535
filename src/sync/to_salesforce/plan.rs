//! The plan phase: what one link needs, decided from what was read and nothing else. Pure: the
//! run ([`super::batch`]) carries a plan out, and the dry run (`sync::admin::preview`) shows
//! the same plan without carrying it out, from the same inputs read the same way.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::attendees::{self, Related};
use super::read::{Meeting, Source};
use crate::matching::{EmailAddress, Found};
use crate::salesforce::EventShape;
use crate::storage::event_links::{EventLink, LinkState};
use crate::sync::model::codes::LinkCode;
use crate::sync::model::content::Content;
use crate::sync::model::event_map::{self, Context, EventFields, GraphEvent, Mapped};
use crate::sync::model::history::Cause;
use crate::sync::model::settings::{Deletion, SyncSettings};

/// What the org has for each address the run's meetings add (`salesforce::lookup`).
pub type Lookups = HashMap<EmailAddress, Arc<Found>>;

/// What a plan is decided from.
pub struct Inputs<'a> {
    pub link: &'a EventLink,
    pub meeting: &'a Meeting,
    pub settings: &'a SyncSettings,
    /// What the org's Event offers (Shared Activities, the key field).
    pub shape: &'a EventShape,
    /// What asked for this run.
    pub cause: Cause,
    pub lookups: &'a Lookups,
    /// The link of another rep of the org that owns this meeting's Event, when one does.
    pub shared_owner: Option<&'a EventLink>,
    pub now: DateTime<Utc>,
}

/// What a link needs.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Nothing: Outlook's change is our own echo, or the decision was taken already.
    Nothing,
    /// The meeting's Event already says what Outlook says: the link is recorded as synced.
    InStep {
        event_id: String,
        write: Box<Write>,
    },
    Create(Box<Write>),
    /// Only the parts Outlook changed since both sides last agreed (rule 4).
    Update {
        event_id: String,
        write: Box<Write>,
        parts: Content,
    },
    /// Another rep of the org owns the meeting's Event: this rep is invited to it.
    Join {
        event_id: String,
    },
    /// The organizer's rep takes the meeting's Event over from the rep who wrote it.
    TakeOver {
        event_id: String,
        owner: String,
        write: Box<Write>,
    },
    /// Another rep's first write of the meeting is landing: look again in a moment.
    WaitForOwner,
    /// Left out of Salesforce this time (the link fails with the code; the history says why).
    Skip {
        code: LinkCode,
        time_zone: Option<String>,
    },
    /// It leaves the sync, its Event untouched, and says why (seen as Outlook holds it, its
    /// attendees as they were looked up).
    Drop {
        code: LinkCode,
        change_key: Option<String>,
        relations: Option<Box<Related>>,
    },
    /// It left the window or the configuration's scope: recorded, and no longer synced until
    /// it comes back; its Event stays as it was.
    LeaveScope {
        code: LinkCode,
        change_key: Option<String>,
    },
    /// Missing from Outlook, and no round said so yet: a round is asked for, which judges
    /// deletions together (the deletion circuit breaker).
    AskForRound,
    /// A selected series: its occurrences in the window get links of their own.
    ExpandSeries(Box<GraphEvent>),
    /// This rep, invited to another rep's Event of the meeting, leaves it.
    Leave(Option<LinkCode>),
    /// It leaves the sync (gone from Outlook, or unselected), its Event as the policy says.
    Remove {
        why: Removal,
        fate: Fate,
    },
}

/// Why a link leaves the sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// Cancelled or deleted in Outlook (the code says which).
    Gone(LinkCode),
    Unselected,
}

impl Removal {
    pub fn code(self) -> Option<LinkCode> {
        match self {
            Self::Gone(code) => Some(code),
            Self::Unselected => None,
        }
    }
}

/// What becomes of the Event of a link that leaves (rule 5), unless another rep still syncs
/// the meeting (then it passes to them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    Delete(String),
    /// Kept; a cancelled meeting's Event says so in its subject.
    Keep(String),
    /// There is none.
    NoEvent,
}

/// An Event's fields as Outlook says them now, and what the run learned on the way.
#[derive(Debug, Clone)]
pub struct Write {
    pub fields: EventFields,
    /// What Outlook says, part by part (relations included).
    pub content: Content,
    /// The relations once the attendees' changes are followed.
    pub relations: Related,
    pub event: Box<GraphEvent>,
    pub source: Source,
    /// It was out of the window or scope, and comes back.
    pub back_in_scope: bool,
}

/// The plan for one link.
pub fn plan(inputs: &Inputs<'_>) -> Plan {
    let (link, settings) = (inputs.link, inputs.settings);
    // The configuration sends nothing from Outlook to Salesforce: the Event (if any) stays.
    if !settings.outlook_to_salesforce() && !matches!(inputs.meeting, Meeting::Unselected) {
        // A meeting that came from Salesforce: Outlook's edits go nowhere; one deleted there
        // (once a round saw it) leaves the sync, its Event untouched.
        if link.from_salesforce {
            return match inputs.meeting {
                Meeting::Deleted if link.removal_seen => Plan::Drop {
                    code: LinkCode::OutlookDeleted,
                    change_key: None,
                    relations: None,
                },
                _ => Plan::Nothing,
            };
        }
        return Plan::Skip {
            code: LinkCode::SyncDirectionOff,
            time_zone: None,
        };
    }
    // Invited to another rep's Event of the meeting: that rep's sync writes it.
    if link.shared_event_id.is_some() {
        return match inputs.meeting {
            Meeting::Unselected => Plan::Leave(None),
            Meeting::Deleted if link.removal_seen => Plan::Leave(Some(LinkCode::OutlookDeleted)),
            Meeting::Found { event, .. } if event.is_cancelled => {
                Plan::Leave(Some(LinkCode::OutlookCancelled))
            }
            _ => Plan::Nothing,
        };
    }
    // As last written, it lies outside what the configuration syncs now: decided below, even
    // when Outlook changed nothing since.
    let written_outside = (link.by_scope && !settings.all_meetings())
        || match (link.outlook_start, link.outlook_end) {
            (Some(start), Some(end)) => !settings.in_window(inputs.now, start, end),
            _ => false,
        };
    let (event, source) = match inputs.meeting {
        Meeting::Unselected => return remove(inputs, Removal::Unselected),
        Meeting::Found { event, .. } if event.is_series_master() => {
            return Plan::ExpandSeries(event.clone());
        }
        // Outlook holds what we last synced, and the rep changed nothing since (a notice of
        // our own stamp, a poll that overlapped the sync): nothing to do (rule 3).
        Meeting::Found { event, .. }
            if link.state == LinkState::Synced
                && !written_outside
                && !matches!(inputs.cause, Cause::Configuration | Cause::Confirm)
                && event.change_key.is_some()
                && event.change_key == link.outlook_change_key =>
        {
            return Plan::Nothing;
        }
        Meeting::Found { event, from } => (event, *from),
        Meeting::Deleted if !link.removal_seen => return Plan::AskForRound,
        Meeting::Deleted => return remove(inputs, Removal::Gone(LinkCode::OutlookDeleted)),
        Meeting::Unknown => return skip(LinkCode::OutlookUnreadable),
        Meeting::Unreadable(code, time_zone) => {
            return Plan::Skip {
                code: *code,
                time_zone: time_zone.clone(),
            };
        }
    };
    // Selected by the configuration alone (`scope: all`), which no longer selects it.
    let out_of_scope = link.by_scope && !settings.all_meetings();
    let was_out = link.state == LinkState::Removed
        && matches!(
            link.last_error_code,
            Some(LinkCode::OutsideWindow | LinkCode::OutsideScope)
        );
    let seen = attendees::seen(link, event, settings);
    let relations = attendees::relate(
        link,
        &seen,
        inputs.lookups,
        settings,
        inputs.shape.shared_activities,
    );
    // Every meeting is synced (`scope: all`): one with no attendee who matches stays out.
    if link.by_scope
        && !out_of_scope
        && relations.who_ids.is_empty()
        && link.salesforce_event_id.is_none()
    {
        return Plan::Drop {
            code: LinkCode::NoMatchingAttendee,
            change_key: event.change_key.clone(),
            relations: Some(Box::new(relations)),
        };
    }
    let context = Context {
        who_ids: &relations.who_ids,
        what_id: link.what_id.as_deref(),
        shared_activities: inputs.shape.shared_activities,
        private: settings.private,
    };
    let fields = match event_map::map(event, &context) {
        Ok(Mapped::Write(fields)) => fields,
        Ok(Mapped::Cancelled) => return remove(inputs, Removal::Gone(LinkCode::OutlookCancelled)),
        Ok(Mapped::Skipped(code)) => return skip(code),
        Err(error) => {
            return Plan::Skip {
                code: error.code(),
                time_zone: error.time_zone().map(str::to_string),
            };
        }
    };
    let (start, end) = fields.span;
    let outside = if out_of_scope {
        Some(LinkCode::OutsideScope)
    } else if !settings.in_window(inputs.now, start, end) {
        Some(LinkCode::OutsideWindow)
    } else {
        None
    };
    if let Some(code) = outside {
        return if was_out && link.last_error_code == Some(code) {
            Plan::Nothing
        } else {
            Plan::LeaveScope {
                code,
                change_key: event.change_key.clone(),
            }
        };
    }
    let write = Box::new(Write {
        content: fields.content(),
        fields,
        relations,
        event: event.clone(),
        source,
        back_in_scope: was_out,
    });
    match &link.salesforce_event_id {
        Some(event_id) => {
            let base = link.outlook_content.as_ref().map(|c| &c.0);
            let parts = match base {
                Some(base) => write.content.beyond(base),
                // Never written with each side's content kept: all of it.
                None => write.content.clone(),
            };
            if parts.is_empty() {
                Plan::InStep {
                    event_id: event_id.clone(),
                    write,
                }
            } else {
                Plan::Update {
                    event_id: event_id.clone(),
                    write,
                    parts,
                }
            }
        }
        None => shared_or_create(inputs, write),
    }
}

/// A meeting another rep of the org syncs already gets their Event, never a second one.
fn shared_or_create(inputs: &Inputs<'_>, write: Box<Write>) -> Plan {
    let owner = inputs
        .shared_owner
        .filter(|owner| owner.id != inputs.link.id && !write.event.attendees.is_empty());
    let Some(owner) = owner else {
        return Plan::Create(write);
    };
    // The owner stopped before writing: this rep takes the meeting (the run's claim decides).
    if !owner.selected {
        return Plan::Create(write);
    }
    let Some(event_id) = owner.salesforce_event_id.clone() else {
        return Plan::WaitForOwner;
    };
    if write.event.is_organizer == Some(true) && !owner.is_organizer {
        return Plan::TakeOver {
            event_id,
            owner: owner.id.clone(),
            write,
        };
    }
    Plan::Join { event_id }
}

fn skip(code: LinkCode) -> Plan {
    Plan::Skip {
        code,
        time_zone: None,
    }
}

/// The link leaves the sync; its Event is deleted or kept as the policy says.
fn remove(inputs: &Inputs<'_>, why: Removal) -> Plan {
    let link = inputs.link;
    // Already done (a later notice of the same deletion): the decision is not taken twice.
    if let Removal::Gone(code) = why
        && link.state == LinkState::Removed
        && link.last_error_code == Some(code)
    {
        return Plan::Nothing;
    }
    let fate = match (&link.salesforce_event_id, inputs.settings.deleted) {
        (Some(id), Deletion::Delete) => Fate::Delete(id.clone()),
        (Some(id), Deletion::Keep) => Fate::Keep(id.clone()),
        (None, _) => Fate::NoEvent,
    };
    Plan::Remove { why, fate }
}
