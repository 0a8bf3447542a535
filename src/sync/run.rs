//! The `event.sync` job around one link's run (`sync::link`): the rep's Salesforce session,
//! the org's API allowance spent or waited for, Graph's throttling waited out, and a link
//! parked while the rep's connection is dead.

use std::time::Duration;

/// The code a queued link carries while its org's API allowance is nearly spent.
pub const BUDGET_PAUSED: &str = "salesforce_api_budget_paused";
/// The code a queued link carries while Graph has asked us to wait (429 `Retry-After`).
pub const GRAPH_THROTTLED: &str = "graph_throttled";

use super::SyncEvent;
use super::budget::{self, Budget};
use super::context;
use super::link::Run;
use crate::graph::events::ReadError::{self, Throttled};
use crate::jobs::Job;
use crate::salesforce::session::{Session, SessionError};
use crate::salesforce::{ErrorCode, SalesforceError};
use crate::state::AppState;
use crate::storage::event_links::{self, EventLink, LinkState};
use crate::storage::{self, users};

impl Job for SyncEvent {
    const KIND: &'static str = super::SYNC_EVENT;
    type Context = AppState;

    /// One pending sync per link: a second change before it runs is covered by the first.
    fn dedup_key(&self) -> Option<String> {
        Some(format!("{}/{}", self.user_id, self.outlook_event_id))
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
                    let run = Run {
                        state,
                        link: &link,
                        policy: context::policy_for(state, &user).await?,
                        mailbox: context::mailbox(state, &user).await,
                    };
                    run.sync(&mut session).await
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
