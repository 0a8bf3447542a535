//! The attendees a link's sync last saw, and the Contacts it related for them.

use std::collections::BTreeMap;

use crate::storage::text::JsonText;
use crate::storage::{Db, StorageError, one_row, with_pool};

const RECORD: &str =
    "UPDATE event_links SET attendees_seen = $1, auto_relations = $2 WHERE id = $3";

/// Records the attendees' addresses the sync has now seen (lower case) and the Contacts it
/// related for them, by address.
pub async fn record(
    db: &Db,
    id: &str,
    seen: &[String],
    auto_relations: &BTreeMap<String, String>,
) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(RECORD)
            .bind(JsonText(seen))
            .bind(JsonText(auto_relations))
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    one_row(updated)
}
