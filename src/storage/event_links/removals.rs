//! The deletions a delta round saw: only those does the sync carry out, so that every deletion
//! passes the deletion circuit breaker.

use crate::storage::{Db, StorageError, with_pool};

const MARK_SEEN: &str = "UPDATE event_links SET removal_seen = TRUE WHERE id = $1";

/// A round saw these links' meetings go: their syncs may delete the Events.
pub async fn mark_seen(db: &Db, ids: &[&str]) -> Result<(), StorageError> {
    if ids.is_empty() {
        return Ok(());
    }
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        for id in ids {
            sqlx::query(MARK_SEEN).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
    });
    Ok(())
}
