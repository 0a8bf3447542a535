//! A dry run of a sync configuration for one rep: what it would create, update, relate, skip
//! and delete in Salesforce and in Outlook over its window, with the rule behind each line,
//! writing nothing anywhere (Graph and Salesforce are only read). Each meeting is read as the
//! run reads it (Graph's event, its body as text) and decided by the run's own plan
//! ([`crate::sync::to_salesforce::plan::plan`]), so what the preview lists is what the run does.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use crate::graph::delta::DeltaError;
use crate::salesforce::changes::{self, Since};
use crate::salesforce::events;
use crate::salesforce::lookup;
use crate::salesforce::session::Session;
use crate::state::AppState;
use crate::storage::event_links::{self, EventLink, LinkState, salesforce_side, shared};
use crate::storage::{self, tenants, users};
use crate::sync::context::{self, Mailbox};
use crate::sync::model::codes::LinkCode;
use crate::sync::model::content::Content;
use crate::sync::model::event_map::GraphEvent;
use crate::sync::model::history::{Cause, Rule};
use crate::sync::model::settings::SyncSettings;
use crate::sync::to_salesforce::plan::{self, Fate, Inputs, Plan, Removal};
use crate::sync::to_salesforce::read::{Meeting, Source};

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
    /// The rule behind it: how the meeting is selected (`selected`, `selected_by_category`,
    /// `every_meeting`, `not_selected`), or a link's code (`no_matching_attendee`, `private`,
    /// `sync_direction_off`, `outlook_deleted`, `outside_window`, …), or `shared_meeting`,
    /// `organizer`, `unselected`, `changed_in_salesforce`, `salesforce_event`.
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

/// How a meeting would be selected.
fn selection(
    link: Option<&EventLink>,
    event: &GraphEvent,
    settings: &SyncSettings,
) -> &'static str {
    let tagged = event.categories.contains(&settings.category);
    match link {
        Some(link) if !link.by_scope && link.selected => "selected",
        Some(link) if !link.by_scope => "not_selected",
        _ if tagged => "selected_by_category",
        _ if settings.all_meetings() => "every_meeting",
        _ => "not_selected",
    }
}

/// The dry run of `settings` for `user`.
pub async fn preview(
    state: &AppState,
    settings: &SyncSettings,
    user: &users::User,
) -> Result<Preview, PreviewError> {
    let mailbox = match context::mailbox(state, user).await {
        Ok(Mailbox::Open(token)) => token,
        Ok(Mailbox::Closed(_)) | Err(_) => return Err(PreviewError::Mailbox),
    };
    let now = storage::now();
    let window = settings.window(now);
    let start = state.graph.delta_start(&mailbox, window.0, window.1);
    let items: Vec<serde_json::Value> = state
        .graph
        .delta_round(&mailbox, &start)
        .await?
        .items
        .into_iter()
        .filter(|i| i.get("@removed").is_none())
        .collect();
    let links: HashMap<String, EventLink> = event_links::all_for_user(&state.db, &user.id)
        .await?
        .into_iter()
        .map(|l| (l.outlook_event_id.clone(), l))
        .collect();

    let mut session = state.sessions.open(user).await?;
    let shape = events::shape(&mut session).await?;

    // Each meeting read as the run reads it, with the link the run would have for it.
    let mut meetings: Vec<(&'static str, EventLink, Meeting)> = Vec::with_capacity(items.len());
    for item in &items {
        let id = item["id"].as_str().unwrap_or_default();
        let existing = links.get(id);
        let meeting = match serde_json::from_value::<GraphEvent>(item.clone()) {
            Ok(event) => Meeting::Found {
                event: Box::new(event),
                from: Source::Graph,
            },
            Err(error) => {
                tracing::warn!(user = %user.id, error = %error, "a meeting of the round could not be read");
                Meeting::Unreadable(LinkCode::GraphEventUnreadable, None)
            }
        };
        let because = match &meeting {
            Meeting::Found { event, .. } => selection(existing, event, settings),
            _ => "not_selected",
        };
        let mut link = existing.cloned().unwrap_or_else(|| {
            let mut link = EventLink::unlinked(user);
            link.outlook_event_id = id.to_string();
            link.by_scope = because == "every_meeting";
            link
        });
        link.selected = because != "not_selected";
        meetings.push((because, link, meeting));
    }
    let fields = match tenants::find(&state.db, &user.tenant_id).await? {
        Some(tenant) => settings.email_fields(&tenant.extra_email_fields.0),
        None => settings.email_fields(&Default::default()),
    };
    let mut wanted: Vec<_> = meetings
        .iter()
        .flat_map(|(_, link, meeting)| match meeting {
            Meeting::Found { event, .. } if link.selected => {
                crate::sync::to_salesforce::seen(link, event, settings).added
            }
            _ => Vec::new(),
        })
        .collect();
    wanted.sort();
    wanted.dedup();
    let lookups = lookup::cached(&mut session, &state.matches, &wanted, &fields).await?;

    let mut lines = Vec::with_capacity(meetings.len());
    for (because, link, meeting) in &meetings {
        let outlook_event_id = Some(link.outlook_event_id.clone());
        if !link.selected {
            lines.push(Line {
                side: "salesforce",
                outlook_event_id,
                action: "skip",
                because,
                salesforce_event_id: link.salesforce_event_id.clone(),
                related: Vec::new(),
            });
            continue;
        }
        let owner = shared_owner(state, user, link, meeting).await?;
        let plan = plan::plan(&Inputs {
            link,
            meeting,
            settings,
            shape: &shape,
            cause: Cause::Configuration,
            lookups: &lookups,
            shared_owner: owner.as_ref(),
            now,
        });
        lines.push(line(link, because, plan));
    }
    // Linked meetings of the window that Outlook no longer lists: the round sees them go.
    let listed: HashSet<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
    for link in links.values() {
        let in_window = matches!((link.outlook_start, link.outlook_end),
            (Some(start), Some(end)) if start < window.1 && end > window.0);
        if link.selected
            && link.salesforce_event_id.is_some()
            && in_window
            && !listed.contains(link.outlook_event_id.as_str())
        {
            let mut gone = link.clone();
            gone.removal_seen = true;
            let plan = plan::plan(&Inputs {
                link: &gone,
                meeting: &Meeting::Deleted,
                settings,
                shape: &shape,
                cause: Cause::Configuration,
                lookups: &lookups,
                shared_owner: None,
                now,
            });
            lines.push(line(&gone, "selected", plan));
        }
    }
    if settings.salesforce_to_outlook() {
        lines.extend(outlook_lines(state, &mut session, user, settings).await?);
    }
    Ok(Preview {
        meetings: items.len(),
        lines,
    })
}

/// The link of another rep whose Event holds the meeting, as the run reads it.
async fn shared_owner(
    state: &AppState,
    user: &users::User,
    link: &EventLink,
    meeting: &Meeting,
) -> Result<Option<EventLink>, PreviewError> {
    let Meeting::Found { event, .. } = meeting else {
        return Ok(None);
    };
    let uid = event.ical_uid.as_deref().filter(|u| !u.is_empty());
    match (uid, &link.salesforce_event_id, event.attendees.is_empty()) {
        (Some(uid), None, false) => Ok(shared::owner(&state.db, &user.tenant_id, uid).await?),
        _ => Ok(None),
    }
}

/// A plan as the preview shows it.
fn line(link: &EventLink, selected: &'static str, plan: Plan) -> Line {
    let mut line = Line {
        side: "salesforce",
        outlook_event_id: Some(link.outlook_event_id.clone()),
        action: "unchanged",
        because: selected,
        salesforce_event_id: link.salesforce_event_id.clone(),
        related: Vec::new(),
    };
    let with = |action, because: &'static str| (action, because);
    let (action, because) = match plan {
        // An invitee's link: the owner's sync writes the meeting.
        Plan::Nothing if link.shared_event_id.is_some() => {
            line.salesforce_event_id = link.shared_event_id.clone();
            with("invite", Rule::SharedMeeting.as_str())
        }
        Plan::Nothing | Plan::ExpandSeries(_) | Plan::AskForRound => with("unchanged", selected),
        Plan::InStep { write, .. } => {
            line.related = write.relations.who_ids.clone();
            with("unchanged", selected)
        }
        Plan::Create(write) => {
            line.related = write.relations.who_ids.clone();
            with("create", selected)
        }
        Plan::Update { write, .. } => {
            line.related = write.relations.who_ids.clone();
            with("update", selected)
        }
        Plan::TakeOver {
            event_id, write, ..
        } => {
            line.related = write.relations.who_ids.clone();
            line.salesforce_event_id = Some(event_id);
            with("update", Rule::Organizer.as_str())
        }
        Plan::Join { event_id } => {
            line.salesforce_event_id = Some(event_id);
            with("invite", Rule::SharedMeeting.as_str())
        }
        Plan::WaitForOwner => with("invite", Rule::SharedMeeting.as_str()),
        Plan::Skip { code, .. } | Plan::Drop { code, .. } | Plan::LeaveScope { code, .. } => {
            with("skip", code.as_str())
        }
        Plan::Leave(code) => with(
            "skip",
            code.map_or(Rule::Unselected.as_str(), LinkCode::as_str),
        ),
        Plan::Remove { why, fate } => {
            let because = match why {
                Removal::Gone(code) => code.as_str(),
                Removal::Unselected => Rule::Unselected.as_str(),
            };
            match fate {
                Fate::Delete(_) => with("delete", because),
                Fate::Keep(_) => with("keep", because),
                Fate::NoEvent => with("skip", because),
            }
        }
    };
    line.action = action;
    line.because = because;
    line
}

/// A line for each of the rep's Salesforce Events in the window that Outlook would take.
async fn outlook_lines(
    state: &AppState,
    session: &mut Session,
    user: &users::User,
    settings: &SyncSettings,
) -> Result<Vec<Line>, PreviewError> {
    let window = settings.window(storage::now());
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
            Some(link) if !link.selected || link.state == LinkState::Removed => {}
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
