//! The links of a selected series' occurrences (`from_series`): one per occurrence in the
//! window, following the series' selection and relations, each with its sync queued in the
//! same transaction. An occurrence the rep chose for in the pane is theirs and left alone.

use chrono::{DateTime, Utc};

use super::EventLink;
use crate::column::JsonText;
use crate::ids::UserId;
use crate::storage::jobs::{NewJob, insert_job};
use crate::storage::{Db, StorageError, new_id, with_pool};

// Returns a row only when the occurrence's link is new or its series' choice changed for it.
const ADOPT: &str = "INSERT INTO event_links (id, user_id, outlook_event_id, outlook_series_id, \
       selected, who_ids, what_id, state, from_series, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', TRUE, $8, $8) \
     ON CONFLICT (user_id, outlook_event_id) DO UPDATE SET \
       selected = excluded.selected, who_ids = excluded.who_ids, what_id = excluded.what_id, \
       state = 'pending', last_error_code = NULL, updated_at = excluded.updated_at \
     WHERE event_links.from_series AND (event_links.selected <> excluded.selected \
       OR event_links.who_ids <> excluded.who_ids \
       OR COALESCE(event_links.what_id, '') <> COALESCE(excluded.what_id, '')) \
     RETURNING outlook_event_id";

/// Gives each of `occurrences` of the series `master` a link that follows the series' choice
/// (selected, related to the same records), and queues the sync (`job_for`) of each link that
/// is new or changed. Returns how many were.
pub async fn adopt(
    db: &Db,
    master: &EventLink,
    occurrences: &[&str],
    job_for: impl Fn(&str) -> Result<NewJob, StorageError>,
    now: DateTime<Utc>,
) -> Result<usize, StorageError> {
    let changed = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let mut changed = 0;
        for occurrence in occurrences {
            let row: Option<(String,)> = sqlx::query_as(ADOPT)
                .bind(new_id())
                .bind(&master.user_id)
                .bind(occurrence)
                .bind(&master.outlook_event_id)
                .bind(master.selected)
                .bind(JsonText(&master.who_ids.0))
                .bind(&master.what_id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some((id,)) = row {
                let job = job_for(&id)?;
                insert_job!(job, new_id(), now).execute(&mut *tx).await?;
                changed += 1;
            }
        }
        tx.commit().await?;
        changed
    });
    Ok(changed)
}

const RELEASE: &str = "UPDATE event_links SET selected = FALSE, state = 'pending', \
       last_error_code = NULL, updated_at = $1 \
     WHERE user_id = $2 AND outlook_series_id = $3 AND from_series AND selected \
     RETURNING outlook_event_id";

/// The rep stopped syncing the series `series_id`: every occurrence that followed it is
/// unselected, its last sync queued. Returns how many were.
pub async fn release(
    db: &Db,
    user_id: &UserId,
    series_id: &str,
    job_for: impl Fn(&str) -> Result<NewJob, StorageError>,
    now: DateTime<Utc>,
) -> Result<usize, StorageError> {
    let released = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let ids: Vec<(String,)> = sqlx::query_as(RELEASE)
            .bind(now)
            .bind(user_id)
            .bind(series_id)
            .fetch_all(&mut *tx)
            .await?;
        for (id,) in &ids {
            let job = job_for(id)?;
            insert_job!(job, new_id(), now).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        ids.len()
    });
    Ok(released)
}
