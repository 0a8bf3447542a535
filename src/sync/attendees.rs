//! Relations that follow a meeting's attendees: an attendee added in Outlook whose address
//! belongs to exactly one Contact is related to the Event (within the org's limits), and one
//! who leaves is unrelated, unless the rep related that record themselves. Excluded addresses
//! and domains are never related. The rep's own relations (`who_ids`) are never touched; the
//! sync's are kept apart, by address (`auto_relations`).
//!
//! What changed is told against the attendees the sync last saw, or, before its first run, the
//! attendees the pane saw when the rep chose (so the rep's choice there is not second-guessed);
//! a meeting selected without the pane starts from none, and every attendee counts as added.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::json;

use super::event_map::GraphEvent;
use super::link::{Decision, Lookups, Run, Source};
use super::policy::Policy;
use crate::matching::{self, EmailAddress, Found, RecordKind};
use crate::relations::{Kind, MAX_CONTACTS};
use crate::storage::event_links::{self, EventLink};

/// The attendees of a meeting as the sync sees them now, against what it saw before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Every attendee's address, lower case, sorted.
    pub now: Vec<String>,
    /// Addresses not seen before and not excluded: each to be looked up.
    pub added: Vec<EmailAddress>,
}

/// What the link's relations become.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// The rep's relations first, then the sync's.
    pub who_ids: Vec<String>,
    pub auto_relations: BTreeMap<String, String>,
    /// The attendees to record as seen (an added one whose lookup failed is left out, so that
    /// the next run looks again).
    pub seen: Vec<String>,
    pub related: Vec<String>,
    pub unrelated: Vec<String>,
}

/// The meeting's attendees against those the link's sync (or the pane) saw before.
pub fn seen(link: &EventLink, event: &GraphEvent, policy: &Policy) -> Seen {
    let now = event.attendee_addresses();
    let before: Vec<String> = match (&link.attendees_seen, &link.meeting) {
        (Some(seen), _) => seen.0.clone(),
        (None, Some(meeting)) => meeting
            .0
            .attendees
            .iter()
            .map(|a| a.email.trim().to_ascii_lowercase())
            .collect(),
        (None, None) => Vec::new(),
    };
    let added = now
        .iter()
        .filter(|a| !before.contains(a) && !policy.excludes(a))
        .filter_map(|a| EmailAddress::parse(a).ok())
        .collect();
    Seen { now, added }
}

/// The one Contact that carries `email`, if exactly one does (several are left for the rep:
/// the sync never guesses).
fn only_contact(email: &EmailAddress, found: &Found) -> Option<String> {
    let explained = matching::explain(email, found);
    let mut contacts = explained
        .matches
        .into_iter()
        .filter(|m| m.kind == RecordKind::Contact);
    match (contacts.next(), contacts.next()) {
        (Some(only), None) => Some(only.id),
        _ => None,
    }
}

/// The link's relations once the attendees' changes are followed: `found` holds what the
/// org has for each added address.
pub fn relate(
    link: &EventLink,
    seen: &Seen,
    found: &HashMap<EmailAddress, Arc<Found>>,
    policy: &Policy,
    shared_activities: bool,
) -> Related {
    let hand = &link.who_ids.0;
    let mut auto = link.auto_relations.0.clone();
    let mut unrelated = Vec::new();
    auto.retain(|address, id| {
        let stays = seen.now.contains(address) && !policy.excludes(address);
        if !stays {
            unrelated.push(id.clone());
        }
        stays
    });
    // A Lead relates alone: nothing joins a rep's Lead.
    let with_lead = hand.iter().any(|id| Kind::of(id) == Some(Kind::Lead));
    let mut related = Vec::new();
    let mut unresolved: Vec<&str> = Vec::new();
    for email in &seen.added {
        let Some(found) = found.get(email) else {
            unresolved.push(email.as_str());
            continue;
        };
        let Some(contact) = only_contact(email, found) else {
            continue;
        };
        if hand.contains(&contact) || auto.values().any(|id| *id == contact) {
            continue;
        }
        let count = hand.len() + auto.len();
        let room = !with_lead
            && if shared_activities {
                count < MAX_CONTACTS
            } else {
                count == 0
            };
        if room {
            auto.insert(email.as_str().to_string(), contact.clone());
            related.push(contact);
        }
    }
    let mut who_ids = hand.clone();
    for id in auto.values() {
        if !who_ids.contains(id) {
            who_ids.push(id.clone());
        }
    }
    Related {
        who_ids,
        auto_relations: auto,
        seen: seen
            .now
            .iter()
            .filter(|a| !unresolved.contains(&a.as_str()))
            .cloned()
            .collect(),
        related,
        unrelated,
    }
}

impl Run<'_> {
    /// The addresses this link's meeting adds, for the batch to look up together.
    pub(super) fn wanted(&self, source: &Source) -> Vec<EmailAddress> {
        match source {
            Source::Found(event) if !event.is_series_master() => {
                seen(self.link, event, &self.policy).added
            }
            _ => Vec::new(),
        }
    }

    /// The link's relations with the attendees' changes followed; what changed is recorded
    /// (and kept in the history) before anything is written.
    pub(super) async fn follow_attendees(
        &self,
        source: &GraphEvent,
        found: &Lookups,
    ) -> anyhow::Result<Vec<String>> {
        let link = self.link;
        let seen = seen(link, source, &self.policy);
        let related = relate(
            link,
            &seen,
            found,
            &self.policy,
            self.shape.shared_activities,
        );
        let unchanged = link.attendees_seen.as_ref().map(|s| &s.0) == Some(&related.seen)
            && link.auto_relations.0 == related.auto_relations;
        if !unchanged {
            let db = &self.state.db;
            event_links::attendees::record(db, &link.id, &related.seen, &related.auto_relations)
                .await?;
        }
        if !related.related.is_empty() || !related.unrelated.is_empty() {
            let detail = json!({ "related": related.related, "unrelated": related.unrelated });
            self.record(Decision::RelationsFollowed, detail).await?;
        }
        Ok(related.who_ids)
    }
}
