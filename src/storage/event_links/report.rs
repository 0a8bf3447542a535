//! What an admin reads across the tenant: its links' failures and waits by cause and by state,
//! and how its reps' calendars are watched.

use crate::ids::TenantId;
use crate::storage::event_links::LinkState;
use crate::storage::{Db, StorageError, from_row, with_pool};
use crate::sync::model::codes::LinkCode;

/// The links of one state and code across the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByCause {
    /// `failed`, or `pending` for those waiting.
    pub state: LinkState,
    pub code: LinkCode,
    pub meetings: i64,
    pub users: i64,
}

from_row!(ByCause {
    state,
    code,
    meetings,
    users
});

const BY_CAUSE: &str = "SELECT l.state AS state, l.last_error_code AS code, \
       COUNT(*) AS meetings, COUNT(DISTINCT l.user_id) AS users \
     FROM event_links AS l JOIN users AS u ON u.id = l.user_id \
     WHERE u.tenant_id = $1 AND l.selected AND l.last_error_code IS NOT NULL \
       AND l.state IN ('failed', 'pending') \
     GROUP BY l.state, l.last_error_code ORDER BY meetings DESC, code";

/// The tenant's selected links that failed or wait, by state and code, the most first.
pub async fn by_cause(db: &Db, tenant_id: &TenantId) -> Result<Vec<ByCause>, StorageError> {
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, ByCause>(BY_CAUSE).bind(tenant_id).fetch_all(pool).await?
    });
    Ok(rows)
}

const BY_STATE: &str = "SELECT l.state, COUNT(*) FROM event_links AS l \
     JOIN users AS u ON u.id = l.user_id WHERE u.tenant_id = $1 GROUP BY l.state ORDER BY l.state";

/// The tenant's links by state.
pub async fn by_state(db: &Db, tenant_id: &TenantId) -> Result<Vec<(String, i64)>, StorageError> {
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, (String, i64)>(BY_STATE).bind(tenant_id).fetch_all(pool).await?
    });
    Ok(rows)
}

/// How the tenant's reps' calendars are watched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Watching {
    pub reps: i64,
    pub watched: i64,
    pub notified: i64,
    pub paused: i64,
    pub unreachable: i64,
}

const WATCHING: &str = "SELECT COUNT(*), COUNT(w.user_id), COUNT(w.subscription_id), \
       COUNT(w.paused_code), COUNT(w.last_error_code) \
     FROM users AS u LEFT JOIN mailbox_watches AS w ON w.user_id = u.id WHERE u.tenant_id = $1";

pub async fn watching(db: &Db, tenant_id: &TenantId) -> Result<Watching, StorageError> {
    let (reps, watched, notified, paused, unreachable) = with_pool!(db, pool => {
        sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(WATCHING)
            .bind(tenant_id)
            .fetch_one(pool)
            .await?
    });
    Ok(Watching {
        reps,
        watched,
        notified,
        paused,
        unreachable,
    })
}
