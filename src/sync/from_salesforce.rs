//! The `salesforce.poll` job (Salesforce → Outlook, when the rep's configuration says so): the
//! rep's Salesforce Events changed since the cursor, in one query, each brought to Outlook
//! (`sync::to_outlook`): a new one made in the rep's calendar, a changed one's changes merged
//! into its Outlook event, a deleted one unlinked (and its Outlook event deleted only when the
//! policy says so). The cursor moves past a change only once it is carried out, so a crash
//! loses nothing, and carrying one out again changes nothing (rule 3).

use std::collections::HashMap;

use chrono::Duration;

use super::PollSalesforce;
use super::context;
use super::settle;
use super::to_outlook::{Outcome, ToOutlook};
use crate::ids::UserId;
use crate::jobs::Job;
use crate::salesforce::changes::{self, Since};
use crate::salesforce::session::SessionError;
use crate::state::AppState;
use crate::storage::event_links::{EventLink, salesforce_side};
use crate::storage::mailbox_watches;

/// The codes a watch carries when the rep's Salesforce Events could not be read.
pub const SALESFORCE_NOT_CONNECTED: &str = "salesforce_not_connected";

impl Job for PollSalesforce {
    const KIND: &'static str = "salesforce.poll";
    type Context = AppState;

    /// One pending read per rep.
    fn dedup_key(&self) -> Option<String> {
        Some(self.user_id.clone())
    }

    async fn run(&self, state: &AppState) -> anyhow::Result<()> {
        let user_id = UserId::new(self.user_id.clone());
        let Some(context::Reading {
            user,
            watch,
            policy,
            now,
            next,
            ..
        }) = context::reading(state, &user_id).await?
        else {
            return Ok(());
        };
        let record = |cursor, next, code: Option<&'static str>| {
            mailbox_watches::record_salesforce_read(&state.db, &user_id, cursor, next, code, now)
        };
        // Held by the deletion circuit breaker, or not sent to Outlook: nothing is read.
        if !policy.salesforce_to_outlook || watch.paused_code.is_some() {
            record(None, next, None).await?;
            return Ok(());
        }
        let Some(mailbox) = context::mailbox(state, &user).await else {
            record(None, next, Some(super::poll::MAILBOX_UNREACHABLE)).await?;
            return Ok(());
        };
        let mut session = match state.sessions.open(&user).await {
            Ok(session) => session,
            Err(SessionError::NotConnected | SessionError::ReconnectNeeded) => {
                record(None, next, Some(SALESFORCE_NOT_CONNECTED)).await?;
                return Ok(());
            }
            Err(error) => return Err(error.into()),
        };
        if let Some(wait) = settle::spend(state, &mut session).await? {
            let at = now + Duration::from_std(wait).unwrap_or(Duration::minutes(5));
            record(None, at, Some(settle::BUDGET_PAUSED)).await?;
            return Ok(());
        }
        let window = policy.window(now);
        let since = match watch.salesforce_cursor {
            Some(cursor) => Since::Cursor(cursor),
            None => Since::Window(window.0, window.1),
        };
        let read = changes::read(&mut session, &since).await?;
        let ids: Vec<&str> = read.iter().map(|c| c.id.as_str()).collect();
        let links: HashMap<String, EventLink> =
            salesforce_side::find_many(&state.db, &user_id, &ids)
                .await?
                .into_iter()
                .filter_map(|link| Some((link.salesforce_event_id.clone()?, link)))
                .collect();
        let mut to_outlook = ToOutlook::new(state, &user_id, &policy, &mailbox, &mut session);
        let mut cursor = watch.salesforce_cursor;
        for change in &read {
            match to_outlook.apply(change, links.get(&change.id)).await? {
                Outcome::Done => {
                    cursor = Some(
                        cursor.map_or(change.system_modstamp, |c| c.max(change.system_modstamp)),
                    );
                }
                // Graph asked us to wait, or the rep changed the event meanwhile: the rest
                // waits for the next read, from this change on.
                Outcome::Later(wait) => {
                    let at = now + Duration::from_std(wait).unwrap_or(Duration::minutes(1));
                    record(cursor, at.min(next), None).await?;
                    return Ok(());
                }
            }
        }
        record(cursor, next, None).await?;
        Ok(())
    }
}
