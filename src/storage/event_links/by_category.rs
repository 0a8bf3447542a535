//! Links the Outlook selection category makes and unmakes: a meeting the rep put the category
//! on, with no link yet, is selected; taking the category off unselects only such a link (the
//! rep's choice in the pane always governs).

use chrono::{DateTime, Utc};

use super::EventLink;
use crate::ids::UserId;
use crate::storage::jobs::{NewJob, insert_job};
use crate::storage::{Db, StorageError, new_id, with_pool};

const SELECT_BY_CATEGORY: &str = concat!(
    "INSERT INTO event_links (id, user_id, outlook_event_id, outlook_series_id, selected, \
       state, selected_by, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, TRUE, 'pending', 'category', $5, $5) \
     ON CONFLICT (user_id, outlook_event_id) DO NOTHING RETURNING ",
    columns!(),
    ""
);

/// The rep put the selection category on a meeting the pane never saw: a link selected by the
/// category (related to nobody yet), its sync queued in the same transaction. `None` when the
/// meeting already has a link (the rep's choice in the pane stands).
pub async fn select(
    db: &Db,
    user_id: &UserId,
    outlook_event_id: &str,
    outlook_series_id: Option<&str>,
    job: &NewJob,
    now: DateTime<Utc>,
) -> Result<Option<EventLink>, StorageError> {
    let link = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let link = sqlx::query_as::<_, EventLink>(SELECT_BY_CATEGORY)
            .bind(new_id())
            .bind(user_id)
            .bind(outlook_event_id)
            .bind(outlook_series_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        if link.is_some() {
            insert_job!(job, new_id(), now).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        link
    });
    Ok(link)
}

const UNSELECT_BY_CATEGORY: &str = "UPDATE event_links SET selected = FALSE, state = 'pending', \
     last_error_code = NULL, updated_at = $1 \
     WHERE id = $2 AND selected AND selected_by = 'category'";

/// The rep took the category off a meeting only the category selected: unselected, its last
/// sync queued. `false` when the pane's choice governs the link.
pub async fn unselect(
    db: &Db,
    id: &str,
    job: &NewJob,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let changed = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let changed = sqlx::query(UNSELECT_BY_CATEGORY)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 1 {
            insert_job!(job, new_id(), now).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        changed == 1
    });
    Ok(changed)
}
