//! What an admin reads across the tenant's links: the failures and waits by cause.

use crate::ids::TenantId;
use crate::storage::{Db, StorageError, from_row, with_pool};

/// The links of one state and code across the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByCause {
    /// `failed`, or `pending` for those waiting.
    pub state: String,
    pub code: String,
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
