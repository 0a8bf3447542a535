//! Each side's content as the sync last left it (rule 4), and the links of Outlook events the
//! sync made from Salesforce Events (Salesforce → Outlook).

use chrono::{DateTime, Utc};

use super::{EventLink, JsonText};
use crate::ids::UserId;
use crate::storage::{Db, StorageError, new_id, one_row, with_pool};
use crate::sync::model::codes::LinkCode;
use crate::sync::model::content::Content;

const RECORD_CONTENTS: &str = "UPDATE event_links SET \
     outlook_content = COALESCE($1, outlook_content), \
     salesforce_content = COALESCE($2, salesforce_content) WHERE id = $3";

/// Each side's content as a sync left it (`None` keeps a side's as it was).
pub async fn record_contents(
    db: &Db,
    id: &str,
    outlook: Option<&Content>,
    salesforce: Option<&Content>,
) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(RECORD_CONTENTS)
            .bind(outlook.map(JsonText))
            .bind(salesforce.map(JsonText))
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    one_row(updated)
}

/// A link the sync makes for an Outlook event it created from a Salesforce Event.
pub struct FromSalesforce<'a> {
    pub user_id: &'a UserId,
    pub outlook_event_id: &'a str,
    pub salesforce_event_id: &'a str,
    pub outlook_change_key: Option<&'a str>,
    pub who_ids: &'a [String],
    pub what_id: Option<&'a str>,
    /// Both sides hold this now.
    pub content: &'a Content,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

const CREATE: &str = concat!(
    "INSERT INTO event_links (id, user_id, outlook_event_id, salesforce_event_id, selected, \
       who_ids, what_id, state, outlook_change_key, outlook_content, salesforce_content, \
       from_salesforce, outlook_start, outlook_end, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, TRUE, $5, $6, 'synced', $7, $8, $8, TRUE, $9, $10, $11, $11) \
     ON CONFLICT (user_id, outlook_event_id) DO UPDATE SET updated_at = excluded.updated_at \
     RETURNING ",
    columns!(),
    ""
);

/// Links the Outlook event made from a Salesforce Event (again, after a crash between the two:
/// the link already there is returned).
pub async fn create(
    db: &Db,
    link: &FromSalesforce<'_>,
    now: DateTime<Utc>,
) -> Result<EventLink, StorageError> {
    let made = with_pool!(db, pool => {
        sqlx::query_as::<_, EventLink>(CREATE)
            .bind(new_id())
            .bind(link.user_id)
            .bind(link.outlook_event_id)
            .bind(link.salesforce_event_id)
            .bind(JsonText(link.who_ids))
            .bind(link.what_id)
            .bind(link.outlook_change_key)
            .bind(JsonText(link.content))
            .bind(link.start)
            .bind(link.end)
            .bind(now)
            .fetch_one(pool)
            .await
            .map_err(StorageError::on_unique("Salesforce event"))?
    });
    Ok(made)
}

/// The user's links of these Salesforce Events (one query), in no particular order.
pub async fn find_many(
    db: &Db,
    user_id: &UserId,
    salesforce_event_ids: &[&str],
) -> Result<Vec<EventLink>, StorageError> {
    super::find_many_by(db, user_id, super::Side::Salesforce, salesforce_event_ids).await
}

const IN_FLIGHT: &str = "SELECT id, write_intent FROM event_links \
     WHERE user_id = $1 AND salesforce_event_id IS NULL AND write_intent IS NOT NULL";

/// The intents of the user's creates that were sent (or are being sent) and not yet recorded,
/// by link: an Event one of them made is the Outlook → Salesforce sync's to link.
pub async fn in_flight(db: &Db, user_id: &UserId) -> Result<Vec<(String, String)>, StorageError> {
    let rows: Vec<(String, String)> = with_pool!(db, pool => {
        sqlx::query_as(IN_FLIGHT).bind(user_id).fetch_all(pool).await?
    });
    Ok(rows)
}

const UNLINK: &str = "UPDATE event_links SET salesforce_event_id = NULL, salesforce_hash = NULL, \
     write_intent = NULL, selected = FALSE, state = 'removed', last_error_code = $1, \
     updated_at = $2 WHERE id = $3";

/// The link's Salesforce Event was deleted in Salesforce: the link is dropped (rule 5), its
/// meeting no longer synced (so nothing writes the Event again), and it says why.
pub async fn unlink(
    db: &Db,
    id: &str,
    code: LinkCode,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(UNLINK).bind(code).bind(now).bind(id).execute(pool).await?.rows_affected()
    });
    one_row(updated)
}
