//! Event links: an Outlook event (or one occurrence of a series) tied to a Salesforce Event.
//!
//! The row records what the rep chose (selection, related Who and What ids) and, per side, the
//! hash of the values last written and that side's change marker, so the pipeline can tell an
//! echo of its own write from a real change and a real change from a conflict.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::jobs::NewJob;
use super::text::{JsonText, text_enum};
use super::{Db, StorageError, from_row, new_id, one_row, with_pool};
use crate::ids::UserId;
use crate::meeting::Meeting;
use crate::sync::content::Content;

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
    pub outlook_hash: Option<String>,
    pub salesforce_hash: Option<String>,
    pub outlook_change_key: Option<String>,
    pub salesforce_modstamp: Option<String>,
    /// The idempotency key of a Salesforce write recorded before it is sent.
    pub write_intent: Option<String>,
    pub last_error_code: Option<String>,
    /// The meeting as the pane last saw it in Outlook.
    pub meeting: Option<JsonText<Meeting>>,
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
    outlook_hash,
    salesforce_hash,
    outlook_change_key,
    salesforce_modstamp,
    write_intent,
    last_error_code,
    meeting,
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
            outlook_hash: None,
            salesforce_hash: None,
            outlook_change_key: None,
            salesforce_modstamp: None,
            write_intent: None,
            last_error_code: None,
            meeting: None,
            selected_by: SelectedBy::Pane,
            from_series: false,
            attendees_seen: None,
            auto_relations: JsonText(BTreeMap::new()),
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

/// A successful write to one side.
#[derive(Debug, Clone, Copy)]
pub enum Written<'a> {
    Salesforce {
        event_id: &'a str,
        hash: &'a str,
        modstamp: &'a str,
        meeting: AsWritten,
        /// What both sides now hold (rule 4 compares later changes with it).
        content: Option<&'a Content>,
    },
    Outlook {
        hash: &'a str,
        change_key: &'a str,
    },
}

macro_rules! columns {
    () => {
        "id, user_id, outlook_event_id, outlook_series_id, salesforce_event_id, \
         selected, who_ids, what_id, state, outlook_hash, salesforce_hash, outlook_change_key, \
         salesforce_modstamp, write_intent, last_error_code, meeting, selected_by, from_series, \
         attendees_seen, auto_relations, outlook_start, outlook_end, removal_seen, who_ids_left_out, \
         by_scope, outlook_content, salesforce_content, from_salesforce, ical_uid, is_organizer, \
         shared_event_id, created_at, updated_at"
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
/// The deletions delta rounds saw.
pub mod removals;
/// The tenant's failures and waits by cause, for admins.
pub mod report;
/// Each side's content as the sync left it, and the links of Events that came from Salesforce.
pub mod salesforce_side;
/// Meetings several reps of one org attend: one Event, one owning link, the others invited.
pub mod shared;

const UPSERT_SELECTION: &str = concat!(
    "INSERT INTO event_links (id, user_id, outlook_event_id, outlook_series_id, selected, \
       who_ids, what_id, meeting, state, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $9) \
     ON CONFLICT (user_id, outlook_event_id) DO UPDATE SET \
       outlook_series_id = COALESCE(excluded.outlook_series_id, event_links.outlook_series_id), \
       selected = excluded.selected, who_ids = excluded.who_ids, \
       what_id = excluded.what_id, meeting = COALESCE(excluded.meeting, event_links.meeting), \
       state = 'pending', last_error_code = NULL, selected_by = 'pane', \
       from_series = FALSE, by_scope = FALSE, auto_relations = '{}', removal_seen = FALSE, \
       updated_at = excluded.updated_at \
     RETURNING ",
    columns!(),
    ""
);

/// Records the rep's choice for an event, creating the link on first use. The link goes back
/// to `pending` so the pipeline picks the change up.
pub async fn upsert_selection(
    db: &Db,
    selection: &Selection<'_>,
    now: DateTime<Utc>,
) -> Result<EventLink, StorageError> {
    select_and_queue(db, selection, None, now).await
}

/// Records the rep's choice and, in the same transaction, queues `job` (the sync of the link):
/// the choice is never stored without its sync queued, nor the sync queued for a choice that
/// was not stored.
pub async fn select_and_queue(
    db: &Db,
    selection: &Selection<'_>,
    job: Option<&NewJob>,
    now: DateTime<Utc>,
) -> Result<EventLink, StorageError> {
    let link = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let link = sqlx::query_as::<_, EventLink>(UPSERT_SELECTION)
            .bind(new_id())
            .bind(selection.user_id)
            .bind(selection.outlook_event_id)
            .bind(selection.outlook_series_id)
            .bind(selection.selected)
            .bind(JsonText(selection.who_ids))
            .bind(selection.what_id)
            .bind(selection.meeting.map(JsonText))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(job) = job {
            super::jobs::insert_job!(job, new_id(), now).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        link
    });
    Ok(link)
}

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

const RECORD_INTENT: &str =
    "UPDATE event_links SET write_intent = $1, updated_at = $2 WHERE id = $3";

/// Records, before a Salesforce write is sent, the idempotency key that lets a retry find the
/// write instead of repeating it.
pub async fn record_write_intent(
    db: &Db,
    id: &str,
    intent: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(RECORD_INTENT).bind(intent).bind(now).bind(id).execute(pool).await?.rows_affected()
    });
    one_row(updated)
}

// The meeting is there as written: any deletion a round saw before is over.
const WRITTEN_SALESFORCE: &str = "UPDATE event_links SET salesforce_event_id = $1, \
     salesforce_hash = $2, salesforce_modstamp = $3, write_intent = NULL, state = 'synced', \
     last_error_code = NULL, outlook_start = $6, outlook_end = $7, who_ids_left_out = $8, \
     removal_seen = FALSE, outlook_content = COALESCE($9, outlook_content), \
     salesforce_content = COALESCE($9, salesforce_content), updated_at = $4 WHERE id = $5";
const WRITTEN_OUTLOOK: &str = "UPDATE event_links SET outlook_hash = $1, \
     outlook_change_key = $2, state = 'synced', last_error_code = NULL, updated_at = $3 \
     WHERE id = $4";

/// Records a completed write: the side's hash and change marker, and the link is `synced`.
pub async fn record_written(
    db: &Db,
    id: &str,
    written: Written<'_>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        match written {
            Written::Salesforce { event_id, hash, modstamp, meeting, content } => sqlx::query(WRITTEN_SALESFORCE)
                .bind(event_id)
                .bind(hash)
                .bind(modstamp)
                .bind(now)
                .bind(id)
                .bind(meeting.start)
                .bind(meeting.end)
                .bind(meeting.who_ids_left_out)
                .bind(content.map(JsonText))
                .execute(pool)
                .await
                .map_err(StorageError::on_unique("Salesforce event"))?,
            Written::Outlook { hash, change_key } => sqlx::query(WRITTEN_OUTLOOK)
                .bind(hash)
                .bind(change_key)
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?,
        }
        .rows_affected()
    });
    one_row(updated)
}

const SET_STATE: &str =
    "UPDATE event_links SET state = $1, last_error_code = $2, updated_at = $3 WHERE id = $4";

/// Moves a link to `failed` (with the error code the pane explains) or `removed`.
pub async fn set_state(
    db: &Db,
    id: &str,
    state: LinkState,
    error_code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(SET_STATE)
            .bind(state)
            .bind(error_code)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    one_row(updated)
}

const FORGET_SALESFORCE_EVENT: &str = "UPDATE event_links SET salesforce_event_id = NULL, \
     salesforce_hash = NULL, salesforce_modstamp = NULL, write_intent = NULL, state = 'removed', \
     last_error_code = NULL, updated_at = $1 WHERE id = $2";

/// The link's Salesforce Event is gone (deleted by the sync, per policy): the link stays,
/// `removed`, so that selecting the meeting again writes one Event anew.
pub async fn forget_salesforce_event(
    db: &Db,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(FORGET_SALESFORCE_EVENT).bind(now).bind(id).execute(pool).await?.rows_affected()
    });
    one_row(updated)
}

const RECORD_OUTLOOK_SEEN: &str = "UPDATE event_links SET outlook_change_key = $1 WHERE id = $2";

/// The Outlook event's change key as the sync last read (or wrote) it, so that a delta round
/// tells our own writes and unchanged events from real edits.
pub async fn record_outlook_seen(db: &Db, id: &str, change_key: &str) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(RECORD_OUTLOOK_SEEN).bind(change_key).bind(id).execute(pool).await?.rows_affected()
    });
    Ok(())
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
