//! A user's connection to Salesforce or Microsoft Graph. Token columns hold sealed bytes only:
//! [`crate::connections`] seals before it calls here and opens after.

use chrono::{DateTime, Utc};

use super::{Db, StorageError, from_row, new_id, one_row, with_pool};
use crate::column::text_enum;
use crate::ids::{TenantId, UserId};

text_enum! {
    pub enum Provider {
        Salesforce = "salesforce",
        Graph = "graph",
    }
}

text_enum! {
    pub enum ConnectionStatus {
        Connected = "connected",
        /// The refresh token was refused; the rep must connect again. Jobs for the user wait.
        ReconnectNeeded = "reconnect_needed",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub id: String,
    pub user_id: UserId,
    pub provider: Provider,
    pub status: ConnectionStatus,
    pub instance_url: Option<String>,
    pub external_user_id: Option<String>,
    pub external_org_id: Option<String>,
    pub external_username: Option<String>,
    pub access_token_sealed: Option<Vec<u8>>,
    pub refresh_token_sealed: Option<Vec<u8>>,
    pub access_expires_at: Option<DateTime<Utc>>,
    pub last_error_code: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

from_row!(Connection {
    id,
    user_id,
    provider,
    status,
    instance_url,
    external_user_id,
    external_org_id,
    external_username,
    access_token_sealed,
    refresh_token_sealed,
    access_expires_at,
    last_error_code,
    created_at,
    updated_at
});

/// A connection as established (or re-established) by a sign-in.
#[derive(Debug, Clone)]
pub struct NewConnection<'a> {
    pub user_id: &'a UserId,
    pub provider: Provider,
    pub instance_url: Option<&'a str>,
    pub external_user_id: Option<&'a str>,
    pub external_org_id: Option<&'a str>,
    pub external_username: Option<&'a str>,
    pub access_token_sealed: Option<&'a [u8]>,
    pub refresh_token_sealed: Option<&'a [u8]>,
    pub access_expires_at: Option<DateTime<Utc>>,
}

macro_rules! columns {
    () => {
        "id, user_id, provider, status, instance_url, external_user_id, \
         external_org_id, external_username, access_token_sealed, refresh_token_sealed, \
         access_expires_at, last_error_code, created_at, updated_at"
    };
}

/// Stores a fresh connection, replacing the user's previous one for the same provider; the
/// result is `connected` with no error.
pub async fn upsert(
    db: &Db,
    new: &NewConnection<'_>,
    now: DateTime<Utc>,
) -> Result<Connection, StorageError> {
    let sql = concat!(
        "INSERT INTO connections (id, user_id, provider, status, instance_url, external_user_id, \
           external_org_id, external_username, access_token_sealed, refresh_token_sealed, \
           access_expires_at, created_at, updated_at) \
         VALUES ($1, $2, $3, 'connected', $4, $5, $6, $7, $8, $9, $10, $11, $11) \
         ON CONFLICT (user_id, provider) DO UPDATE SET status = 'connected', \
           instance_url = excluded.instance_url, external_user_id = excluded.external_user_id, \
           external_org_id = excluded.external_org_id, \
           external_username = excluded.external_username, \
           access_token_sealed = excluded.access_token_sealed, \
           refresh_token_sealed = excluded.refresh_token_sealed, \
           access_expires_at = excluded.access_expires_at, last_error_code = NULL, \
           updated_at = excluded.updated_at \
         RETURNING ",
        columns!(),
        ""
    );
    let connection = with_pool!(db, pool => {
        sqlx::query_as::<_, Connection>(sql)
            .bind(new_id())
            .bind(new.user_id)
            .bind(new.provider)
            .bind(new.instance_url)
            .bind(new.external_user_id)
            .bind(new.external_org_id)
            .bind(new.external_username)
            .bind(new.access_token_sealed)
            .bind(new.refresh_token_sealed)
            .bind(new.access_expires_at)
            .bind(now)
            .fetch_one(pool)
            .await?
    });
    super::fresh::written();
    Ok(connection)
}

pub async fn find(
    db: &Db,
    user_id: &UserId,
    provider: Provider,
) -> Result<Option<Connection>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM connections WHERE user_id = $1 AND provider = $2"
    );
    let connection = with_pool!(db, pool => {
        sqlx::query_as::<_, Connection>(sql)
            .bind(user_id)
            .bind(provider)
            .fetch_optional(pool)
            .await?
    });
    Ok(connection)
}

const SET_TOKENS: &str = "UPDATE connections SET access_token_sealed = $1, \
     refresh_token_sealed = COALESCE($2, refresh_token_sealed), access_expires_at = $3, \
     updated_at = $4 WHERE user_id = $5 AND provider = $6";

/// Stores refreshed tokens. A rotated refresh token replaces the old one in the same statement,
/// so the old one is never discarded before the new one is stored.
pub async fn set_tokens(
    db: &Db,
    user_id: &UserId,
    provider: Provider,
    access_token_sealed: &[u8],
    rotated_refresh_token_sealed: Option<&[u8]>,
    access_expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(SET_TOKENS)
            .bind(access_token_sealed)
            .bind(rotated_refresh_token_sealed)
            .bind(access_expires_at)
            .bind(now)
            .bind(user_id)
            .bind(provider)
            .execute(pool)
            .await?
            .rows_affected()
    });
    super::fresh::written();
    one_row(updated)
}

const SET_STATUS: &str = "UPDATE connections SET status = $1, last_error_code = $2, \
     updated_at = $3 WHERE user_id = $4 AND provider = $5";

/// Marks a connection, for example `reconnect_needed` with the error code that caused it.
pub async fn set_status(
    db: &Db,
    user_id: &UserId,
    provider: Provider,
    status: ConnectionStatus,
    error_code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(SET_STATUS)
            .bind(status)
            .bind(error_code)
            .bind(now)
            .bind(user_id)
            .bind(provider)
            .execute(pool)
            .await?
            .rows_affected()
    });
    super::fresh::written();
    one_row(updated)
}

/// Forgets a connection and its tokens. Returns whether there was one.
pub async fn delete(db: &Db, user_id: &UserId, provider: Provider) -> Result<bool, StorageError> {
    const SQL: &str = "DELETE FROM connections WHERE user_id = $1 AND provider = $2";
    let deleted = with_pool!(db, pool => {
        sqlx::query(SQL).bind(user_id).bind(provider).execute(pool).await?.rows_affected()
    });
    super::fresh::written();
    Ok(deleted == 1)
}

/// Forgets the Salesforce sessions the org-wide grant minted for a tenant's reps (they have no
/// refresh token; a rep's own connection always has one).
pub async fn delete_minted_for_tenant(db: &Db, tenant_id: &TenantId) -> Result<u64, StorageError> {
    const SQL: &str = "DELETE FROM connections WHERE provider = 'salesforce' \
         AND refresh_token_sealed IS NULL \
         AND user_id IN (SELECT id FROM users WHERE tenant_id = $1)";
    let deleted = with_pool!(db, pool => {
        sqlx::query(SQL).bind(tenant_id).execute(pool).await?.rows_affected()
    });
    super::fresh::written();
    Ok(deleted)
}

/// Forgets every Salesforce connection of a tenant's reps (their org is no longer the tenant's).
pub async fn delete_salesforce_for_tenant(
    db: &Db,
    tenant_id: &TenantId,
) -> Result<u64, StorageError> {
    const SQL: &str = "DELETE FROM connections WHERE provider = 'salesforce' \
         AND user_id IN (SELECT id FROM users WHERE tenant_id = $1)";
    let deleted = with_pool!(db, pool => {
        sqlx::query(SQL).bind(tenant_id).execute(pool).await?.rows_affected()
    });
    super::fresh::written();
    Ok(deleted)
}
