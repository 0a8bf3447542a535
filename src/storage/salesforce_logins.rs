//! Salesforce sign-ins in progress: tickets and OAuth states, kept as hashes, each spent once
//! and only before it expires (so any instance can finish a sign-in another one started).

use chrono::{DateTime, Utc};

use super::{Db, StorageError, from_row, new_id, with_pool};
use crate::column::text_enum;
use crate::ids::UserId;

text_enum! {
    pub enum LoginKind {
        /// Issued to a signed-in rep, spent when the Office dialog opens the sign-in.
        Ticket = "ticket",
        /// The OAuth `state`, spent by the callback.
        State = "state",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub id: String,
    pub user_id: UserId,
    pub login_url: String,
    pub verifier_sealed: Option<Vec<u8>>,
    /// The hash of the nonce in the cookie of the browser that started the sign-in.
    pub browser_hash: Option<String>,
    /// Started by an admin: the sign-in may tie an unbound tenant to the org it reaches.
    pub binds_org: bool,
}

from_row!(Login {
    id,
    user_id,
    login_url,
    verifier_sealed,
    browser_hash,
    binds_org
});

/// What to remember about a sign-in step.
#[derive(Debug, Clone)]
pub struct NewLogin<'a> {
    pub kind: LoginKind,
    pub secret_hash: &'a str,
    pub user_id: &'a UserId,
    pub login_url: &'a str,
    pub verifier_sealed: Option<&'a [u8]>,
    pub browser_hash: Option<&'a str>,
    pub binds_org: bool,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(db: &Db, login: &NewLogin<'_>) -> Result<(), StorageError> {
    const SQL: &str = "INSERT INTO salesforce_logins \
         (id, kind, secret_hash, user_id, login_url, verifier_sealed, browser_hash, binds_org, \
          expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    with_pool!(db, pool => {
        sqlx::query(SQL)
            .bind(new_id())
            .bind(login.kind)
            .bind(login.secret_hash)
            .bind(login.user_id)
            .bind(login.login_url)
            .bind(login.verifier_sealed)
            .bind(login.browser_hash)
            .bind(login.binds_org)
            .bind(login.expires_at)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(())
}

/// Spends the unexpired, unused step with this hash: `None` when it is unknown, used or expired.
/// Two concurrent spends of the same value cannot both succeed.
pub async fn spend(
    db: &Db,
    kind: LoginKind,
    secret_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Login>, StorageError> {
    const SQL: &str = "UPDATE salesforce_logins SET used_at = $1 \
         WHERE kind = $2 AND secret_hash = $3 AND used_at IS NULL AND expires_at > $1 \
         RETURNING id, user_id, login_url, verifier_sealed, browser_hash, binds_org";
    let login = with_pool!(db, pool => {
        sqlx::query_as::<_, Login>(SQL)
            .bind(now)
            .bind(kind)
            .bind(secret_hash)
            .fetch_optional(pool)
            .await?
    });
    Ok(login)
}

/// Forgets steps that expired before `before`; how many.
pub async fn purge_expired(db: &Db, before: DateTime<Utc>) -> Result<u64, StorageError> {
    const SQL: &str = "DELETE FROM salesforce_logins WHERE expires_at < $1";
    let purged = with_pool!(db, pool => {
        sqlx::query(SQL).bind(before).execute(pool).await?.rows_affected()
    });
    Ok(purged)
}
