//! When each linked meeting takes place (so that a full delta round can tell a deleted meeting
//! from one outside its window), and the deletions a delta round saw: only those does the sync
//! carry out, so that every deletion passes the deletion circuit breaker.

use chrono::{DateTime, Utc};

use crate::storage::{Db, StorageError, with_pool};

const RECORD_SPAN: &str = "UPDATE event_links SET outlook_start = $1, outlook_end = $2, \
     removal_seen = FALSE WHERE id = $3";

/// Records when the link's meeting takes place, as just written (it is there: any deletion a
/// round saw before is over).
pub async fn record_span(
    db: &Db,
    id: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(RECORD_SPAN).bind(start).bind(end).bind(id).execute(pool).await?;
    });
    Ok(())
}

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
