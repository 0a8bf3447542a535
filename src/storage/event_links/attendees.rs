//! The attendees a link's sync last saw, and the Contacts it related for them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::column::JsonText;
use crate::storage::history::{NewEntry, update_with_entry};
use crate::storage::{Db, StorageError, with_pool};

const RECORD: &str =
    "UPDATE event_links SET attendees_seen = $1, auto_relations = $2 WHERE id = $3";

/// Records the attendees the sync saw and the Contacts it related for them and, in the same
/// transaction, what that changed in the meeting's history.
pub async fn record(
    db: &Db,
    id: &str,
    seen: &[String],
    auto_relations: &BTreeMap<String, String>,
    entry: Option<&NewEntry<'_>>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        update_with_entry!(pool, entry, now, |tx| {
            sqlx::query(RECORD)
                .bind(JsonText(seen))
                .bind(JsonText(auto_relations))
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
    });
    Ok(())
}
