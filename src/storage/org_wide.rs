//! A tenant's org-wide Salesforce connection (JWT bearer): where to log in, how a rep maps to a
//! Salesforce user, and the last failure an admin should see.

use chrono::{DateTime, Utc};

use super::{Db, StorageError, from_row, with_pool};
use crate::column::text_enum;
use crate::ids::TenantId;

text_enum! {
    /// How a rep is matched to the Salesforce user the grant acts as.
    pub enum UserMatch {
        /// The rep's sign-in name, plus the setup's suffix, is the Salesforce username.
        Username = "username",
        /// The Salesforce user whose email is the rep's sign-in name, looked up by the
        /// integration user.
        Email = "email",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgWide {
    pub tenant_id: TenantId,
    pub login_url: String,
    pub user_match: UserMatch,
    pub username_suffix: Option<String>,
    pub integration_username: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

from_row!(OrgWide {
    tenant_id,
    login_url,
    user_match,
    username_suffix,
    integration_username,
    last_error_code,
    last_error_at,
    created_at,
    updated_at
});

/// How the admin set it up.
#[derive(Debug, Clone)]
pub struct OrgWideSetup<'a> {
    pub tenant_id: &'a TenantId,
    pub login_url: &'a str,
    pub user_match: UserMatch,
    pub username_suffix: Option<&'a str>,
    pub integration_username: Option<&'a str>,
}

macro_rules! columns {
    () => {
        "tenant_id, login_url, user_match, username_suffix, integration_username, \
         last_error_code, last_error_at, created_at, updated_at"
    };
}

/// Turns org-wide mode on, or changes it; a change clears the last error.
pub async fn upsert(
    db: &Db,
    setup: &OrgWideSetup<'_>,
    now: DateTime<Utc>,
) -> Result<OrgWide, StorageError> {
    let sql = concat!(
        "INSERT INTO salesforce_org_wide (tenant_id, login_url, user_match, username_suffix, \
           integration_username, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (tenant_id) DO UPDATE SET login_url = excluded.login_url, \
           user_match = excluded.user_match, username_suffix = excluded.username_suffix, \
           integration_username = excluded.integration_username, last_error_code = NULL, \
           last_error_at = NULL, updated_at = excluded.updated_at \
         RETURNING ",
        columns!(),
        ""
    );
    let row = with_pool!(db, pool => {
        sqlx::query_as::<_, OrgWide>(sql)
            .bind(setup.tenant_id)
            .bind(setup.login_url)
            .bind(setup.user_match)
            .bind(setup.username_suffix)
            .bind(setup.integration_username)
            .bind(now)
            .fetch_one(pool)
            .await?
    });
    super::fresh::written();
    Ok(row)
}

pub async fn find(db: &Db, tenant_id: &TenantId) -> Result<Option<OrgWide>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM salesforce_org_wide WHERE tenant_id = $1"
    );
    let row = with_pool!(db, pool => {
        sqlx::query_as::<_, OrgWide>(sql).bind(tenant_id).fetch_optional(pool).await?
    });
    Ok(row)
}

const SET_ERROR: &str = "UPDATE salesforce_org_wide SET last_error_code = $1, last_error_at = $2 \
     WHERE tenant_id = $3";

/// Records the latest failure to act as a rep (`None` once it works again).
pub async fn set_error(
    db: &Db,
    tenant_id: &TenantId,
    code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(SET_ERROR)
            .bind(code)
            .bind(code.map(|_| now))
            .bind(tenant_id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    super::fresh::written();
    Ok(())
}

/// Back to each rep connecting for themselves.
pub async fn delete(db: &Db, tenant_id: &TenantId) -> Result<bool, StorageError> {
    const SQL: &str = "DELETE FROM salesforce_org_wide WHERE tenant_id = $1";
    let deleted = with_pool!(db, pool => {
        sqlx::query(SQL).bind(tenant_id).execute(pool).await?.rows_affected()
    });
    super::fresh::written();
    Ok(deleted == 1)
}
