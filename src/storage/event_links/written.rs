//! What a write to Salesforce carried besides its hash: when the meeting takes place (so that a
//! full delta round can tell a deleted meeting from one outside its window), and how many of
//! the link's Contacts the org could not take (one `WhoId` without Shared Activities).

use chrono::{DateTime, Utc};

use crate::storage::{Db, StorageError, with_pool};

/// When the meeting written takes place, and what its relations lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsWritten {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub who_ids_left_out: i64,
}

const RECORD: &str = "UPDATE event_links SET outlook_start = $1, outlook_end = $2, \
     who_ids_left_out = $3, removal_seen = FALSE WHERE id = $4";

/// Records the write just made (the meeting is there: any deletion a round saw before is over).
pub async fn record(db: &Db, id: &str, written: AsWritten) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(RECORD)
            .bind(written.start)
            .bind(written.end)
            .bind(written.who_ids_left_out)
            .bind(id)
            .execute(pool)
            .await?;
    });
    Ok(())
}
