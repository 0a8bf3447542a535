//! A meeting several reps of one org attend (one iCalUId): the link that owns its one
//! Salesforce Event is claimed once per org (`shared_meetings`), so that two reps selecting it
//! at once still make one Event; the others' links are invited to that Event.

use chrono::{DateTime, Utc};

use super::EventLink;
use crate::ids::TenantId;
use crate::storage::{Db, StorageError, one_row, with_pool};
use crate::sync::model::codes::LinkCode;

const SEEN: &str = "UPDATE event_links SET ical_uid = $1, is_organizer = $2 WHERE id = $3";
const CLAIM: &str = "INSERT INTO shared_meetings (tenant_id, ical_uid, owner_link_id) \
     VALUES ($1, $2, $3) ON CONFLICT (tenant_id, ical_uid) DO NOTHING";
const OWNER: &str =
    "SELECT owner_link_id FROM shared_meetings WHERE tenant_id = $1 AND ical_uid = $2";

/// The link that owns the meeting `ical_uid` in the org: `link_id` itself when no other link
/// did (it is claimed for it now). The link's iCalUId and whether its rep organizes the meeting
/// are recorded along.
pub async fn claim(
    db: &Db,
    tenant_id: &TenantId,
    ical_uid: &str,
    link_id: &str,
    is_organizer: bool,
) -> Result<String, StorageError> {
    let owner = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query(SEEN).bind(ical_uid).bind(is_organizer).bind(link_id).execute(&mut *tx).await?;
        sqlx::query(CLAIM).bind(tenant_id).bind(ical_uid).bind(link_id).execute(&mut *tx).await?;
        let (owner,): (String,) = sqlx::query_as(OWNER)
            .bind(tenant_id)
            .bind(ical_uid)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        owner
    });
    Ok(owner)
}

/// The link that owns the meeting `ical_uid` in the org, if one does.
pub async fn owner(
    db: &Db,
    tenant_id: &TenantId,
    ical_uid: &str,
) -> Result<Option<EventLink>, StorageError> {
    let owner: Option<(String,)> = with_pool!(db, pool => {
        sqlx::query_as(OWNER).bind(tenant_id).bind(ical_uid).fetch_optional(pool).await?
    });
    match owner {
        Some((id,)) => super::find(db, &id).await,
        None => Ok(None),
    }
}

const SET_OWNER: &str = "UPDATE shared_meetings SET owner_link_id = $1 \
     WHERE tenant_id = $2 AND ical_uid = $3 AND owner_link_id = $4";

/// The meeting's owning link becomes `to`, if it still was `from`.
pub async fn set_owner(
    db: &Db,
    tenant_id: &TenantId,
    ical_uid: &str,
    from: &str,
    to: &str,
) -> Result<bool, StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(SET_OWNER).bind(to).bind(tenant_id).bind(ical_uid).bind(from)
            .execute(pool).await?.rows_affected()
    });
    Ok(updated == 1)
}

const RELEASE: &str =
    "DELETE FROM shared_meetings WHERE tenant_id = $1 AND ical_uid = $2 AND owner_link_id = $3";

/// Nobody syncs the meeting any more: the next rep who selects it owns it.
pub async fn release(
    db: &Db,
    tenant_id: &TenantId,
    ical_uid: &str,
    owner: &str,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(RELEASE).bind(tenant_id).bind(ical_uid).bind(owner).execute(pool).await?.rows_affected()
    });
    Ok(())
}

const JOIN: &str = "UPDATE event_links SET shared_event_id = $1, state = 'synced', \
     last_error_code = NULL, updated_at = $2 WHERE id = $3";

/// The link's rep is invited to another rep's Event of the meeting.
pub async fn join(
    db: &Db,
    link_id: &str,
    event_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(JOIN).bind(event_id).bind(now).bind(link_id).execute(pool).await?.rows_affected()
    });
    one_row(updated)
}

const LEAVE: &str = "UPDATE event_links SET shared_event_id = NULL, state = 'removed', \
     last_error_code = $1, updated_at = $2 WHERE id = $3";

/// The link's rep is no longer invited (they stopped syncing it, or left the meeting).
pub async fn leave(
    db: &Db,
    link_id: &str,
    code: Option<LinkCode>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(LEAVE).bind(code).bind(now).bind(link_id).execute(pool).await?.rows_affected()
    });
    one_row(updated)
}

const GIVE_UP: &str = "UPDATE event_links SET salesforce_event_id = NULL, salesforce_hash = NULL, \
     write_intent = NULL, shared_event_id = $1, state = $2, last_error_code = $3, updated_at = $4 \
     WHERE id = $5";
const TAKE: &str = "UPDATE event_links SET salesforce_event_id = $1, shared_event_id = NULL, \
     state = 'synced', last_error_code = NULL, updated_at = $2 WHERE id = $3";

/// What the link that owned the Event becomes when another takes it over.
#[derive(Debug, Clone, Copy)]
pub enum Former {
    /// Still attending and syncing: invited to the Event it owned.
    Invitee,
    /// Out of it (unselected, or the meeting left its calendar), with the code that says why.
    Gone(Option<LinkCode>),
}

/// The Event `event_id` passes from the link `from` to the link `to`, in one transaction.
pub async fn transfer(
    db: &Db,
    from: &str,
    to: &str,
    event_id: &str,
    former: Former,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let (shared, state, code) = match former {
        Former::Invitee => (Some(event_id), "synced", None),
        Former::Gone(code) => (None, "removed", code),
    };
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        one_row(sqlx::query(GIVE_UP).bind(shared).bind(state).bind(code).bind(now).bind(from)
            .execute(&mut *tx).await?.rows_affected())?;
        one_row(sqlx::query(TAKE).bind(event_id).bind(now).bind(to)
            .execute(&mut *tx).await?.rows_affected())?;
        tx.commit().await?;
    });
    Ok(())
}

/// The selected links invited to the Event `event_id`, oldest first.
pub async fn invitees(db: &Db, event_id: &str) -> Result<Vec<EventLink>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM event_links WHERE shared_event_id = $1 AND selected ORDER BY created_at, id"
    );
    let links = with_pool!(db, pool => {
        sqlx::query_as::<_, EventLink>(sql).bind(event_id).fetch_all(pool).await?
    });
    Ok(links)
}
