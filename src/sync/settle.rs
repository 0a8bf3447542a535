//! How a sync run treats what it cannot do now: the org's API allowance spent or waited for,
//! Graph's throttling and Salesforce's passing failures waited out, and a link parked while the
//! rep's connection is dead. Nothing
//! here drops a link: it waits, is parked until the rep reconnects, or its job is retried.

use std::time::Duration;

use super::SyncEvent;
use super::budget::{self, Budget};
use crate::graph::error::GraphError;
use crate::graph::events::ReadError::{self, Throttled};
use crate::salesforce::session::{Session, SessionError};
use crate::salesforce::{ErrorCode, SalesforceError};
use crate::state::AppState;
use crate::storage;
use crate::storage::event_links::{self, EventLink, LinkState};

/// The code a queued link carries while its org's API allowance is nearly spent.
pub const BUDGET_PAUSED: &str = "salesforce_api_budget_paused";
/// The code a queued link carries while Graph has asked us to wait (429 `Retry-After`).
pub const GRAPH_THROTTLED: &str = "graph_throttled";
/// The code a queued link carries while Graph fails in passing (unreachable, timed out, a 5xx):
/// the meeting is read again rather than written from the pane's partial view, which lacks the
/// body, the privacy and the free/busy that Outlook holds.
pub const GRAPH_UNAVAILABLE: &str = "graph_unavailable";
/// The code a queued link carries while Salesforce fails in passing (5xx, a locked row, a
/// dropped connection).
pub const SALESFORCE_UNAVAILABLE: &str = "salesforce_unavailable";

/// What the org's API allowance permits now: `None` to go ahead (after a pause when little is
/// left), or how long to wait. A paused org's old reading is refreshed with one `/limits` call.
pub async fn spend(state: &AppState, session: &mut Session) -> anyhow::Result<Option<Duration>> {
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

/// What becomes of a link whose run met `error`, when it is not a plain failure.
#[derive(Debug, Clone, Copy)]
pub enum Handling {
    /// Run the same job again after this wait; the link stays queued and says why.
    Wait(Duration, &'static str),
    /// Parked until the rep connects again (`sync::resume_parked`).
    Park,
}

/// A run that cannot go on yet and says how long to wait, with the code its link shows.
#[derive(Debug, thiserror::Error)]
#[error("waiting {0:?} ({1})")]
pub struct WaitFor(pub Duration, pub &'static str);

impl Handling {
    /// `None` for a failure the job's retries handle.
    pub fn of(state: &AppState, error: &anyhow::Error) -> Option<Self> {
        if let Some(WaitFor(wait, code)) = error.downcast_ref::<WaitFor>() {
            return Some(Self::Wait(*wait, code));
        }
        let transient_wait = Duration::from_secs(state.settings.sync.transient_retry_secs);
        match error.downcast_ref::<ReadError>() {
            Some(Throttled(wait)) => return Some(Self::Wait(*wait, GRAPH_THROTTLED)),
            Some(read) if read.is_transient() => {
                return Some(Self::Wait(transient_wait, GRAPH_UNAVAILABLE));
            }
            _ => {}
        }
        // Entra failed in passing while the mailbox's token was fetched.
        if error
            .downcast_ref::<GraphError>()
            .is_some_and(GraphError::is_transient)
        {
            return Some(Self::Wait(transient_wait, GRAPH_UNAVAILABLE));
        }
        match error.downcast_ref::<SessionError>()? {
            // The org ran out of API calls between our reading and this call: wait, as paused.
            SessionError::Salesforce(SalesforceError::Api {
                code: ErrorCode::RequestLimitExceeded,
                ..
            }) => {
                let wait = Duration::from_secs(state.settings.sync.paused_recheck_secs);
                Some(Self::Wait(wait, BUDGET_PAUSED))
            }
            SessionError::NotConnected | SessionError::ReconnectNeeded => Some(Self::Park),
            // Not a reason to use up the job's attempts: an outage of any length is waited out.
            SessionError::Salesforce(error) if error.is_transient() => {
                Some(Self::Wait(transient_wait, SALESFORCE_UNAVAILABLE))
            }
            _ => None,
        }
    }

    /// Carries it out for one link.
    pub async fn apply(
        self,
        state: &AppState,
        job: &SyncEvent,
        link: &EventLink,
    ) -> anyhow::Result<()> {
        match self {
            Self::Wait(wait, code) => defer(state, job, link, wait, code).await,
            // The link says why and the pane offers to reconnect. Nothing is dropped.
            Self::Park => {
                let code = Some(super::PARKED);
                let now = storage::now();
                event_links::set_state(&state.db, &link.id, LinkState::Failed, code, now).await?;
                Ok(())
            }
        }
    }
}

/// The result of one link's run that met `error`.
pub async fn settle(
    state: &AppState,
    job: &SyncEvent,
    link: &EventLink,
    error: anyhow::Error,
) -> anyhow::Result<()> {
    match Handling::of(state, &error) {
        Some(handling) => handling.apply(state, job, link).await,
        None => Err(error),
    }
}

/// The result of one of several links whose shared call met `error`.
pub async fn settle_shared(
    state: &AppState,
    job: &SyncEvent,
    link: &EventLink,
    error: &anyhow::Error,
) -> anyhow::Result<()> {
    match Handling::of(state, error) {
        Some(handling) => handling.apply(state, job, link).await,
        None => Err(anyhow::anyhow!("{error:#}")),
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
