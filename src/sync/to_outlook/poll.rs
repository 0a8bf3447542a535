//! The `salesforce.poll` job (Salesforce → Outlook, when the rep's configuration says so): the
//! rep's Salesforce Events changed since the cursor, in one query, each brought to Outlook
//! ([`super::apply`]): a new one made in the rep's calendar, a changed one's changes merged
//! into its Outlook event, a deleted one unlinked (and its Outlook event deleted only when the
//! policy says so). The cursor moves past a change only once it is carried out: a crash, a
//! wait or a failure loses nothing, and carrying one out again changes nothing (rule 3).

use std::collections::HashMap;

use chrono::Duration;

use super::apply::{Outcome, ToOutlook, creates_in_flight};
use crate::ids::UserId;
use crate::jobs::Job;
use crate::salesforce::changes::{self, Since};
use crate::state::AppState;
use crate::storage::event_links::{EventLink, salesforce_side};
use crate::storage::mailbox_watches;
use crate::sync::context::{self, Mailbox};
use crate::sync::error::{Delay, SyncError};
use crate::sync::jobs::PollSalesforce;
use crate::sync::model::codes::WatchCode;
use crate::sync::to_salesforce::budget;

impl Job for PollSalesforce {
    const KIND: &'static str = "salesforce.poll";
    type Context = AppState;

    /// One pending read per rep.
    fn dedup_key(&self) -> Option<String> {
        Some(self.user_id.to_string())
    }

    async fn run(&self, state: &AppState) -> anyhow::Result<()> {
        run(state, &self.user_id).await
    }
}

/// The `salesforce.poll` job's work.
pub async fn run(state: &AppState, user_id: &UserId) -> anyhow::Result<()> {
    let Some(context::Reading {
        user,
        watch,
        settings,
        now,
        next,
        ..
    }) = context::reading(state, user_id).await?
    else {
        return Ok(());
    };
    let record = |cursor, at, code: Option<WatchCode>| {
        mailbox_watches::record_salesforce_read(&state.db, user_id, cursor, at, code, now)
    };
    // When a failure in passing lets the read go on (a code for the rep's status).
    let soon = |delay: Delay| {
        let secs = match delay {
            Delay::For(wait) => wait.as_secs(),
            Delay::Transient => state.settings.sync.transient_retry_secs,
            Delay::Allowance => state.settings.sync.paused_recheck_secs,
        };
        (now + Duration::seconds(i64::try_from(secs).unwrap_or(60))).min(next)
    };
    // Held by the deletion circuit breaker, or not sent to Outlook: nothing is read.
    if !settings.salesforce_to_outlook() || watch.paused_code.is_some() {
        record(None, next, None).await?;
        return Ok(());
    }
    let mailbox = match context::mailbox(state, &user).await {
        Ok(Mailbox::Open(token)) => token,
        Ok(Mailbox::Closed(code)) => {
            record(None, next, Some(code)).await?;
            return Ok(());
        }
        Err(SyncError::Wait(delay, _)) => {
            record(None, soon(delay), Some(WatchCode::GraphUnavailable)).await?;
            return Ok(());
        }
        Err(error) => return Err(error.into()),
    };
    let opened = match state.sessions.open(&user).await {
        Ok(mut session) => budget::spend(state, &mut session).await.map(|()| session),
        Err(error) => Err(error.into()),
    };
    let mut session = match opened {
        Ok(session) => session,
        Err(error) => {
            let Some((delay, code)) = waiting(&error) else {
                return Err(error.into());
            };
            record(None, delay.map_or(next, soon), Some(code)).await?;
            return Ok(());
        }
    };
    let window = settings.window(now);
    let since = match watch.salesforce_cursor {
        Some(cursor) => Since::Cursor(cursor),
        None => Since::Window(window.0, window.1),
    };
    let read = match changes::read(&mut session, &since).await {
        Ok(read) => read,
        Err(error) => {
            let error = SyncError::from(error);
            let Some((delay, code)) = waiting(&error) else {
                return Err(error.into());
            };
            record(None, delay.map_or(next, soon), Some(code)).await?;
            return Ok(());
        }
    };
    // Before the links (see `creates_in_flight`); a read with nothing asks for neither.
    let in_flight = if read.is_empty() {
        Vec::new()
    } else {
        creates_in_flight(state, user_id).await?
    };
    let ids: Vec<&str> = read.iter().map(|c| c.id.as_str()).collect();
    let links: HashMap<String, EventLink> = salesforce_side::find_many(&state.db, user_id, &ids)
        .await?
        .into_iter()
        .filter_map(|link| Some((link.salesforce_event_id.clone()?, link)))
        .collect();
    let mut to_outlook =
        ToOutlook::new(state, user_id, &settings, &mailbox, &mut session, in_flight);
    let mut cursor = watch.salesforce_cursor;
    for change in &read {
        match to_outlook.apply(change, links.get(&change.id)).await {
            Ok(Outcome::Done) => {
                cursor =
                    Some(cursor.map_or(change.system_modstamp, |c| c.max(change.system_modstamp)));
            }
            // Graph asked us to wait, or the rep changed the event meanwhile: the rest waits
            // for the next read, from this change on.
            Ok(Outcome::Later(wait)) => {
                let at = now + Duration::from_std(wait).unwrap_or(Duration::minutes(1));
                record(cursor, at.min(next), None).await?;
                return Ok(());
            }
            // The cursor stays before this change: the job's retries read it again.
            Err(error) => {
                record(cursor, next, None).await?;
                return Err(error.into());
            }
        }
    }
    record(cursor, next, None).await?;
    // A pane open on a meeting whose Event changed in Salesforce shows it now.
    if !links.is_empty() {
        state.live.changed(user_id).await;
    }
    Ok(())
}

/// Why a read cannot go on now, and when it reads again (`None`: at the next read): the
/// watch shows the code. `None` for a failure the job's retries mend.
fn waiting(error: &SyncError) -> Option<(Option<Delay>, WatchCode)> {
    match error {
        SyncError::Park => Some((None, WatchCode::SalesforceNotConnected)),
        SyncError::Wait(delay @ Delay::Allowance, _) => {
            Some((Some(*delay), WatchCode::SalesforceApiBudgetPaused))
        }
        SyncError::Wait(delay, _) => Some((Some(*delay), WatchCode::SalesforceUnavailable)),
        _ => None,
    }
}
