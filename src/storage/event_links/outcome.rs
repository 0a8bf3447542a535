use chrono::{DateTime, Utc};

use super::{LinkState, Written};
use crate::column::JsonText;
use crate::storage::history::{NewEntry, update_with_entry};
use crate::storage::{Db, StorageError, one_row, with_pool};
use crate::sync::model::codes::LinkCode;

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
const WRITTEN: &str = "UPDATE event_links SET salesforce_event_id = $1, salesforce_hash = $2, \
     write_intent = NULL, state = 'synced', last_error_code = NULL, outlook_start = $3, \
     outlook_end = $4, who_ids_left_out = $5, removal_seen = FALSE, outlook_content = $6, \
     salesforce_content = $7, outlook_change_key = COALESCE($8, outlook_change_key), \
     updated_at = $9 WHERE id = $10";

/// Records a write to Salesforce (the link `synced`) and, in the same transaction, the decision
/// in the meeting's history. An Event another link names already is a conflict.
pub async fn record_written(
    db: &Db,
    id: &str,
    written: Written<'_>,
    entry: Option<&NewEntry<'_>>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        update_with_entry!(pool, entry, now, |tx| {
            sqlx::query(WRITTEN)
                .bind(written.event_id)
                .bind(written.hash)
                .bind(written.meeting.start)
                .bind(written.meeting.end)
                .bind(written.meeting.who_ids_left_out)
                .bind(JsonText(written.outlook_content))
                .bind(JsonText(written.salesforce_content))
                .bind(written.outlook_change_key)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(StorageError::on_unique("Salesforce event"))?
                .rows_affected()
        });
    });
    Ok(())
}

const SET_STATE: &str =
    "UPDATE event_links SET state = $1, last_error_code = $2, updated_at = $3 WHERE id = $4";

/// Moves a link to a state (with the code the pane explains) and, in the same transaction,
/// keeps the decision that moved it in the meeting's history.
pub async fn set_state(
    db: &Db,
    id: &str,
    state: LinkState,
    code: Option<LinkCode>,
    entry: Option<&NewEntry<'_>>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        update_with_entry!(pool, entry, now, |tx| {
            sqlx::query(SET_STATE)
                .bind(state)
                .bind(code)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
    });
    Ok(())
}

const FORGET_SALESFORCE_EVENT: &str = "UPDATE event_links SET salesforce_event_id = NULL, \
     salesforce_hash = NULL, write_intent = NULL, outlook_content = NULL, \
     salesforce_content = NULL, state = 'removed', last_error_code = $1, updated_at = $2 \
     WHERE id = $3";

/// The link's Salesforce Event is gone (deleted by the sync, per policy): the link stays,
/// `removed` (saying why), so that selecting the meeting again writes one Event anew; the
/// decision is kept in the same transaction.
pub async fn forget_salesforce_event(
    db: &Db,
    id: &str,
    code: Option<LinkCode>,
    entry: Option<&NewEntry<'_>>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        update_with_entry!(pool, entry, now, |tx| {
            sqlx::query(FORGET_SALESFORCE_EVENT)
                .bind(code)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
    });
    Ok(())
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
