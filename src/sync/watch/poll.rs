//! The `mailbox.poll` job: one `calendarView/delta` round over the rep's window, run when a
//! notification arrives and every few minutes as the backstop of lost ones. Each change to a
//! selected meeting queues its `event.sync`; an event the rep put the selection category on is
//! selected; one they took it off is unselected. An occurrence of a selected series with no
//! link yet queues the series' sync, which links it. A full round also puts the selection
//! category on the mailbox's master list when it is missing. An event whose change key is the one the sync
//! last saw (our own stamp, an unchanged event in a full round) queues nothing.
//!
//! A crash mid-round loses nothing: the round's end is recorded only after its work is queued,
//! and queuing again is harmless (one pending sync per link, one link per event).

use std::collections::HashMap;

use chrono::Duration;
use serde_json::Value;

use crate::graph::access::MailboxToken;
use crate::graph::categories::Category;
use crate::graph::delta::DeltaError;
use crate::ids::UserId;
use crate::jobs::Job;
use crate::state::AppState;
use crate::storage;
use crate::storage::event_links::{self, EventLink, LinkState, SelectedBy, by_category};
use crate::storage::mailbox_watches::{self, Round, Watch};
use crate::sync::context::{self, Mailbox};
use crate::sync::error::{Delay, SyncError};
use crate::sync::jobs::{Action, PollMailbox, PollSalesforce, SyncEvent, WatchMailbox};
use crate::sync::model::codes::{LinkCode, WatchCode};
use crate::sync::model::history::Cause;
use crate::sync::model::settings::{self, SyncSettings};

impl Job for PollMailbox {
    const KIND: &'static str = "mailbox.poll";
    type Context = AppState;

    /// One pending poll per mailbox: notifications arriving together are one round.
    fn dedup_key(&self) -> Option<String> {
        Some(self.user_id.to_string())
    }

    async fn run(&self, state: &AppState) -> anyhow::Result<()> {
        run(state, &self.user_id).await
    }
}

/// The `mailbox.poll` job's work.
pub async fn run(state: &AppState, user_id: &UserId) -> anyhow::Result<()> {
    let Some(context::Reading {
        user,
        watch,
        settings: policy,
        now,
        interval,
        next,
    }) = context::reading(state, user_id).await?
    else {
        return Ok(());
    };
    if watch.paused_code.is_some() {
        // Held by the deletion circuit breaker: nothing is read or written until an admin
        // releases it (the unrecorded round is read again then).
        let code = watch.last_error_code;
        mailbox_watches::set_next_poll(&state.db, user_id, next, code, now).await?;
        return Ok(());
    }
    // The wait a failure in passing asks for, and the code the rep's status shows.
    let waited = |delay: Delay| {
        let wait = match delay {
            Delay::For(wait) => wait,
            Delay::Transient | Delay::Allowance => {
                std::time::Duration::from_secs(state.settings.sync.transient_retry_secs)
            }
        };
        (now + Duration::from_std(wait).unwrap_or(Duration::minutes(1))).min(next)
    };
    let mailbox = match context::mailbox(state, &user).await {
        Ok(Mailbox::Open(token)) => token,
        Ok(Mailbox::Closed(code)) => {
            mailbox_watches::set_next_poll(&state.db, user_id, next, Some(code), now).await?;
            return Ok(());
        }
        Err(SyncError::Wait(delay, _)) => {
            let code = Some(WatchCode::GraphUnavailable);
            mailbox_watches::set_next_poll(&state.db, user_id, waited(delay), code, now).await?;
            return Ok(());
        }
        Err(error) => return Err(error.into()),
    };
    let window = policy.window(now);
    let round = match read_round(state, &mailbox, &watch, window).await {
        Ok(round) => round,
        Err(error) => {
            let error = SyncError::from(error);
            let SyncError::Wait(delay, code) = error else {
                return Err(error.into());
            };
            let code = Some(match code {
                LinkCode::GraphThrottled => WatchCode::GraphThrottled,
                _ => WatchCode::GraphUnavailable,
            });
            mailbox_watches::set_next_poll(&state.db, user_id, waited(delay), code, now).await?;
            return Ok(());
        }
    };
    let links: HashMap<String, EventLink> = event_links::all_for_user(&state.db, user_id)
        .await?
        .into_iter()
        .map(|link| (link.outlook_event_id.clone(), link))
        .collect();
    let gone = gone(&round, &links, window);
    let deletions = gone.iter().filter(|l| deletable(l)).count();
    let linked = links.values().filter(|l| deletable(l)).count();
    if !watch.deletions_released && settings::breaker_trips(deletions, linked) {
        tracing::warn!(user = %user_id, deletions, linked, "the deletion circuit breaker holds this user's sync");
        let held = i64::try_from(deletions).unwrap_or(i64::MAX);
        let code = WatchCode::DeletionCircuitBreaker;
        mailbox_watches::hold(&state.db, user_id, code, held, next, now).await?;
        return Ok(());
    }
    // Every link whose meeting the round saw go may now be settled by its sync.
    let seen: Vec<&str> = gone.iter().map(|link| link.id.as_str()).collect();
    event_links::removals::mark_seen(&state.db, &seen).await?;
    // A full round after the configuration changed syncs every selected meeting again.
    let resync = watch.resync_selected && round.full;
    dispatch(state, user_id, &policy, &links, &round, &gone, resync).await?;
    let done = Round {
        delta_link: round.delta_link.as_deref(),
        window,
        next_poll_at: next,
        started_at: now,
    };
    mailbox_watches::record_round(&state.db, user_id, done, storage::now()).await?;
    if round.full {
        keep_category(state, &mailbox, user_id, &policy.category).await;
    }
    // Salesforce → Outlook reads the rep's Salesforce Events at the same pace: with the
    // scheduled round, whose read is due before the next round comes (a read set for a
    // moment after this round would otherwise wait a whole interval more).
    let half = Duration::seconds(i64::try_from(interval / 2).unwrap_or(150));
    if policy.salesforce_to_outlook()
        && watch
            .salesforce_next_poll_at
            .is_none_or(|at| at <= now + half)
    {
        let read = PollSalesforce {
            user_id: user_id.clone(),
        };
        state.queue.enqueue(&read).await?;
    }
    if watch.subscription_id.is_none() && super::webhooks(state).is_some() {
        let keep = WatchMailbox {
            user_id: user_id.clone(),
            action: Action::Keep,
        };
        state.queue.enqueue(&keep).await?;
    }
    Ok(())
}

/// On a full round (the first, and one a day as the window moves): the selection category is
/// put on the mailbox's master list when missing, so the rep finds it in Outlook. Best effort,
/// and said so in the log: without `MailboxSettings.ReadWrite` Graph refuses, and the category
/// still selects meetings when the rep types it.
async fn keep_category(state: &AppState, mailbox: &MailboxToken, user_id: &UserId, name: &str) {
    match state.graph.ensure_category(mailbox, name).await {
        Ok(Category::Added) => {
            tracing::info!(user = %user_id, "the selection category was added to the mailbox's list");
        }
        Ok(Category::Present) => {}
        Err(error) => {
            tracing::warn!(user = %user_id, error = %error, "the selection category could not be added to the mailbox's list; the rep can still type it");
        }
    }
}

/// A selected link whose Salesforce Event a deletion in Outlook would remove.
fn deletable(link: &EventLink) -> bool {
    link.selected && link.salesforce_event_id.is_some()
}

/// The selected links whose meetings the round saw go: those of its `@removed` items, and, in
/// a full round (which lists what is there, never what went), those with an Event whose
/// meetings fall in the window and are not listed.
fn gone<'l>(
    round: &ReadRound,
    links: &'l HashMap<String, EventLink>,
    window: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
) -> Vec<&'l EventLink> {
    let removed = round
        .items
        .iter()
        .filter(|item| item.get("@removed").is_some())
        .filter_map(|item| item["id"].as_str().and_then(|id| links.get(id)));
    let mut gone: Vec<&EventLink> = removed.filter(|link| link.selected).collect();
    if round.full {
        let listed: std::collections::HashSet<&str> = round
            .items
            .iter()
            .filter_map(|i| i["id"].as_str())
            .collect();
        let in_window = |link: &EventLink| match (link.outlook_start, link.outlook_end) {
            (Some(start), Some(end)) => start < window.1 && end > window.0,
            _ => false,
        };
        gone.extend(links.values().filter(|link| {
            deletable(link) && in_window(link) && !listed.contains(link.outlook_event_id.as_str())
        }));
    }
    gone.sort_by(|a, b| a.id.cmp(&b.id));
    gone.dedup_by(|a, b| a.id == b.id);
    gone
}

/// A link still syncing whose meeting, as last written, lies outside the window.
fn left_window(
    link: &EventLink,
    window: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
) -> bool {
    let syncing =
        link.selected && link.state != LinkState::Removed && link.shared_event_id.is_none();
    match (link.outlook_start, link.outlook_end) {
        (Some(start), Some(end)) => syncing && !(start < window.1 && end > window.0),
        _ => false,
    }
}

struct ReadRound {
    items: Vec<Value>,
    delta_link: Option<String>,
    /// Read from the window's start, not from a delta link: it lists what is there.
    full: bool,
}

/// Every page of one round: from the stored delta link while the window is the one it was
/// bound to, else (a new day, a first poll, a round Graph forgot) a full round.
async fn read_round(
    state: &AppState,
    mailbox: &MailboxToken,
    watch: &Watch,
    window: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
) -> Result<ReadRound, DeltaError> {
    let start = || state.graph.delta_start(mailbox, window.0, window.1);
    let same_window = watch.window_start == Some(window.0) && watch.window_end == Some(window.1);
    let (url, mut full) = match (&watch.delta_link, same_window) {
        (Some(link), true) => (link.clone(), false),
        _ => (start(), true),
    };
    let round = match state.graph.delta_round(mailbox, &url).await {
        Err(DeltaError::Gone) => {
            tracing::info!(user = %watch.user_id, "Graph forgot the delta round; reading the window again");
            full = true;
            state.graph.delta_round(mailbox, &start()).await?
        }
        // A stored link the token may not follow (Graph's address, or the tenant's Graph access,
        // changed since it was stored) is never followed: the window is read afresh.
        Err(DeltaError::Foreign) if !full => {
            tracing::warn!(user = %watch.user_id, "the stored delta link is not for this mailbox's token (another Graph, or another access mode); reading the window again");
            full = true;
            state.graph.delta_round(mailbox, &start()).await?
        }
        read => read?,
    };
    Ok(ReadRound {
        items: round.items,
        delta_link: round.delta_link,
        full,
    })
}

/// Queues what the round's changes call for.
async fn dispatch(
    state: &AppState,
    user_id: &UserId,
    policy: &SyncSettings,
    links: &HashMap<String, EventLink>,
    round: &ReadRound,
    gone: &[&EventLink],
    resync: bool,
) -> anyhow::Result<()> {
    let items = &round.items;
    let sync = |link: &EventLink, cause| SyncEvent::new(user_id, &link.outlook_event_id, cause);
    let mut syncs = Vec::new();
    let mut by_scope: Vec<(&str, Option<&str>)> = Vec::new();
    for item in items {
        let Some(id) = item["id"].as_str() else {
            continue;
        };
        let link = links.get(id);
        // (What went is settled below, with what a full round found gone.)
        if item.get("@removed").is_some() {
            continue;
        }
        let tagged = item["categories"].as_array().is_some_and(|c| {
            c.iter()
                .any(|c| c.as_str() == Some(policy.category.as_str()))
        });
        let now = storage::now();
        // A meeting that left the window comes back once the round (over the window) lists it.
        let back_in_window = |link: &EventLink| {
            link.state == LinkState::Removed
                && link.last_error_code == Some(LinkCode::OutsideWindow)
        };
        match link {
            Some(link) if link.selected => {
                if !tagged && link.selected_by == SelectedBy::Category {
                    let job = state.queue.prepare(&sync(link, Cause::Category))?;
                    by_category::unselect(&state.db, &link.id, &job, now).await?;
                } else if resync {
                    syncs.push(sync(link, Cause::Configuration));
                } else if back_in_window(link)
                    || item["changeKey"].as_str() != link.outlook_change_key.as_deref()
                {
                    syncs.push(sync(link, Cause::DeltaRound));
                }
            }
            Some(_) => {}
            None if tagged => {
                let job = state
                    .queue
                    .prepare(&SyncEvent::new(user_id, id, Cause::Category))?;
                let series = item["seriesMasterId"].as_str();
                by_category::select(&state.db, user_id, id, series, &job, now).await?;
            }
            // An occurrence of a selected series with no link yet (the window moved on, the
            // series grew): the series' sync gives it one. Under `scope: all`, any other
            // meeting is selected by the scope; its sync decides whether it qualifies.
            None => {
                let series = item["seriesMasterId"].as_str();
                let master = series.and_then(|m| links.get(m));
                match master.filter(|m| m.selected && !m.from_series) {
                    Some(master)
                        if !syncs
                            .iter()
                            .any(|s| s.outlook_event_id == master.outlook_event_id) =>
                    {
                        syncs.push(sync(master, Cause::Series));
                    }
                    Some(_) => {}
                    None if policy.all_meetings()
                        && !item["isCancelled"].as_bool().unwrap_or(false) =>
                    {
                        by_scope.push((id, series));
                    }
                    None => {}
                }
            }
        }
    }
    if !by_scope.is_empty() {
        let job_for = |id: &str| {
            state
                .queue
                .prepare(&SyncEvent::new(user_id, id, Cause::Scope))
        };
        event_links::by_scope::select(&state.db, user_id, &by_scope, job_for, storage::now())
            .await?;
    }
    for link in gone {
        if !syncs
            .iter()
            .any(|s| s.outlook_event_id == link.outlook_event_id)
        {
            syncs.push(sync(link, Cause::DeltaRound));
        }
    }
    // A full round lists the window only: a synced meeting the window no longer holds (the
    // days passed, the configuration changed) is synced once more, which records that it
    // left, and stops syncing it until it comes back.
    if round.full {
        let window = policy.window(storage::now());
        for link in links.values().filter(|link| left_window(link, window)) {
            if !syncs
                .iter()
                .any(|s| s.outlook_event_id == link.outlook_event_id)
            {
                syncs.push(sync(link, Cause::DeltaRound));
            }
        }
    }
    if !syncs.is_empty() {
        state.queue.enqueue_many(&syncs).await?;
    }
    state.queue.notify();
    Ok(())
}
