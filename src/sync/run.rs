//! The `event.sync` job: brings one link's Salesforce Event in step with the meeting. Today it
//! writes from the meeting as the task pane last saw it (the Graph-driven path comes next).
//!
//! Exactly once (rule 2): the intent is recorded before a create; a retry that finds an intent
//! without an Id looks for the Event the earlier attempt may have written (owner, start and
//! subject) before creating one. An unchanged hash writes nothing (rule 3).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;

/// The code a queued link carries while its org's API allowance is nearly spent.
pub const BUDGET_PAUSED: &str = "salesforce_api_budget_paused";
/// The code a queued link carries while Graph has asked us to wait (429 `Retry-After`).
pub const GRAPH_THROTTLED: &str = "graph_throttled";

use super::SyncEvent;
use super::budget::{self, Budget};
use super::event_map::{self, Context, GraphEvent, Mapped};
use super::policy::{Deletion, Policy};
use crate::graph::access::MailboxToken;
use crate::graph::events::ReadError::{self, Throttled};
use crate::jobs::{Job, Permanent};
use crate::meeting::Meeting;
use crate::salesforce::session::{Session, SessionError};
use crate::salesforce::{ErrorCode, SalesforceError, events};
use crate::state::AppState;
use crate::storage::event_links::{self, EventLink, LinkState, Written};
use crate::storage::{self, sync_configs, tenants, users};

impl Job for SyncEvent {
    const KIND: &'static str = super::SYNC_EVENT;
    type Context = AppState;

    fn dedup_key(&self) -> Option<String> {
        Some(SyncEvent::dedup_key(self))
    }

    async fn run(&self, state: &AppState) -> anyhow::Result<()> {
        let user_id = crate::ids::UserId::new(self.user_id.clone());
        let Some(link) =
            event_links::find_by_outlook_id(&state.db, &user_id, &self.outlook_event_id).await?
        else {
            return Ok(());
        };
        let Some(user) = users::find(&state.db, &user_id).await? else {
            return Ok(());
        };
        let outcome = match state.sessions.open(&user).await {
            Ok(mut session) => match spend(state, &mut session).await? {
                Some(wait) => return defer(state, self, &link, wait, BUDGET_PAUSED).await,
                None => {
                    let policy = policy_for(state, &user).await?;
                    sync_link(state, &mut session, &link, &policy).await
                }
            },
            Err(error) => Err(error.into()),
        };
        if let Some(Throttled(wait)) = outcome
            .as_ref()
            .err()
            .and_then(|e| e.downcast_ref::<ReadError>())
        {
            // Graph asked us to wait: the same job, later; the link stays queued.
            let wait = *wait;
            return defer(state, self, &link, wait, GRAPH_THROTTLED).await;
        }
        match outcome {
            // The org ran out of API calls between our reading and this call: wait, as paused.
            Err(error)
                if matches!(
                    error.downcast_ref::<SessionError>(),
                    Some(SessionError::Salesforce(SalesforceError::Api {
                        code: ErrorCode::RequestLimitExceeded,
                        ..
                    }))
                ) =>
            {
                let wait = Duration::from_secs(state.settings.sync.paused_recheck_secs);
                defer(state, self, &link, wait, BUDGET_PAUSED).await
            }
            // Parked until the rep connects again (`sync::resume_parked`): the link says why
            // and the pane offers to reconnect. Nothing is dropped.
            Err(error)
                if matches!(
                    error.downcast_ref::<SessionError>(),
                    Some(SessionError::NotConnected | SessionError::ReconnectNeeded)
                ) =>
            {
                let code = Some(super::PARKED);
                event_links::set_state(
                    &state.db,
                    &link.id,
                    LinkState::Failed,
                    code,
                    storage::now(),
                )
                .await?;
                Ok(())
            }
            other => other,
        }
    }
}

/// What the org's API allowance permits now: `None` to go ahead (after a pause when little is
/// left), or how long to wait. A paused org's old reading is refreshed with one `/limits` call.
async fn spend(state: &AppState, session: &mut Session) -> anyhow::Result<Option<Duration>> {
    let settings = &state.settings.sync;
    let org = session.org_id().clone();
    let mut usage = state.salesforce.limits.get(&org);
    if let Some(seen) = usage
        && matches!(budget::judge(Some(seen), settings), Budget::Pause(_))
        && budget::stale(&seen, settings)
    {
        session.send(reqwest::Method::GET, "limits", None).await?;
        usage = state.salesforce.limits.get(&org);
    }
    match budget::judge(usage, settings) {
        Budget::Go => Ok(None),
        Budget::Slow(pause) => {
            tokio::time::sleep(pause).await;
            Ok(None)
        }
        Budget::Pause(wait) => Ok(Some(wait)),
    }
}

/// Runs the job again after `wait`; the link stays queued and says why (`code`).
async fn defer(
    state: &AppState,
    job: &SyncEvent,
    link: &EventLink,
    wait: Duration,
    code: &'static str,
) -> anyhow::Result<()> {
    let at = storage::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
    state.queue.enqueue_at(job, at).await?;
    event_links::set_state(
        &state.db,
        &link.id,
        LinkState::Pending,
        Some(code),
        storage::now(),
    )
    .await?;
    tracing::info!(link = %link.id, wait_secs = wait.as_secs(), code, "this sync waits");
    Ok(())
}

/// The policies of the sync configuration that applies to the rep.
async fn policy_for(state: &AppState, user: &users::User) -> anyhow::Result<Policy> {
    let groups: Vec<&str> = user.entra_groups.iter().map(String::as_str).collect();
    let config =
        sync_configs::resolve_for_user(&state.db, &user.tenant_id, &user.entra_object_id, &groups)
            .await?;
    Ok(Policy::from_settings(
        config.as_ref().map(|c| &c.settings.0),
    ))
}

/// Writes, updates or removes the link's Event.
async fn sync_link(
    state: &AppState,
    session: &mut Session,
    link: &EventLink,
    policy: &Policy,
) -> anyhow::Result<()> {
    if !link.selected {
        return unselect(state, session, link, policy).await;
    }
    let Some(source) = source_event(state, link).await? else {
        return Err(Permanent("neither Graph nor the pane gave the meeting".into()).into());
    };
    let shared = shared_activities(state, session).await?;
    let context = Context {
        who_ids: &link.who_ids.0,
        what_id: link.what_id.as_deref(),
        shared_activities: shared,
        private: policy.private,
    };
    let mapped = event_map::map(&source, &context).map_err(|e| Permanent(e.to_string()))?;
    match mapped {
        Mapped::Write(written) => write(state, session, link, written).await,
        Mapped::Cancelled => unselect(state, session, link, policy).await,
        Mapped::Skipped(code) => {
            event_links::set_state(
                &state.db,
                &link.id,
                LinkState::Failed,
                Some(code),
                storage::now(),
            )
            .await?;
            Ok(())
        }
    }
}

/// The meeting to write: the event as Graph has it (body, sensitivity, show-as), with what the
/// pane saw laid over it when the pane's view is the newer (an organizer's unsaved edits, a
/// meeting Graph has not caught up with); the pane's view alone when Graph cannot be asked.
async fn source_event(state: &AppState, link: &EventLink) -> anyhow::Result<Option<GraphEvent>> {
    let snapshot = link.meeting.as_ref().map(|m| as_graph_event(&m.0));
    let from_graph = match read_graph(state, link).await {
        Ok(found) => found,
        Err(Throttled(wait)) => return Err(Throttled(wait).into()),
        Err(_) => None,
    };
    let Some(graph) = from_graph else {
        return Ok(snapshot);
    };
    let Ok(mut event) = serde_json::from_value::<GraphEvent>(graph.clone()) else {
        return Ok(snapshot);
    };
    let graph_changed = graph["lastModifiedDateTime"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc));
    let pane_newer = link.state == LinkState::Pending
        && graph_changed.is_none_or(|changed| link.updated_at > changed);
    if let (Some(seen), true) = (snapshot, pane_newer) {
        event.subject = seen.subject;
        event.start = seen.start;
        event.end = seen.end;
        event.is_all_day = seen.is_all_day;
        event.location = seen.location;
    }
    Ok(Some(event))
}

/// The event from the rep's mailbox, if Graph can be asked (any Graph trouble but throttling
/// falls back to the pane's view).
async fn read_graph(
    state: &AppState,
    link: &EventLink,
) -> Result<Option<serde_json::Value>, ReadError> {
    let Some(mailbox) = mailbox(state, link).await else {
        return Ok(None);
    };
    state.graph.event(&mailbox, &link.outlook_event_id).await
}

/// A Graph token for the link's mailbox, when the tenant's access mode gives one.
async fn mailbox(state: &AppState, link: &EventLink) -> Option<MailboxToken> {
    let user = users::find(&state.db, &link.user_id).await.ok()??;
    let tenant = tenants::find(&state.db, &user.tenant_id).await.ok()??;
    state.graph.for_rep(&tenant, &user, None).await.ok()
}

/// Marks the Outlook event with its Salesforce Id (empty once unselected), so the selection
/// shows on every device. Best effort: the Salesforce side is already right, and the next
/// sync stamps again.
async fn stamp(state: &AppState, link: &EventLink, value: &str) {
    let Some(mailbox) = mailbox(state, link).await else {
        return;
    };
    if let Err(error) = state
        .graph
        .stamp_selection(&mailbox, &link.outlook_event_id, value)
        .await
    {
        tracing::info!(link = %link.id, error = %error, "the Outlook event was not marked");
    }
}

/// Whether the rep's org has Shared Activities, asked once per org and process.
async fn shared_activities(state: &AppState, session: &mut Session) -> anyhow::Result<bool> {
    let org = session.org_id().clone();
    if let Some(known) = state.shared_activities.get(&org).await {
        return Ok(known);
    }
    let shared = events::shared_activities(session).await?;
    state.shared_activities.insert(org, shared).await;
    Ok(shared)
}

/// The pane's view of the meeting in Graph's shape: UTC times, and an all-day meeting's dates
/// in the mailbox's zone.
fn as_graph_event(meeting: &Meeting) -> GraphEvent {
    let zoned = |at: DateTime<Utc>| {
        let local = meeting
            .time_zone
            .as_deref()
            .filter(|_| meeting.all_day)
            .and_then(super::zones::zone)
            .map_or(at.naive_utc(), |zone| at.with_timezone(&zone).naive_local());
        json!({
            "dateTime": local.format("%Y-%m-%dT%H:%M:%S%.f").to_string(),
            "timeZone": if meeting.all_day { meeting.time_zone.clone().unwrap_or_else(|| "UTC".into()) } else { "UTC".into() },
        })
    };
    serde_json::from_value(json!({
        "subject": meeting.subject,
        "start": zoned(meeting.start),
        "end": zoned(meeting.end),
        "isAllDay": meeting.all_day,
        "location": { "displayName": meeting.location.clone().unwrap_or_default() },
    }))
    .unwrap_or_default()
}

async fn write(
    state: &AppState,
    session: &mut Session,
    link: &EventLink,
    written: event_map::EventFields,
) -> anyhow::Result<()> {
    let db = &state.db;
    let fields = &written.fields;
    let id = match &link.salesforce_event_id {
        Some(id) if link.salesforce_hash.as_deref() == Some(written.hash.as_str()) => id.clone(),
        Some(id) => {
            events::update(session, id, fields).await?;
            id.clone()
        }
        None => {
            let earlier = match &link.write_intent {
                Some(_) => events::find_written(session, fields).await?,
                None => None,
            };
            match earlier {
                Some(id) => id,
                None => {
                    event_links::record_write_intent(db, &link.id, &written.hash, storage::now())
                        .await?;
                    events::create(session, fields).await?
                }
            }
        }
    };
    let done = Written::Salesforce {
        event_id: &id,
        hash: &written.hash,
        modstamp: "",
    };
    event_links::record_written(db, &link.id, done, storage::now()).await?;
    stamp(state, link, &id).await;
    Ok(())
}

/// Unselected or cancelled, per the deletion policy. Delete: the Event goes and the link is
/// kept, `removed`, so that selecting the meeting again writes one Event anew. Keep: the Event
/// stays and the link keeps its Id, so that selecting again updates that Event, not a second.
async fn unselect(
    state: &AppState,
    session: &mut Session,
    link: &EventLink,
    policy: &Policy,
) -> anyhow::Result<()> {
    match (policy.deleted, &link.salesforce_event_id) {
        (Deletion::Keep, Some(_)) => {
            event_links::set_state(
                &state.db,
                &link.id,
                LinkState::Removed,
                None,
                storage::now(),
            )
            .await?;
        }
        (_, id) => {
            if let Some(id) = id {
                events::delete(session, id).await?;
            }
            event_links::forget_salesforce_event(&state.db, &link.id, storage::now()).await?;
        }
    }
    stamp(state, link, "").await;
    Ok(())
}
