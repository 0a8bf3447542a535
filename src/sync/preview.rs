//! A dry run of a sync configuration for one rep: what it would create, update, relate, skip
//! and delete in Salesforce and in Outlook over its window, with the rule behind each line,
//! writing nothing anywhere (Graph and Salesforce are only read).

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use super::attendees::{self, Seen};
use super::content::Content;
use super::context;
use super::event_map::{self, Context, GraphEvent, Mapped};
use super::policy::{Deletion, Policy};
use crate::graph::delta::DeltaError;
use crate::salesforce::changes::{self, Since};
use crate::salesforce::events;
use crate::salesforce::lookup;
use crate::salesforce::session::Session;
use crate::state::AppState;
use crate::storage::event_links::{self, EventLink, salesforce_side, shared};
use crate::storage::{self, tenants, users};

/// One meeting and what the configuration would do with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Line {
    /// Where the change is written: `salesforce` or `outlook`.
    pub side: &'static str,
    /// The Outlook event (or occurrence); none for a Salesforce Event not in Outlook yet.
    pub outlook_event_id: Option<String>,
    /// `create`, `update`, `unchanged`, `skip`, `delete`, `keep`, or, for a meeting another
    /// rep's Event already holds, `invite`.
    pub action: &'static str,
    /// The rule behind it (`selected`, `selected_by_category`, `every_meeting`, `not_selected`,
    /// `no_matching_attendee`, `private`, `sync_direction_off`, `outlook_deleted`, …).
    pub because: &'static str,
    /// The Salesforce Event it touches, when there is one.
    pub salesforce_event_id: Option<String>,
    /// The Contacts and Leads it would be related to.
    pub related: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    /// Meetings the window holds (occurrences counted one by one).
    pub meetings: usize,
    pub lines: Vec<Line>,
}

#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("the rep's mailbox cannot be read")]
    Mailbox,
    #[error(transparent)]
    Graph(#[from] DeltaError),
    #[error(transparent)]
    Salesforce(#[from] crate::salesforce::session::SessionError),
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
}

/// The dry run of `settings` for `user`.
pub async fn preview(
    state: &AppState,
    settings: &serde_json::Value,
    user: &users::User,
) -> Result<Preview, PreviewError> {
    let policy = Policy::from_settings(Some(settings));
    let mailbox = context::mailbox(state, user)
        .await
        .ok_or(PreviewError::Mailbox)?;
    let window = policy.window(storage::now());
    let start = state.graph.delta_start(&mailbox, window.0, window.1);
    let meetings: Vec<GraphEvent> = state
        .graph
        .delta_round(&mailbox, &start)
        .await?
        .items
        .into_iter()
        .filter(|i| i.get("@removed").is_none())
        .filter_map(|i| serde_json::from_value(i).ok())
        .collect();
    let links: HashMap<String, EventLink> = event_links::all_for_user(&state.db, &user.id)
        .await?
        .into_iter()
        .map(|l| (l.outlook_event_id.clone(), l))
        .collect();

    let mut session = state.sessions.open(user).await?;
    let shape = events::shape(&mut session).await?;
    let fields = match tenants::find(&state.db, &user.tenant_id).await? {
        Some(tenant) => policy.email_fields(&tenant.extra_email_fields.0),
        None => policy.email_fields(&Default::default()),
    };
    let empty = EventLink::unlinked(user);
    let seen: Vec<Seen> = meetings
        .iter()
        .map(|m| attendees::seen(links.get(&m.id).unwrap_or(&empty), m, &policy))
        .collect();
    let mut wanted: Vec<_> = seen.iter().flat_map(|s| s.added.clone()).collect();
    wanted.sort();
    wanted.dedup();
    let found = lookup::cached(&mut session, &state.matches, &wanted, &fields).await?;

    let mut lines = Vec::with_capacity(meetings.len());
    for (meeting, seen) in meetings.iter().zip(&seen) {
        let link = links.get(&meeting.id);
        let base = link.unwrap_or(&empty);
        let related = attendees::relate(base, seen, &found, &policy, shape.shared_activities);
        lines.push(line(
            &policy,
            meeting,
            link,
            related.who_ids,
            shape.shared_activities,
        ));
    }
    // Linked meetings of the window that Outlook no longer lists.
    let listed: HashSet<&str> = meetings.iter().map(|m| m.id.as_str()).collect();
    for link in links.values() {
        let in_window = matches!((link.outlook_start, link.outlook_end),
            (Some(start), Some(end)) if start < window.1 && end > window.0);
        let Some(event) = &link.salesforce_event_id else {
            continue;
        };
        if link.selected && in_window && !listed.contains(link.outlook_event_id.as_str()) {
            lines.push(Line {
                side: "salesforce",
                outlook_event_id: Some(link.outlook_event_id.clone()),
                action: match policy.deleted {
                    Deletion::Delete => "delete",
                    Deletion::Keep => "keep",
                },
                because: super::decision::OUTLOOK_DELETED,
                salesforce_event_id: Some(event.clone()),
                related: Vec::new(),
            });
        }
    }
    if policy.salesforce_to_outlook {
        lines.extend(outlook_lines(state, &mut session, user, &policy).await?);
    }
    // A meeting another rep attends may be theirs already: one with attendees only, each
    // looked up once.
    let shared_uids: HashMap<&str, &str> = meetings
        .iter()
        .filter(|m| !m.attendees.is_empty())
        .filter_map(|m| Some((m.id.as_str(), m.ical_uid.as_deref()?)))
        .collect();
    for line in lines
        .iter_mut()
        .filter(|l| l.action == "create" && l.side == "salesforce")
    {
        let uid = line
            .outlook_event_id
            .as_deref()
            .and_then(|id| shared_uids.get(id));
        if let Some(uid) = uid
            && let Some(owner) = shared::owner(&state.db, &user.tenant_id, uid).await?
            && links
                .get(line.outlook_event_id.as_deref().unwrap_or_default())
                .is_none_or(|l| l.id != owner.id)
            && owner.salesforce_event_id.is_some()
        {
            line.action = "invite";
            line.because = "shared_meeting";
            line.salesforce_event_id = owner.salesforce_event_id.clone();
        }
    }
    Ok(Preview {
        meetings: meetings.len(),
        lines,
    })
}

/// What the configuration would do with one meeting of the window.
fn line(
    policy: &Policy,
    meeting: &GraphEvent,
    link: Option<&EventLink>,
    related: Vec<String>,
    shared_activities: bool,
) -> Line {
    let mut line = Line {
        side: "salesforce",
        outlook_event_id: Some(meeting.id.clone()),
        action: "skip",
        because: "not_selected",
        salesforce_event_id: link.and_then(|l| l.salesforce_event_id.clone()),
        related: Vec::new(),
    };
    let tagged = meeting_tagged(meeting, &policy.category);
    let chosen = match link {
        Some(link) if !link.by_scope => Some(link.selected),
        _ => None,
    };
    line.because = match (chosen, tagged, policy.all_meetings) {
        (Some(false), _, _) => return line,
        (Some(true), _, _) => "selected",
        (None, true, _) => "selected_by_category",
        (None, false, true) => "every_meeting",
        (None, false, false) => return line,
    };
    if !policy.outlook_to_salesforce {
        line.because = super::decision::DIRECTION_OFF;
        return line;
    }
    if line.because == "every_meeting" && related.is_empty() && line.salesforce_event_id.is_none() {
        line.because = super::decision::NO_MATCHING_ATTENDEE;
        return line;
    }
    let context = Context {
        who_ids: &related,
        what_id: link.and_then(|l| l.what_id.as_deref()),
        shared_activities,
        private: policy.private,
    };
    match event_map::map(meeting, &context) {
        Ok(Mapped::Write(fields)) => {
            let same = link.and_then(|l| l.salesforce_hash.as_deref()) == Some(&fields.hash);
            line.action = match (&line.salesforce_event_id, same) {
                (Some(_), true) => "unchanged",
                (Some(_), false) => "update",
                (None, _) => "create",
            };
            line.related = related;
        }
        Ok(Mapped::Cancelled) => {
            line.because = super::decision::OUTLOOK_CANCELLED;
            if line.salesforce_event_id.is_some() {
                line.action = match policy.deleted {
                    Deletion::Delete => "delete",
                    Deletion::Keep => "keep",
                };
            }
        }
        Ok(Mapped::Skipped(code)) => line.because = code,
        Err(_) => line.because = "unreadable_meeting",
    }
    line
}

fn meeting_tagged(meeting: &GraphEvent, category: &str) -> bool {
    meeting.categories.iter().any(|c| c == category)
}

/// A line for each of the rep's Salesforce Events in the window that Outlook would take.
async fn outlook_lines(
    state: &AppState,
    session: &mut Session,
    user: &users::User,
    policy: &Policy,
) -> Result<Vec<Line>, PreviewError> {
    let window = policy.window(storage::now());
    let read = changes::read(session, &Since::Window(window.0, window.1)).await?;
    let ids: Vec<&str> = read.iter().map(|c| c.id.as_str()).collect();
    let links = salesforce_side::find_many(&state.db, &user.id, &ids).await?;
    let mut lines = Vec::new();
    for change in &read {
        let link = links
            .iter()
            .find(|l| l.salesforce_event_id.as_deref() == Some(change.id.as_str()));
        let line = |action, because| Line {
            side: "outlook",
            outlook_event_id: link.map(|l| l.outlook_event_id.clone()),
            action,
            because,
            salesforce_event_id: Some(change.id.clone()),
            related: Vec::new(),
        };
        match link {
            // Our own write of a meeting the rep syncs, or one in step: nothing to bring.
            Some(link) if !link.selected => {}
            Some(link)
                if link.salesforce_content.as_ref().map(|c| &c.0)
                    != Some(&Content::of_fields(&change.fields))
                    && link.salesforce_content.is_some() =>
            {
                lines.push(line("update", "changed_in_salesforce"));
            }
            Some(_) => {}
            None => lines.push(line("create", "salesforce_event")),
        }
    }
    Ok(lines)
}
