//! One run over a rep's due meetings (the `event.sync` jobs claimed together), in four phases:
//!
//! 1. **read** ([`read`]): one Salesforce session, allowance check, Event describe, sync
//!    settings and mailbox token for all; each meeting as Outlook holds it; the addresses the
//!    meetings add, looked up together; the owners of shared meetings.
//! 2. **plan** ([`super::plan::plan`], pure): what each link needs.
//! 3. **send** ([`super::send`]): what needs no batched call is done link by link (a skip, a
//!    series expanded, a shared meeting joined); creates, updates and deletes go to Salesforce
//!    200 a call, after the writes an earlier attempt may have made are looked for.
//! 4. **finish** ([`super::finish`]): each link recorded with its history entry in one
//!    transaction, and its Outlook event marked.
//!
//! Whatever a link meets on the way is a [`SyncError`], settled once per link ([`super::settle`]).

use std::collections::BTreeMap;

use super::plan::{self, Inputs, Lookups, Plan};
use super::read::{self, Meeting};
use super::rep::{Item, Rep};
use super::send::Sender;
use super::settle;
use crate::ids::UserId;
use crate::matching::{EmailAddress, ExtraEmailFields};
use crate::salesforce::events;
use crate::salesforce::lookup;
use crate::state::AppState;
use crate::storage::event_links::{self, EventLink, shared};
use crate::storage::{tenants, users};
use crate::sync::context;
use crate::sync::error::{Delay, SyncError};
use crate::sync::jobs::SyncEvent;
use crate::sync::model::codes::LinkCode;

/// Runs the `event.sync` jobs claimed together: each job's result, in order.
pub async fn run(state: &AppState, jobs: &[SyncEvent]) -> Vec<anyhow::Result<()>> {
    let mut by_rep: BTreeMap<&UserId, Vec<usize>> = BTreeMap::new();
    for (i, job) in jobs.iter().enumerate() {
        by_rep.entry(&job.user_id).or_default().push(i);
    }
    let mut results: Vec<anyhow::Result<()>> = jobs.iter().map(|_| Ok(())).collect();
    for (user_id, at) in by_rep {
        let of_rep: Vec<&SyncEvent> = at.iter().map(|&i| &jobs[i]).collect();
        let done = run_rep(state, user_id, &of_rep).await;
        for (i, result) in at.into_iter().zip(done) {
            results[i] = result;
        }
    }
    results
}

async fn run_rep(
    state: &AppState,
    user_id: &UserId,
    jobs: &[&SyncEvent],
) -> Vec<anyhow::Result<()>> {
    let mut results: Vec<anyhow::Result<()>> = jobs.iter().map(|_| Ok(())).collect();
    let wanted: Vec<&str> = jobs.iter().map(|j| j.outlook_event_id.as_str()).collect();
    let mut found = match event_links::find_many_by_outlook_ids(&state.db, user_id, &wanted).await {
        Ok(found) => found,
        Err(error) => {
            let error = anyhow::Error::from(error);
            return jobs
                .iter()
                .map(|_| Err(anyhow::anyhow!("{error:#}")))
                .collect();
        }
    };
    // In the jobs' order (a job whose link is gone has nothing to do).
    let mut items: Vec<(usize, Item<'_>)> = Vec::with_capacity(jobs.len());
    for (i, job) in jobs.iter().enumerate() {
        if let Some(at) = found
            .iter()
            .position(|l| l.outlook_event_id == job.outlook_event_id.as_str())
        {
            let link = found.swap_remove(at);
            items.push((i, Item { job, link }));
        }
    }
    if items.is_empty() {
        return results;
    }
    let mut rep = match open(state, user_id).await {
        Ok(Some(rep)) => rep,
        Ok(None) => return results,
        Err(error) => {
            for (i, item) in &items {
                results[*i] = settle::settle(state, item, Err(error.again())).await;
            }
            return results;
        }
    };

    // Read: each link's meeting. Once Graph asks us to wait, or fails in passing, the rest wait
    // without asking it again (a Graph that times out would otherwise hold the run for a
    // timeout per meeting).
    let mut read: Vec<(usize, Item<'_>, Meeting)> = Vec::with_capacity(items.len());
    let mut graph_waits: Option<(Delay, LinkCode)> = None;
    for (i, item) in items {
        if let Some((delay, code)) = graph_waits {
            results[i] = settle::settle(state, &item, Err(SyncError::Wait(delay, code))).await;
            continue;
        }
        match read::meeting(state, &rep.mailbox, &item.link, item.job.cause).await {
            Ok(meeting) => read.push((i, item, meeting)),
            Err(error) => {
                if let SyncError::Wait(
                    delay,
                    code @ (LinkCode::GraphThrottled | LinkCode::GraphUnavailable),
                ) = &error
                {
                    graph_waits = Some((*delay, *code));
                }
                results[i] = settle::settle(state, &item, Err(error)).await;
            }
        }
    }
    let lookups = look_up(&mut rep, &read).await;
    let owners = match shared_owners(&rep, &read).await {
        Ok(owners) => owners,
        Err(error) => {
            for (i, item, _) in &read {
                results[*i] = settle::settle(state, item, Err(error.again())).await;
            }
            return results;
        }
    };

    // Plan.
    let now = crate::storage::now();
    let planned: Vec<(usize, Item<'_>, Plan)> = read
        .into_iter()
        .map(|(i, item, meeting)| {
            let plan = plan::plan(&Inputs {
                link: &item.link,
                meeting: &meeting,
                settings: &rep.settings,
                shape: &rep.shape,
                cause: item.job.cause,
                lookups: &lookups,
                shared_owner: owners.get(&item.link.id),
                now,
            });
            (i, item, plan)
        })
        .collect();

    // Send and finish.
    let done = Sender::new(&mut rep).carry_out(planned).await;
    for (i, item, result) in done {
        results[i] = settle::settle(state, &item, result).await;
    }
    results
}

/// The rep's run opened: `None` when the rep is gone.
async fn open<'s>(state: &'s AppState, user_id: &UserId) -> Result<Option<Rep<'s>>, SyncError> {
    let Some(user) = users::find(&state.db, user_id).await? else {
        return Ok(None);
    };
    let mut session = state.sessions.open(&user).await?;
    super::budget::spend(state, &mut session).await?;
    let shape = events::shape(&mut session).await?;
    let settings = context::settings_for(state, &user).await?;
    // Entra failing in passing makes every link wait: the meetings are read once it answers,
    // not written from the pane's partial view meanwhile.
    let mailbox = context::mailbox(state, &user).await?;
    Ok(Some(Rep {
        state,
        user,
        settings,
        shape,
        mailbox,
        session,
    }))
}

/// The addresses the run's meetings add, looked up together (one call per 500 at most, none
/// for those the org's recent lookups hold). A lookup that fails leaves the relations as they
/// are this time (a deliberate fallback, logged): the addresses are looked up again on the
/// next run, as their attendees are not recorded as seen.
async fn look_up(rep: &mut Rep<'_>, read: &[(usize, Item<'_>, Meeting)]) -> Lookups {
    let mut wanted: Vec<EmailAddress> = read
        .iter()
        .flat_map(|(_, item, meeting)| match meeting {
            Meeting::Found { event, .. } if !event.is_series_master() => {
                super::attendees::seen(&item.link, event, &rep.settings).added
            }
            _ => Vec::new(),
        })
        .collect();
    if wanted.is_empty() {
        return Lookups::new();
    }
    wanted.sort();
    wanted.dedup();
    let fields = match tenants::find(&rep.state.db, &rep.user.tenant_id).await {
        Ok(tenant) => {
            let tenant_fields = tenant.map(|t| t.extra_email_fields.0).unwrap_or_default();
            rep.settings.email_fields(&tenant_fields)
        }
        Err(error) => {
            tracing::warn!(user = %rep.user.id, error = %error, "the tenant could not be read: the attendees are looked up again on the next run");
            return Lookups::new();
        }
    };
    let fields: ExtraEmailFields = fields;
    match lookup::cached(&mut rep.session, &rep.state.matches, &wanted, &fields).await {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(user = %rep.user.id, error = %error, "the attendees could not be looked up: they are looked up again on the next run");
            Lookups::new()
        }
    }
}

/// For each link of a meeting with attendees and no Event of its own yet, the link of the rep
/// whose Event holds the meeting in the org, when there is one.
async fn shared_owners(
    rep: &Rep<'_>,
    read: &[(usize, Item<'_>, Meeting)],
) -> Result<std::collections::HashMap<String, EventLink>, SyncError> {
    let mut owners = std::collections::HashMap::new();
    for (_, item, meeting) in read {
        let Meeting::Found { event, .. } = meeting else {
            continue;
        };
        let uid = event.ical_uid.as_deref().filter(|u| !u.is_empty());
        if let (Some(uid), None, false) = (
            uid,
            &item.link.salesforce_event_id,
            event.attendees.is_empty(),
        ) && let Some(owner) = shared::owner(&rep.state.db, &rep.user.tenant_id, uid).await?
        {
            owners.insert(item.link.id.clone(), owner);
        }
    }
    Ok(owners)
}
