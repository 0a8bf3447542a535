//! Event links: an Outlook event (or one occurrence of a series) tied to a Salesforce Event.
//!
//! The row records what the rep chose (selection, related Who and What ids), what the sync last
//! wrote (the Event, the hash of its fields, the Outlook change key it came from) and what each
//! side held when both last agreed, so the pipeline can tell an echo of its own write from a
//! real change and a real change from a conflict.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{Db, StorageError, from_row, with_pool};
use crate::column::{JsonText, text_enum};
use crate::ids::UserId;
use crate::meeting::Meeting;
use crate::relations::RecordName;
use crate::sync::model::codes::LinkCode;
use crate::sync::model::content::Content;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventLink {
    pub id: String,
    pub user_id: UserId,
    pub outlook_event_id: String,
    pub outlook_series_id: Option<String>,
    pub salesforce_event_id: Option<String>,
    pub selected: bool,
    /// The Contact or Lead ids the event relates to.
    pub who_ids: JsonText<Vec<String>>,
    pub what_id: Option<String>,
    pub state: LinkState,
    /// The hash of the Event's fields as last written from Outlook.
    pub salesforce_hash: Option<String>,
    /// Graph's version of the Outlook event as the sync last read (or wrote) it.
    pub outlook_change_key: Option<String>,
    /// What finds a create's Event again, recorded before it is sent (`sync::to_salesforce::intent`).
    pub write_intent: Option<String>,
    /// Why the link failed, waits, or left the sync.
    pub last_error_code: Option<LinkCode>,
    /// The meeting as the pane last saw it in Outlook, and when it sent it.
    pub meeting: Option<JsonText<Meeting>>,
    pub meeting_seen_at: Option<DateTime<Utc>>,
    pub selected_by: SelectedBy,
    /// Made for an occurrence because the rep selected its series (`outlook_series_id`): it
    /// follows the series' selection and relations until the rep chooses for it in the pane.
    pub from_series: bool,
    /// The attendees' addresses (lower case) as the sync last saw them; `None` before.
    pub attendees_seen: Option<JsonText<Vec<String>>>,
    /// The Contacts the sync related because an attendee matched, by the attendee's address
    /// (`who_ids` are the rep's own).
    pub auto_relations: JsonText<BTreeMap<String, String>>,
    /// When the meeting takes place, as last written (UTC).
    pub outlook_start: Option<DateTime<Utc>>,
    pub outlook_end: Option<DateTime<Utc>>,
    /// A delta round saw the meeting go (past the deletion circuit breaker).
    pub removal_seen: bool,
    /// Contacts the last write left out: the org relates an Event to one `WhoId` only.
    pub who_ids_left_out: i64,
    /// Selected because the configuration syncs every meeting (`scope: all`).
    pub by_scope: bool,
    /// Each side's content as the last sync left it (rule 4: what each changed since).
    pub outlook_content: Option<JsonText<Content>>,
    pub salesforce_content: Option<JsonText<Content>>,
    /// The Outlook event was made by the sync from a Salesforce Event.
    pub from_salesforce: bool,
    /// The meeting's iCalUId (the same in every attendee's calendar), once the sync saw it.
    pub ical_uid: Option<String>,
    /// The rep organizes the meeting.
    pub is_organizer: bool,
    /// Another rep's link owns the meeting's Event; this rep is invited to it.
    pub shared_event_id: Option<String>,
    /// The related records' names as the rep saw them, by Id.
    pub record_names: JsonText<BTreeMap<String, RecordName>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

from_row!(EventLink {
    id,
    user_id,
    outlook_event_id,
    outlook_series_id,
    salesforce_event_id,
    selected,
    who_ids,
    what_id,
    state,
    salesforce_hash,
    outlook_change_key,
    write_intent,
    last_error_code,
    meeting,
    meeting_seen_at,
    selected_by,
    from_series,
    attendees_seen,
    auto_relations,
    outlook_start,
    outlook_end,
    removal_seen,
    who_ids_left_out,
    by_scope,
    outlook_content,
    salesforce_content,
    from_salesforce,
    ical_uid,
    is_organizer,
    shared_event_id,
    record_names,
    created_at,
    updated_at
});

impl EventLink {
    /// A meeting's link as the sync would start it, for one that has none yet: selected by
    /// nobody, related to nobody, its attendees never seen (a dry run reasons from it).
    pub fn unlinked(user: &crate::storage::users::User) -> Self {
        let now = super::now();
        Self {
            id: String::new(),
            user_id: user.id.clone(),
            outlook_event_id: String::new(),
            outlook_series_id: None,
            salesforce_event_id: None,
            selected: false,
            who_ids: JsonText(Vec::new()),
            what_id: None,
            state: LinkState::Pending,
            salesforce_hash: None,
            outlook_change_key: None,
            write_intent: None,
            last_error_code: None,
            meeting: None,
            meeting_seen_at: None,
            selected_by: SelectedBy::Pane,
            from_series: false,
            attendees_seen: None,
            auto_relations: JsonText(BTreeMap::new()),
            record_names: JsonText(BTreeMap::new()),
            outlook_start: None,
            outlook_end: None,
            removal_seen: false,
            who_ids_left_out: 0,
            by_scope: false,
            outlook_content: None,
            salesforce_content: None,
            from_salesforce: false,
            ical_uid: None,
            is_organizer: false,
            shared_event_id: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// Made by the write that returned it: a new link's two stamps are that write's `now`,
    /// and any later write moves `updated_at` on.
    pub fn is_new(&self) -> bool {
        self.created_at == self.updated_at
    }
}

text_enum! {
    /// Who selected the meeting: the rep in the pane, or the Outlook category alone.
    pub enum SelectedBy {
        Pane = "pane",
        Category = "category",
    }
}

text_enum! {
    pub enum LinkState {
        /// Chosen or changed, waiting for the pipeline.
        Pending = "pending",
        Synced = "synced",
        Failed = "failed",
        Removed = "removed",
    }
}

/// What the rep chose for an event.
#[derive(Debug, Clone)]
pub struct Selection<'a> {
    pub user_id: &'a UserId,
    pub outlook_event_id: &'a str,
    pub outlook_series_id: Option<&'a str>,
    pub selected: bool,
    pub who_ids: &'a [&'a str],
    pub what_id: Option<&'a str>,
    /// The meeting as the pane saw it; `None` keeps what is stored.
    pub meeting: Option<&'a Meeting>,
    /// The related records' names as the rep saw them; `None` keeps what is stored.
    pub record_names: Option<&'a BTreeMap<String, RecordName>>,
}

/// When the meeting written to Salesforce takes place (UTC; so that a full delta round can tell
/// a deleted meeting from one outside its window), and how many of the link's Contacts the
/// org could not take (one `WhoId` without Shared Activities).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsWritten {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub who_ids_left_out: i64,
}

/// An Event written (created, found again or updated) from the Outlook event, and what each
/// side holds now.
#[derive(Debug, Clone, Copy)]
pub struct Written<'a> {
    pub event_id: &'a str,
    /// The hash of every field of the Event as the mapping gives them now.
    pub hash: &'a str,
    pub meeting: AsWritten,
    /// What each side now holds, as both last agreed (rule 4 compares later changes with it).
    pub outlook_content: &'a Content,
    pub salesforce_content: &'a Content,
    /// The Outlook event's version the write came from (its echo is no change).
    pub outlook_change_key: Option<&'a str>,
}

macro_rules! columns {
    () => {
        "id, user_id, outlook_event_id, outlook_series_id, salesforce_event_id, \
         selected, who_ids, what_id, state, salesforce_hash, outlook_change_key, \
         write_intent, last_error_code, meeting, meeting_seen_at, selected_by, from_series, \
         attendees_seen, auto_relations, outlook_start, outlook_end, removal_seen, who_ids_left_out, \
         by_scope, outlook_content, salesforce_content, from_salesforce, ical_uid, is_organizer, \
         shared_event_id, record_names, created_at, updated_at"
    };
}

/// The attendees the sync saw, and the Contacts it related for them.
pub mod attendees;
/// The selection category's own links (`selected_by = 'category'`).
pub mod by_category;
/// The links of meetings a configuration that syncs every meeting selected.
pub mod by_scope;
/// The occurrences' links of a series the rep selected (`from_series`).
pub mod by_series;
/// What the sync made of a link: the write it is about to send, the write it recorded, the
/// state it moved the link to, the Event it let go.
pub mod outcome;
/// The deletions delta rounds saw.
pub mod removals;
/// The tenant's failures and waits by cause, for admins.
pub mod report;
/// Each side's content as the sync left it, and the links of Events that came from Salesforce.
pub mod salesforce_side;
/// The rep's choice for an event.
pub mod selection;
/// Meetings several reps of one org attend: one Event, one owning link, the others invited.
pub mod shared;

pub async fn find(db: &Db, id: &str) -> Result<Option<EventLink>, StorageError> {
    let sql = concat!("SELECT ", columns!(), " FROM event_links WHERE id = $1");
    let link = with_pool!(db, pool => {
        sqlx::query_as::<_, EventLink>(sql).bind(id).fetch_optional(pool).await?
    });
    Ok(link)
}

pub async fn find_by_outlook_id(
    db: &Db,
    user_id: &UserId,
    outlook_event_id: &str,
) -> Result<Option<EventLink>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM event_links WHERE user_id = $1 AND outlook_event_id = $2"
    );
    let link = with_pool!(db, pool => {
        sqlx::query_as::<_, EventLink>(sql)
            .bind(user_id)
            .bind(outlook_event_id)
            .fetch_optional(pool)
            .await?
    });
    Ok(link)
}

/// The user's links of these Outlook events (at most a sync batch's worth; one query), in no
/// particular order; an event without a link is left out.
pub async fn find_many_by_outlook_ids(
    db: &Db,
    user_id: &UserId,
    outlook_event_ids: &[&str],
) -> Result<Vec<EventLink>, StorageError> {
    find_many_by(db, user_id, Side::Outlook, outlook_event_ids).await
}

/// Which ids [`find_many_by`] looks links up by: the link's own, or one side's.
#[derive(Debug, Clone, Copy)]
pub enum Side {
    Link,
    Outlook,
    Salesforce,
}

/// The user's links whose `side` id is one of `ids` (one query), in no particular order.
pub async fn find_many_by(
    db: &Db,
    user_id: &UserId,
    side: Side,
    ids: &[&str],
) -> Result<Vec<EventLink>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let column = match side {
        Side::Link => "id",
        Side::Outlook => "outlook_event_id",
        Side::Salesforce => "salesforce_event_id",
    };
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT {} FROM event_links WHERE user_id = $1 AND {column} IN ({})",
        columns!(),
        placeholders.join(", ")
    );
    let links = with_pool!(db, pool => {
        // Only the column (one of three fixed names) and the placeholders are built: every value
        // is bound.
        let mut query = sqlx::query_as::<_, EventLink>(sqlx::AssertSqlSafe(sql.clone())).bind(user_id);
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await?
    });
    Ok(links)
}

pub async fn find_by_salesforce_id(
    db: &Db,
    salesforce_event_id: &str,
) -> Result<Option<EventLink>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM event_links WHERE salesforce_event_id = $1"
    );
    let link = with_pool!(db, pool => {
        sqlx::query_as::<_, EventLink>(sql).bind(salesforce_event_id).fetch_optional(pool).await?
    });
    Ok(link)
}

/// A user's links in one state, oldest change first.
pub async fn list_for_user(
    db: &Db,
    user_id: &UserId,
    state: LinkState,
    limit: i64,
) -> Result<Vec<EventLink>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM event_links WHERE user_id = $1 AND state = $2 \
         ORDER BY updated_at, id LIMIT $3"
    );
    let links = with_pool!(db, pool => {
        sqlx::query_as::<_, EventLink>(sql)
            .bind(user_id)
            .bind(state)
            .bind(limit)
            .fetch_all(pool)
            .await?
    });
    Ok(links)
}

/// What the links say about the Events an interrupted create may have made, read in one
/// statement (one snapshot): which of `event_ids` a link of any rep names already (an Event a
/// write must never adopt), and the user's creates sent and not yet recorded (link id, intent).
/// Two reads would let a twin's link move from the second set to the first between them, and
/// be counted in neither.
pub async fn claims(db: &Db, user_id: &UserId, event_ids: &[&str]) -> Result<Claims, StorageError> {
    let mut sql = String::from(
        "SELECT id, write_intent, salesforce_event_id FROM event_links \
         WHERE user_id = $1 AND salesforce_event_id IS NULL AND write_intent IS NOT NULL",
    );
    if !event_ids.is_empty() {
        let placeholders: Vec<String> =
            (2..=event_ids.len() + 1).map(|i| format!("${i}")).collect();
        sql.push_str(&format!(
            " UNION ALL SELECT id, write_intent, salesforce_event_id FROM event_links \
             WHERE salesforce_event_id IN ({})",
            placeholders.join(", ")
        ));
    }
    let rows: Vec<(String, Option<String>, Option<String>)> = with_pool!(db, pool => {
        // Only the placeholders are built: every value is bound.
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(user_id);
        for id in event_ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await?
    });
    let mut claims = Claims::default();
    for (link_id, intent, event_id) in rows {
        match (event_id, intent) {
            (Some(event_id), _) => claims.named.push(event_id),
            (None, Some(intent)) => claims.in_flight.push((link_id, intent)),
            (None, None) => {}
        }
    }
    Ok(claims)
}

/// See [`claims`].
#[derive(Debug, Default)]
pub struct Claims {
    pub named: Vec<String>,
    pub in_flight: Vec<(String, String)>,
}

/// Every link of a user, selected or not, in any state.
pub async fn all_for_user(db: &Db, user_id: &UserId) -> Result<Vec<EventLink>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM event_links WHERE user_id = $1 ORDER BY id"
    );
    let links = with_pool!(db, pool => {
        sqlx::query_as::<_, EventLink>(sql).bind(user_id).fetch_all(pool).await?
    });
    Ok(links)
}

/// How many of a user's links are in each state (selected or not), for their sync status.
pub async fn count_by_state(
    db: &Db,
    user_id: &UserId,
) -> Result<Vec<(LinkState, i64)>, StorageError> {
    const SQL: &str =
        "SELECT state, COUNT(*) FROM event_links WHERE user_id = $1 GROUP BY state ORDER BY state";
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, (LinkState, i64)>(SQL).bind(user_id).fetch_all(pool).await?
    });
    Ok(rows)
}

/// How many of a user's links carry `code` (a wait's, or a failure's).
pub async fn count_with_code(
    db: &Db,
    user_id: &UserId,
    code: LinkCode,
) -> Result<i64, StorageError> {
    const SQL: &str =
        "SELECT COUNT(*) FROM event_links WHERE user_id = $1 AND last_error_code = $2";
    let count = with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>(SQL).bind(user_id).bind(code).fetch_one(pool).await?
    });
    Ok(count)
}
