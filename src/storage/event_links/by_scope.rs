//! Links a configuration that syncs every meeting (`scope: all`) makes: each meeting of the
//! window with no link yet is selected, its sync queued in the same transaction. The sync then
//! relates its attendees, or skips it when none matches. A meeting with a link already (the
//! rep's choice, the category, a series) is left as it is.

use chrono::{DateTime, Utc};

use crate::ids::UserId;
use crate::storage::jobs::{NewJob, insert_job};
use crate::storage::{Db, StorageError, new_id, with_pool};

const SELECT_BY_SCOPE: &str = "INSERT INTO event_links (id, user_id, outlook_event_id, \
       outlook_series_id, selected, state, by_scope, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, TRUE, 'pending', TRUE, $5, $5) \
     ON CONFLICT (user_id, outlook_event_id) DO NOTHING";

/// Selects each of `meetings` (an Outlook id and its series, if any) that has no link yet, and
/// queues its sync (`job_for`). Returns how many were new.
pub async fn select(
    db: &Db,
    user_id: &UserId,
    meetings: &[(&str, Option<&str>)],
    job_for: impl Fn(&str) -> Result<NewJob, StorageError>,
    now: DateTime<Utc>,
) -> Result<usize, StorageError> {
    if meetings.is_empty() {
        return Ok(0);
    }
    let selected = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let mut selected = 0;
        for (id, series) in meetings {
            let inserted = sqlx::query(SELECT_BY_SCOPE)
                .bind(new_id())
                .bind(user_id)
                .bind(id)
                .bind(series)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if inserted == 1 {
                let job = job_for(id)?;
                insert_job!(job, new_id(), now).execute(&mut *tx).await?;
                selected += 1;
            }
        }
        tx.commit().await?;
        selected
    });
    Ok(selected)
}
