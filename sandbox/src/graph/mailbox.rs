//! A mailbox's calendar and contacts, with what change tracking needs: a change sequence per
//! mailbox, the sequence at each item's last change, and tombstones for deleted items.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::recurrence::Recurrence;

/// An item's two ids: the immutable one (`Prefer: IdType="ImmutableId"`) and the regular one,
/// which changes when the item moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ids {
    pub immutable: String,
    pub regular: String,
}

impl Ids {
    pub fn new() -> Self {
        Self {
            immutable: opaque("AAkALg"),
            regular: opaque("AAMkAG"),
        }
    }

    pub fn shown(&self, immutable: bool) -> &str {
        if immutable {
            &self.immutable
        } else {
            &self.regular
        }
    }

    pub fn is(&self, id: &str) -> bool {
        self.immutable == id || self.regular == id
    }

    /// The regular id changes on a move; the immutable one stays.
    pub fn moved(&mut self) {
        self.regular = opaque("AAMkAG");
    }
}

impl Default for Ids {
    fn default() -> Self {
        Self::new()
    }
}

/// An opaque, URL-safe id with Outlook's look.
pub fn opaque(prefix: &str) -> String {
    let bytes: Vec<u8> = uuid::Uuid::new_v4()
        .as_bytes()
        .iter()
        .chain(uuid::Uuid::new_v4().as_bytes())
        .chain(uuid::Uuid::new_v4().as_bytes())
        .copied()
        .collect();
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

pub fn change_key() -> String {
    URL_SAFE_NO_PAD.encode(&uuid::Uuid::new_v4().as_bytes()[..12])
}

#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    SingleInstance,
    SeriesMaster(Recurrence),
    /// A changed occurrence of a series: it keeps the occurrence's id.
    Exception {
        master: String,
        original_start: DateTime<Utc>,
    },
}

#[derive(Debug, Clone)]
pub struct Event {
    pub ids: Ids,
    pub ical_uid: String,
    pub kind: EventKind,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub start_zone: String,
    pub end_zone: String,
    pub is_all_day: bool,
    /// Every other property as the client wrote it (subject, body, attendees, categories...).
    pub props: Map<String, Value>,
    /// Single-value extended properties, by id.
    pub extended: BTreeMap<String, String>,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub change_key: String,
    pub seq: u64,
    /// Original starts of deleted occurrences (series masters).
    pub cancelled: Vec<DateTime<Utc>>,
    /// Occurrence ids a pattern change dropped, with the sequence of that change.
    pub dropped: Vec<(String, u64)>,
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub ids: Ids,
    pub folder: String,
    pub props: Map<String, Value>,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub change_key: String,
    pub seq: u64,
}

#[derive(Debug, Clone)]
pub struct Folder {
    pub id: String,
    pub display_name: String,
    pub parent: Option<String>,
}

/// A deleted (or moved-away) item, so that delta can report it.
#[derive(Debug, Clone)]
pub struct Tombstone {
    pub ids: Ids,
    pub seq: u64,
    /// The contact folder it left, for contacts.
    pub folder: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Mailbox {
    pub id: String,
    pub upn: String,
    pub tenant_id: String,
    pub display_name: String,
    pub events: Vec<Event>,
    pub contacts: Vec<Contact>,
    pub folders: Vec<Folder>,
    pub default_folder: String,
    pub master_categories: Vec<Value>,
    pub seq: u64,
    pub event_tombstones: Vec<Tombstone>,
    pub contact_tombstones: Vec<Tombstone>,
    /// Bumped to invalidate every delta token of the mailbox.
    pub delta_generation: u64,
    /// The groups the mailbox's owner belongs to, transitively (`getMemberGroups`).
    pub member_groups: Vec<String>,
    /// What Exchange would have mailed attendees of this mailbox's meetings.
    pub sent: Vec<super::notices::SentNotice>,
}

impl Mailbox {
    /// A new mailbox, with Outlook's six preset colour categories in its master list.
    pub fn new(id: &str, upn: &str, tenant_id: &str, display_name: &str) -> Self {
        let default_folder = opaque("AAMkAGF");
        Self {
            id: id.into(),
            upn: upn.into(),
            tenant_id: tenant_id.into(),
            display_name: display_name.into(),
            events: Vec::new(),
            contacts: Vec::new(),
            folders: vec![Folder {
                id: default_folder.clone(),
                display_name: "Contacts".into(),
                parent: None,
            }],
            default_folder,
            master_categories: preset_categories(),
            // Never 0: a delta token's sequence 0 means "no round yet".
            seq: 1,
            event_tombstones: Vec::new(),
            contact_tombstones: Vec::new(),
            delta_generation: 0,
            member_groups: Vec::new(),
            sent: Vec::new(),
        }
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn event(&self, id: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.ids.is(id))
    }

    pub fn event_index(&self, id: &str) -> Option<usize> {
        self.events.iter().position(|e| e.ids.is(id))
    }

    pub fn contact_index(&self, id: &str) -> Option<usize> {
        self.contacts.iter().position(|c| c.ids.is(id))
    }

    pub fn folder(&self, id: &str) -> Option<&Folder> {
        self.folders.iter().find(|f| f.id == id)
    }

    /// The exception that replaced the occurrence `occurrence_id`, if any.
    pub fn exception(&self, occurrence_id: &str) -> Option<&Event> {
        self.events
            .iter()
            .find(|e| matches!(e.kind, EventKind::Exception { .. }) && e.ids.is(occurrence_id))
    }
}

/// An occurrence's id: its series master's immutable id and its original start.
pub fn occurrence_id(master: &str, original_start: DateTime<Utc>) -> String {
    let raw = format!("{master}|{}", original_start.timestamp());
    format!("AAMkOcc{}", URL_SAFE_NO_PAD.encode(raw))
}

/// The series master and original start behind an occurrence id.
pub fn parse_occurrence_id(id: &str) -> Option<(String, DateTime<Utc>)> {
    let raw = URL_SAFE_NO_PAD.decode(id.strip_prefix("AAMkOcc")?).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (master, seconds) = text.rsplit_once('|')?;
    Some((
        master.to_string(),
        DateTime::from_timestamp(seconds.parse().ok()?, 0)?,
    ))
}

/// The categories Outlook gives every new mailbox (names in the mailbox's language; English here).
fn preset_categories() -> Vec<Value> {
    [
        ("Red category", "preset0"),
        ("Orange category", "preset1"),
        ("Yellow category", "preset3"),
        ("Green category", "preset4"),
        ("Blue category", "preset7"),
        ("Purple category", "preset8"),
    ]
    .into_iter()
    .map(|(name, color)| {
        serde_json::json!({ "id": uuid::Uuid::new_v4().to_string(), "displayName": name, "color": color })
    })
    .collect()
}
