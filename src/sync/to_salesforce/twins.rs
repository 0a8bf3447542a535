//! Exactly once without the key field (rule 2): before a create whose link holds an intent
//! (an earlier attempt sent it, and its answer was lost or never recorded), the Events that
//! attempt may have made are looked for, and none is ever taken twice.
//!
//! A candidate is an Event the rep's user owns (not an invitation), created at or after the
//! earliest intent was sent (less a margin for the clocks), that no link of any rep names, and
//! whose subject, start, end, all-day date and length, and location are what the intent
//! recorded. Meetings whose intents record the same of all that are twins (a double-booked
//! "Lunch", a re-sent "1:1"): their Events are alike, so any of them is any twin's. So, for the
//! twins of one key (those of this run, and those whose create was interrupted in another):
//!
//! - a twin's create sent by another run within the job lease may still be in flight: this
//!   run's twins look again in a moment (their Event may be the one about to land);
//! - no candidate: this run's twins create;
//! - no more candidates than twins: the candidates go to the twins in their links' order, one
//!   each; a twin of this run past the candidates creates;
//! - more candidates than twins: which are theirs cannot be told; this run's twins fail with
//!   `earlier_write_ambiguous` (the admin's report says to add the key field).
//!
//! Our choice: no marker is written into the Event itself. Salesforce's Event has no standard
//! field a rep does not see; one in the description would show in every report and, both ways,
//! in Outlook. The key field is the marker, and the connection test recommends it.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;

use super::intent::Intent;
use super::plan::Write;
use super::rep::{Item, Rep};
use crate::salesforce::events::{self, Candidate};
use crate::storage::event_links;
use crate::sync::error::{Delay, SyncError};
use crate::sync::model::codes::LinkCode;

/// How far before an intent's recorded time its Event may have been created: the two clocks
/// (ours, Salesforce's) differ by this much at most.
const CLOCK_MARGIN: chrono::Duration = chrono::Duration::minutes(15);

/// How long twins wait for another run's create in flight.
const TWIN_WAIT: Duration = Duration::from_secs(2);

/// What an earlier attempt left for one create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Earlier {
    /// Nothing found: create.
    Nothing,
    /// That attempt's Event: the link takes it. `same`: it holds what the create would send.
    Found {
        event_id: String,
        same: bool,
    },
    Failed(LinkCode),
}

impl Earlier {
    /// The error of a create that cannot go on now.
    pub fn error(&self) -> Option<SyncError> {
        match self {
            Self::Failed(code @ LinkCode::TwinWriteInFlight) => {
                Some(SyncError::Wait(Delay::For(TWIN_WAIT), *code))
            }
            Self::Failed(code) => Some(SyncError::Undecided(*code)),
            _ => None,
        }
    }
}

/// For each create (its link's intent read), what an earlier attempt left. Creates whose link
/// holds no intent are [`Earlier::Nothing`] without a call.
pub(super) async fn look_for(
    rep: &mut Rep<'_>,
    creates: &[(&Item<'_>, &Write)],
) -> Result<Vec<Earlier>, SyncError> {
    let intents: Vec<Option<Intent>> = creates
        .iter()
        .map(|(item, write)| {
            item.link
                .write_intent
                .as_deref()
                .map(|recorded| Intent::read(recorded, &write.fields))
        })
        .collect();
    let mut answers: Vec<Earlier> = creates.iter().map(|_| Earlier::Nothing).collect();
    let looked_for: Vec<&Intent> = intents.iter().flatten().collect();
    if looked_for.is_empty() {
        return Ok(answers);
    }
    let since = looked_for
        .iter()
        .map(|i| {
            i.sent_at
                .unwrap_or_else(|| Utc::now() - chrono::Duration::days(1))
        })
        .min()
        .unwrap_or_else(Utc::now)
        - CLOCK_MARGIN;
    let keys: Vec<&serde_json::Map<String, serde_json::Value>> =
        looked_for.iter().map(|i| &i.key).collect();
    let found = events::written_since(&mut rep.session, &keys, since).await?;
    let ids: Vec<&str> = found.iter().map(|c| c.id.as_str()).collect();
    let claims = event_links::claims(&rep.state.db, &rep.user.id, &ids).await?;
    let named: HashSet<String> = claims.named.into_iter().collect();
    let candidates: Vec<&Candidate> = found.iter().filter(|c| !named.contains(&c.id)).collect();
    let in_run: HashSet<&str> = creates
        .iter()
        .map(|(item, _)| item.link.id.as_str())
        .collect();
    let elsewhere: Vec<(String, Intent)> = claims
        .in_flight
        .into_iter()
        .filter(|(link_id, _)| !in_run.contains(link_id.as_str()))
        .filter_map(|(link_id, text)| Some((link_id, serde_json::from_str(&text).ok()?)))
        .collect();

    // The run's creates with an intent, by key: twins together, in their links' order, with
    // the twins whose create another run left behind.
    let recently = Utc::now()
        - chrono::Duration::seconds(
            i64::try_from(rep.state.settings.jobs.lease_secs).unwrap_or(60),
        );
    let mut done: HashSet<usize> = HashSet::new();
    for first in 0..creates.len() {
        let Some(intent) = &intents[first] else {
            continue;
        };
        if done.contains(&first) {
            continue;
        }
        let ours: Vec<usize> = (0..creates.len())
            .filter(|&i| {
                intents[i]
                    .as_ref()
                    .is_some_and(|other| other.key == intent.key)
            })
            .collect();
        done.extend(&ours);
        let theirs: Vec<&(String, Intent)> = elsewhere
            .iter()
            .filter(|(_, other)| other.key == intent.key)
            .collect();
        let mut candidates: Vec<&&Candidate> = candidates
            .iter()
            .filter(|c| intent.describes(&c.fields))
            .collect();
        candidates.sort_by(|a, b| a.id.cmp(&b.id));
        let in_flight = theirs
            .iter()
            .any(|(_, other)| other.sent_at.is_none_or(|at| at > recently));
        // Every twin by its link's id: the candidates go to the first ones.
        let mut twins: Vec<&str> = ours
            .iter()
            .map(|&i| creates[i].0.link.id.as_str())
            .chain(theirs.iter().map(|(link, _)| link.as_str()))
            .collect();
        twins.sort_unstable();
        for &i in &ours {
            let rank = twins
                .iter()
                .position(|link| *link == creates[i].0.link.id)
                .unwrap_or(usize::MAX);
            answers[i] = if candidates.is_empty() {
                Earlier::Nothing
            } else if in_flight {
                Earlier::Failed(LinkCode::TwinWriteInFlight)
            } else if candidates.len() > twins.len() {
                Earlier::Failed(LinkCode::EarlierWriteAmbiguous)
            } else {
                match candidates.get(rank) {
                    Some(candidate) => Earlier::Found {
                        event_id: candidate.id.clone(),
                        same: intents[i]
                            .as_ref()
                            .is_some_and(|own| own.hash == creates[i].1.fields.hash),
                    },
                    None => Earlier::Nothing,
                }
            };
        }
    }
    Ok(answers)
}
