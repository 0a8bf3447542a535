use chrono::{DateTime, Utc};

use super::{EventLink, Selection};
use crate::column::JsonText;
use crate::storage::jobs::NewJob;
use crate::storage::{Db, StorageError, new_id, with_pool};

const UPSERT_SELECTION: &str = concat!(
    "INSERT INTO event_links (id, user_id, outlook_event_id, outlook_series_id, selected, \
       who_ids, what_id, meeting, meeting_seen_at, record_names, state, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10, COALESCE($11, '{}'), 'pending', $9, $9) \
     ON CONFLICT (user_id, outlook_event_id) DO UPDATE SET \
       outlook_series_id = COALESCE(excluded.outlook_series_id, event_links.outlook_series_id), \
       selected = excluded.selected, who_ids = excluded.who_ids, \
       what_id = excluded.what_id, meeting = COALESCE(excluded.meeting, event_links.meeting), \
       meeting_seen_at = COALESCE(excluded.meeting_seen_at, event_links.meeting_seen_at), \
       record_names = CASE WHEN $11 IS NULL THEN event_links.record_names \
         ELSE excluded.record_names END, \
       state = 'pending', last_error_code = NULL, selected_by = 'pane', \
       from_series = FALSE, by_scope = FALSE, auto_relations = '{}', removal_seen = FALSE, \
       updated_at = excluded.updated_at \
     RETURNING ",
    columns!(),
    ""
);

/// Records the rep's choice for an event, creating the link on first use. The link goes back
/// to `pending` so the pipeline picks the change up.
pub async fn upsert_selection(
    db: &Db,
    selection: &Selection<'_>,
    now: DateTime<Utc>,
) -> Result<EventLink, StorageError> {
    select_and_queue(db, selection, None, now).await
}

/// Records the rep's choice and, in the same transaction, queues `job` (the sync of the link):
/// the choice is never stored without its sync queued, nor the sync queued for a choice that
/// was not stored.
pub async fn select_and_queue(
    db: &Db,
    selection: &Selection<'_>,
    job: Option<&NewJob>,
    now: DateTime<Utc>,
) -> Result<EventLink, StorageError> {
    let link = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let link = sqlx::query_as::<_, EventLink>(UPSERT_SELECTION)
            .bind(new_id())
            .bind(selection.user_id)
            .bind(selection.outlook_event_id)
            .bind(selection.outlook_series_id)
            .bind(selection.selected)
            .bind(JsonText(selection.who_ids))
            .bind(selection.what_id)
            .bind(selection.meeting.map(JsonText))
            .bind(now)
            .bind(selection.meeting.map(|_| now))
            .bind(selection.record_names.map(JsonText))
            .fetch_one(&mut *tx)
            .await?;
        if let Some(job) = job {
            crate::storage::jobs::insert_job!(job, new_id(), now).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        link
    });
    Ok(link)
}
