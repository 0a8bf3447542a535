//! One sync run over several of a rep's links (the `event.sync` jobs claimed together): one
//! Salesforce session, allowance check and policy lookup for all, each link planned on its own
//! (`sync::link`), then its creates, updates and deletes sent as sObject Collections, one call
//! per 200, and each link finished with its own outcome.

use serde_json::{Map, Value};

use super::SyncEvent;
use super::both_ways;
use super::context;
use super::decision::call;
use super::link::{Lookups, Run, Source, Step, Write};
use super::settle::{self, Handling};
use crate::ids::UserId;
use crate::matching::{EmailAddress, ExtraEmailFields};
use crate::salesforce::EventShape;
use crate::salesforce::SalesforceError;
use crate::salesforce::collections::{self, MAX_RECORDS};
use crate::salesforce::events;
use crate::salesforce::lookup;
use crate::salesforce::session::{Session, SessionError};
use crate::state::AppState;
use crate::storage::event_links::{self, EventLink};
use crate::storage::{tenants, users};

const EVENT: &str = "Event";

/// Runs the jobs of one rep (`user_id`): each job's result, in order.
pub(super) async fn run(
    state: &AppState,
    user_id: &str,
    jobs: &[&SyncEvent],
) -> Vec<anyhow::Result<()>> {
    let mut results: Vec<anyhow::Result<()>> = jobs.iter().map(|_| Ok(())).collect();
    let user_id = UserId::new(user_id.to_string());
    let wanted: Vec<&str> = jobs.iter().map(|j| j.outlook_event_id.as_str()).collect();
    let mut found = match event_links::find_many_by_outlook_ids(&state.db, &user_id, &wanted).await
    {
        Ok(found) => found,
        Err(error) => {
            let error = anyhow::Error::from(error);
            return results
                .into_iter()
                .map(|_| Err(anyhow::anyhow!("{error:#}")))
                .collect();
        }
    };
    // In the jobs' order (a job whose link is gone has nothing to do).
    let mut links: Vec<(usize, EventLink)> = Vec::with_capacity(jobs.len());
    for (i, job) in jobs.iter().enumerate() {
        if let Some(at) = found
            .iter()
            .position(|l| l.outlook_event_id == job.outlook_event_id)
        {
            links.push((i, found.swap_remove(at)));
        }
    }
    if links.is_empty() {
        return results;
    }
    let user = match users::find(&state.db, &user_id).await {
        Ok(Some(user)) => user,
        Ok(None) => return results,
        Err(error) => return shared_failure(state, jobs, &links, results, &error.into()).await,
    };
    let mut session = match open(state, &user).await {
        Ok(Opened::Go(session)) => *session,
        Ok(Opened::Wait(wait)) => {
            let wait = Handling::Wait(wait, settle::BUDGET_PAUSED);
            for (i, link) in &links {
                results[*i] = wait.apply(state, jobs[*i], link).await;
            }
            return results;
        }
        Err(error) => return shared_failure(state, jobs, &links, results, &error).await,
    };
    let shape = match events::shape(&mut session).await {
        Ok(shape) => shape,
        Err(error) => return shared_failure(state, jobs, &links, results, &error.into()).await,
    };
    let policy = match context::policy_for(state, &user).await {
        Ok(policy) => policy,
        Err(error) => return shared_failure(state, jobs, &links, results, &error.into()).await,
    };
    // Entra failing in passing makes every link wait (`settle`): the meetings are read once
    // it answers, not written from the pane's partial view meanwhile.
    let mailbox = match context::mailbox_access(state, &user).await {
        Ok(mailbox) => mailbox,
        Err(error) => return shared_failure(state, jobs, &links, results, &error.into()).await,
    };

    // Each link's meeting read; once Graph asks us to wait, or fails in passing, the rest wait
    // without asking it again (a Graph that times out would otherwise hold the run for a
    // timeout per meeting).
    let mut read: Vec<(usize, Run<'_>, Source)> = Vec::with_capacity(links.len());
    let mut graph_waits: Option<Handling> = None;
    for (i, link) in &links {
        if let Some(wait) = graph_waits {
            results[*i] = wait.apply(state, jobs[*i], link).await;
            continue;
        }
        let run = Run {
            state,
            link,
            policy: policy.clone(),
            mailbox: mailbox.as_ref(),
            shape: &shape,
            cause: jobs[*i].cause,
        };
        match run.read().await {
            Ok(source) => read.push((*i, run, source)),
            Err(error) => {
                if let Some(
                    wait @ Handling::Wait(_, settle::GRAPH_THROTTLED | settle::GRAPH_UNAVAILABLE),
                ) = Handling::of(state, &error)
                {
                    graph_waits = Some(wait);
                }
                results[*i] = settle::settle(state, jobs[*i], link, error).await;
            }
        }
    }
    let found = look_up(state, &mut session, &user, &read).await;
    let mut planned: Vec<(usize, Run<'_>, Step)> = Vec::with_capacity(read.len());
    for (i, run, source) in read {
        match run.plan(&mut session, source, &found).await {
            Ok(step) => planned.push((i, run, step)),
            Err(error) => results[i] = settle::settle(state, jobs[i], run.link, error).await,
        }
    }
    write(state, &mut session, &shape, jobs, &planned, &mut results).await;
    results
}

/// The addresses the run's meetings add, looked up together (one call per 500 at most, none
/// for those the org's recent lookups hold). A lookup that fails leaves the relations as they
/// are this time: the addresses are looked up again on the next run.
async fn look_up(
    state: &AppState,
    session: &mut Session,
    user: &users::User,
    read: &[(usize, Run<'_>, Source)],
) -> Lookups {
    let mut wanted: Vec<EmailAddress> = read
        .iter()
        .flat_map(|(_, run, source)| run.wanted(source))
        .collect();
    if wanted.is_empty() {
        return Lookups::new();
    }
    wanted.sort();
    wanted.dedup();
    let tenant_fields = match tenants::find(&state.db, &user.tenant_id).await {
        Ok(Some(tenant)) => tenant.extra_email_fields.0,
        _ => ExtraEmailFields::default(),
    };
    // One rep's runs share one policy.
    let fields = read.first().map_or(tenant_fields.clone(), |(_, run, _)| {
        run.policy.email_fields(&tenant_fields)
    });
    match lookup::cached(session, &state.matches, &wanted, &fields).await {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(user = %user.id, error = %error, "the attendees could not be looked up");
            Lookups::new()
        }
    }
}

/// The session to write with, or how long the org's allowance says to wait.
enum Opened {
    Go(Box<Session>),
    Wait(std::time::Duration),
}

async fn open(state: &AppState, user: &users::User) -> anyhow::Result<Opened> {
    let mut session = state.sessions.open(user).await?;
    Ok(match settle::spend(state, &mut session).await? {
        Some(wait) => Opened::Wait(wait),
        None => Opened::Go(Box::new(session)),
    })
}

/// Sends the planned creates, updates and deletes, 200 a call, and finishes each link.
async fn write(
    state: &AppState,
    session: &mut Session,
    shape: &EventShape,
    jobs: &[&SyncEvent],
    planned: &[(usize, Run<'_>, Step)],
    results: &mut [anyhow::Result<()>],
) {
    let creates: Vec<_> = planned
        .iter()
        .filter_map(|(i, run, step)| match step {
            Step::Create(write) => Some((*i, run, &**write)),
            _ => None,
        })
        .collect();
    let (creates, moved) = found_again(state, session, jobs, creates, results).await;
    let create_call = match shape.key_field {
        Some(_) => call::UPSERT,
        None => call::CREATE,
    };
    for chunk in creates.chunks(MAX_RECORDS) {
        let created = match &shape.key_field {
            Some(key_field) => {
                let records: Vec<(&str, &Map<String, Value>)> = chunk
                    .iter()
                    .map(|(_, run, w)| (run.link.id.as_str(), &w.fields.fields))
                    .collect();
                collections::upsert(session, EVENT, key_field, &records).await
            }
            None => {
                let fields: Vec<&Map<String, Value>> =
                    chunk.iter().map(|(_, _, w)| &w.fields.fields).collect();
                collections::create(session, EVENT, &fields).await
            }
        };
        match created {
            Ok(outcomes) => {
                for ((i, run, write), outcome) in chunk.iter().zip(outcomes) {
                    results[*i] = match outcome {
                        Ok(id) => run.created(write, &id).await,
                        Err(refused) => refusal(state, jobs[*i], run, refused, create_call).await,
                    };
                }
            }
            Err(error) => {
                let links = chunk.iter().map(|(i, run, _)| (*i, run.link));
                fail_together(state, jobs, links, results, &error.into()).await;
            }
        }
    }

    let mut updates: Vec<_> = planned
        .iter()
        .filter_map(|(i, run, step)| match step {
            Step::Update(id, write) => Some((*i, run, id.as_str(), &**write)),
            _ => None,
        })
        .collect();
    updates.extend(
        moved
            .iter()
            .map(|(i, run, id, write)| (*i, *run, id.as_str(), *write)),
    );
    let updates = both_ways::merged(state, session, jobs, updates, results).await;
    for chunk in updates.chunks(MAX_RECORDS) {
        let records: Vec<(&str, &Map<String, Value>)> = chunk
            .iter()
            .map(|(_, _, id, w)| (*id, &w.fields.fields))
            .collect();
        match collections::update(session, EVENT, &records).await {
            Ok(outcomes) => {
                for ((i, run, id, write), outcome) in chunk.iter().zip(outcomes) {
                    results[*i] = match outcome {
                        Ok(()) => run.updated(write, id).await,
                        Err(refused) => refusal(state, jobs[*i], run, refused, call::UPDATE).await,
                    };
                }
            }
            Err(error) => {
                let links = chunk.iter().map(|(i, run, _, _)| (*i, run.link));
                fail_together(state, jobs, links, results, &error.into()).await;
            }
        }
    }

    let deletes: Vec<_> = planned
        .iter()
        .filter_map(|(i, run, step)| match step {
            Step::Delete(id, removal) => Some((*i, run, id.as_str(), *removal)),
            _ => None,
        })
        .collect();
    for chunk in deletes.chunks(MAX_RECORDS) {
        let ids: Vec<&str> = chunk.iter().map(|(_, _, id, _)| *id).collect();
        match collections::delete(session, &ids).await {
            Ok(outcomes) => {
                for ((i, run, id, removal), outcome) in chunk.iter().zip(outcomes) {
                    // Gone already (deleted in Salesforce, or by an earlier attempt) is done.
                    results[*i] = match outcome {
                        Ok(_) => run.deleted(id, *removal).await,
                        Err(refused) => refusal(state, jobs[*i], run, refused, call::DELETE).await,
                    };
                }
            }
            Err(error) => {
                let links = chunk.iter().map(|(i, run, _, _)| (*i, run.link));
                fail_together(state, jobs, links, results, &error.into()).await;
            }
        }
    }
}

/// A create an earlier attempt made, found again, that must still be brought to the meeting
/// as it is now (it moved, or changed, since): updated like any other.
type Found<'r, 'a> = (usize, &'r Run<'a>, String, &'r Write);

/// The creates left to make: those an earlier attempt may have made are looked for first (one
/// query per 40, by what the earlier intent describes) and finished as found when Salesforce
/// has exactly one such Event (or updated, when the meeting changed since). The others' intent
/// is recorded before they are sent.
async fn found_again<'r, 'a>(
    state: &AppState,
    session: &mut Session,
    jobs: &[&SyncEvent],
    creates: Vec<(usize, &'r Run<'a>, &'r Write)>,
    results: &mut [anyhow::Result<()>],
) -> (Vec<(usize, &'r Run<'a>, &'r Write)>, Vec<Found<'r, 'a>>) {
    let (repeated, mut fresh): (Vec<_>, Vec<_>) = creates
        .into_iter()
        .partition(|(_, _, w)| w.earlier.is_some());
    let mut moved = Vec::new();
    if repeated.is_empty() {
        return (fresh, moved);
    }
    let wanted: Vec<&Map<String, Value>> = repeated
        .iter()
        .filter_map(|(_, _, w)| w.earlier.as_ref().map(|e| &e.key))
        .collect();
    match events::find_written(session, &wanted).await {
        Ok(found) => {
            for ((i, run, write), earlier) in repeated.into_iter().zip(found) {
                let same = write
                    .earlier
                    .as_ref()
                    .is_some_and(|e| e.hash == write.fields.hash);
                match earlier {
                    Some(id) if same => results[i] = run.found_again(write, &id).await,
                    Some(id) => moved.push((i, run, id, write)),
                    None => match run.intend(write).await {
                        Ok(()) => fresh.push((i, run, write)),
                        Err(error) => {
                            results[i] = settle::settle(state, jobs[i], run.link, error).await;
                        }
                    },
                }
            }
        }
        Err(error) => {
            let links = repeated.iter().map(|(i, run, _)| (*i, run.link));
            fail_together(state, jobs, links, results, &error.into()).await;
        }
    }
    (fresh, moved)
}

/// A record Salesforce refused inside a Collections call: that link alone fails, for good
/// unless the cause passes (a locked row, a busy server).
async fn refusal(
    state: &AppState,
    job: &SyncEvent,
    run: &Run<'_>,
    refused: SalesforceError,
    call: &'static str,
) -> anyhow::Result<()> {
    match &refused {
        SalesforceError::Api { code, .. } if !code.is_transient() => run.rejected(code, call).await,
        _ => settle::settle(state, job, run.link, SessionError::from(refused).into()).await,
    }
}

/// Every link of the run met `error` before it could be planned.
async fn shared_failure(
    state: &AppState,
    jobs: &[&SyncEvent],
    links: &[(usize, EventLink)],
    mut results: Vec<anyhow::Result<()>>,
    error: &anyhow::Error,
) -> Vec<anyhow::Result<()>> {
    let links = links.iter().map(|(i, link)| (*i, link));
    fail_together(state, jobs, links, &mut results, error).await;
    results
}

/// Each of `links` (a job's index and its link) met `error` in a call they shared.
async fn fail_together<'l>(
    state: &AppState,
    jobs: &[&SyncEvent],
    links: impl Iterator<Item = (usize, &'l EventLink)>,
    results: &mut [anyhow::Result<()>],
    error: &anyhow::Error,
) {
    for (i, link) in links {
        results[i] = settle::settle_shared(state, jobs[i], link, error).await;
    }
}
