//! Item history: every decision the product takes about an item, so that each can be explained
//! to the rep or the admin later.

use chrono::{DateTime, Utc};

use super::{Db, StorageError, from_row, with_pool};
use crate::column::{JsonText, text_enum};
use crate::ids::UserId;
use crate::sync::model::history::{Action, Detail};

text_enum! {
    /// Who took a decision.
    pub enum Actor {
        Rep = "rep",
        Admin = "admin",
        System = "system",
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub id: i64,
    pub user_id: UserId,
    pub link_id: Option<String>,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub action: Action,
    /// The facts behind the decision (ids, the fields written, the losing values of a
    /// conflict); never tokens.
    pub detail: JsonText<Detail>,
}

from_row!(HistoryEntry {
    id,
    user_id,
    link_id,
    at,
    actor,
    action,
    detail
});

#[derive(Debug, Clone, Copy)]
pub struct NewEntry<'a> {
    pub user_id: &'a UserId,
    pub link_id: Option<&'a str>,
    pub actor: Actor,
    pub action: Action,
    pub detail: &'a Detail,
}

macro_rules! columns {
    () => {
        "id, user_id, link_id, at, actor, action, detail"
    };
}

pub(crate) const APPEND_SQL: &str = concat!(
    "INSERT INTO item_history (user_id, link_id, at, actor, action, detail) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
    columns!(),
    ""
);

/// The statement that appends `entry`, for a caller that runs it in its own transaction with
/// the change it records (a decision is never kept without its effect, nor the effect without
/// its decision).
macro_rules! append_query {
    ($entry:expr, $now:expr) => {
        sqlx::query_as::<_, $crate::storage::history::HistoryEntry>(
            $crate::storage::history::APPEND_SQL,
        )
        .bind($entry.user_id)
        .bind($entry.link_id)
        .bind($now)
        .bind($entry.actor)
        .bind($entry.action)
        .bind($crate::column::JsonText($entry.detail))
    };
}
pub(crate) use append_query;

/// Inside `with_pool!`: in one transaction `tx`, `update` (the rows it changed) must change
/// exactly one row, and `entry`, when there is one, is kept in the meeting's history: a link
/// and the decision that moved it are written together or not at all.
macro_rules! update_with_entry {
    ($pool:expr, $entry:expr, $now:expr, |$tx:ident| $update:expr) => {{
        let mut $tx = $pool.begin().await?;
        let updated: u64 = $update;
        $crate::storage::one_row(updated)?;
        if let Some(entry) = $entry {
            $crate::storage::history::append_query!(entry, $now)
                .fetch_one(&mut *$tx)
                .await?;
        }
        $tx.commit().await?;
    }};
}
pub(crate) use update_with_entry;

pub async fn append(
    db: &Db,
    entry: &NewEntry<'_>,
    now: DateTime<Utc>,
) -> Result<HistoryEntry, StorageError> {
    let entry = with_pool!(db, pool => {
        append_query!(entry, now).fetch_one(pool).await?
    });
    Ok(entry)
}

/// The history of one linked item, oldest first.
pub async fn list_for_link(db: &Db, link_id: &str) -> Result<Vec<HistoryEntry>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM item_history WHERE link_id = $1 ORDER BY id"
    );
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, HistoryEntry>(sql).bind(link_id).fetch_all(pool).await?
    });
    Ok(rows)
}

/// A user's most recent entries, newest first; `before` pages backwards by id.
pub async fn list_for_user(
    db: &Db,
    user_id: &UserId,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<HistoryEntry>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM item_history WHERE user_id = $1 AND ($2 IS NULL OR id < $2) \
         ORDER BY id DESC LIMIT $3"
    );
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, HistoryEntry>(sql)
            .bind(user_id)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await?
    });
    Ok(rows)
}
