//! Relations that follow a meeting's attendees: an attendee added in Outlook whose address
//! belongs to exactly one Contact is related to the Event (within the org's limits), and one
//! who leaves is unrelated, unless the rep related that record themselves. Excluded addresses
//! and domains are never related. The rep's own relations (`who_ids`) are never touched; the
//! sync's are kept apart, by address (`auto_relations`). When the configuration syncs every
//! meeting (`scope: all`), an attendee who is only a Lead is related too, alone, as Salesforce
//! allows.
//!
//! What changed is told against the attendees the sync last saw, or, before its first run, the
//! attendees the pane saw when the rep chose (so the rep's choice there is not second-guessed);
//! a meeting selected without the pane starts from none, and every attendee counts as added.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::matching::{self, EmailAddress, Found, RecordKind};
use crate::relations::{Kind, MAX_CONTACTS};
use crate::storage::event_links::EventLink;
use crate::sync::model::event_map::GraphEvent;
use crate::sync::model::settings::SyncSettings;

/// The attendees of a meeting as the sync sees them now, against what it saw before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Every attendee's address, lower case, sorted.
    pub now: Vec<String>,
    /// Addresses not seen before and not excluded: each to be looked up.
    pub added: Vec<EmailAddress>,
}

/// What the link's relations become.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Related {
    /// The rep's relations first, then the sync's.
    pub who_ids: Vec<String>,
    pub auto_relations: BTreeMap<String, String>,
    /// The attendees to record as seen (an added one whose lookup failed is left out, so that
    /// the next run looks again).
    pub seen: Vec<String>,
    pub related: Vec<String>,
    pub unrelated: Vec<String>,
    /// Added attendees whose address several Contacts (or Leads) carry: left unrelated.
    pub ambiguous: usize,
}

/// The meeting's attendees against those the link's sync (or the pane) saw before.
pub fn seen(link: &EventLink, event: &GraphEvent, settings: &SyncSettings) -> Seen {
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
        .filter(|a| !before.contains(a) && !settings.excludes(a))
        .filter_map(|a| EmailAddress::parse(a).ok())
        .collect();
    Seen { now, added }
}

/// The record an address relates to: the one Contact that carries it, else (with `leads`) the
/// one unconverted Lead. Several alike are ambiguous (`Err`): the sync never guesses.
fn the_one(email: &EmailAddress, found: &Found, leads: bool) -> Result<Option<String>, ()> {
    let explained = matching::explain(email, found);
    let only = |kind: RecordKind| {
        let mut alike = explained.matches.iter().filter(|m| m.kind == kind);
        match (alike.next(), alike.next()) {
            (Some(one), None) => Ok(Some(one.id.clone())),
            (Some(_), Some(_)) => Err(()),
            (None, _) => Ok(None),
        }
    };
    match only(RecordKind::Contact)? {
        Some(contact) => Ok(Some(contact)),
        None if leads => only(RecordKind::Lead),
        None => Ok(None),
    }
}

/// The link's relations once the attendees' changes are followed: `found` holds what the
/// org has for each added address.
pub fn relate(
    link: &EventLink,
    seen: &Seen,
    found: &HashMap<EmailAddress, Arc<Found>>,
    settings: &SyncSettings,
    shared_activities: bool,
) -> Related {
    // Every meeting synced (`scope: all`): an attendee who is only a Lead is related too, alone.
    let leads = settings.all_meetings();
    let hand = &link.who_ids.0;
    let mut auto = link.auto_relations.0.clone();
    let mut unrelated = Vec::new();
    auto.retain(|address, id| {
        let stays = seen.now.contains(address) && !settings.excludes(address);
        if !stays {
            unrelated.push(id.clone());
        }
        stays
    });
    let is_lead = |id: &String| Kind::of(id) == Some(Kind::Lead);
    let mut related = Vec::new();
    let mut unresolved: Vec<&str> = Vec::new();
    let mut ambiguous = 0;
    for email in &seen.added {
        let Some(found) = found.get(email) else {
            unresolved.push(email.as_str());
            continue;
        };
        let record = match the_one(email, found, leads) {
            Ok(Some(record)) => record,
            Ok(None) => continue,
            Err(()) => {
                ambiguous += 1;
                continue;
            }
        };
        if hand.contains(&record) || auto.values().any(|id| *id == record) {
            continue;
        }
        let count = hand.len() + auto.len();
        // A Lead relates alone: nothing joins a Lead, and a Lead joins nothing.
        let with_lead = hand.iter().chain(auto.values()).any(is_lead);
        let room = if is_lead(&record) {
            count == 0
        } else {
            !with_lead
                && if shared_activities {
                    count < MAX_CONTACTS
                } else {
                    count == 0
                }
        };
        if room {
            auto.insert(email.as_str().to_string(), record.clone());
            related.push(record);
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
        ambiguous,
    }
}

impl Related {
    /// Whether the link's recorded attendees and relations change.
    pub fn changes(&self, link: &EventLink) -> bool {
        link.attendees_seen.as_ref().map(|s| &s.0) != Some(&self.seen)
            || link.auto_relations.0 != self.auto_relations
    }

    /// Whether the history should say how the relations followed the attendees.
    pub fn worth_telling(&self) -> bool {
        !self.related.is_empty() || !self.unrelated.is_empty() || self.ambiguous > 0
    }
}
