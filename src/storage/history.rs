//! Item history: every decision the product takes about an item, so that each can be explained
//! to the rep or the admin later.

use chrono::{DateTime, Utc};

use super::text::{JsonText, text_enum};
use super::{Db, StorageError, from_row, with_pool};
use crate::ids::UserId;

text_enum! {
    /// Who took a decision.
    pub enum Actor {
        Rep = "rep",
        Admin = "admin",
        System = "system",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub id: i64,
    pub user_id: UserId,
    pub link_id: Option<String>,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub action: String,
    /// A JSON object with the facts behind the decision (ids, hashes, the losing values of a
    /// conflict); never tokens.
    pub detail: JsonText<serde_json::Value>,
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

pub struct NewEntry<'a> {
    pub user_id: &'a UserId,
    pub link_id: Option<&'a str>,
    pub actor: Actor,
    pub action: &'a str,
    pub detail: &'a serde_json::Value,
}

macro_rules! columns {
    () => {
        "id, user_id, link_id, at, actor, action, detail"
    };
}

pub async fn append(
    db: &Db,
    entry: &NewEntry<'_>,
    now: DateTime<Utc>,
) -> Result<HistoryEntry, StorageError> {
    let sql = concat!(
        "INSERT INTO item_history (user_id, link_id, at, actor, action, detail) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
        columns!(),
        ""
    );
    let entry = with_pool!(db, pool => {
        sqlx::query_as::<_, HistoryEntry>(sql)
            .bind(entry.user_id)
            .bind(entry.link_id)
            .bind(now)
            .bind(entry.actor)
            .bind(entry.action)
            .bind(JsonText(entry.detail))
            .fetch_one(pool)
            .await?
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
