//! Users: reps and admins, keyed by (tenant, Entra object id), never by email.

use chrono::{DateTime, Utc};

use super::{Db, StorageError, from_row, new_id, one_row, with_pool};
use crate::column::JsonText;
use crate::ids::{EntraObjectId, SalesforceUserId, TenantId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub tenant_id: TenantId,
    pub entra_object_id: EntraObjectId,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub salesforce_user_id: Option<SalesforceUserId>,
    /// The Entra groups the rep's last token named (for the sync configuration that applies).
    pub entra_groups: JsonText<Vec<String>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

from_row!(User {
    id,
    tenant_id,
    entra_object_id,
    email,
    display_name,
    salesforce_user_id,
    entra_groups,
    created_at,
    updated_at
});

/// What the identity layer learns about a user from a token.
#[derive(Debug, Clone)]
pub struct UserProfile<'a> {
    pub tenant_id: &'a TenantId,
    pub entra_object_id: &'a EntraObjectId,
    pub email: Option<&'a str>,
    pub display_name: Option<&'a str>,
    /// The token's group ids; the stored ones are replaced by them.
    pub groups: &'a [String],
}

macro_rules! columns {
    () => {
        "id, tenant_id, entra_object_id, email, display_name, salesforce_user_id, \
                           entra_groups, created_at, updated_at"
    };
}

/// The user for a (tenant, object id), created on first sight; the profile refreshes email and
/// display name (they change; the object id does not).
pub async fn upsert(
    db: &Db,
    profile: &UserProfile<'_>,
    now: DateTime<Utc>,
) -> Result<User, StorageError> {
    let sql = concat!(
        "INSERT INTO users (id, tenant_id, entra_object_id, email, display_name, entra_groups, \
           created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $7, $6, $6) \
         ON CONFLICT (tenant_id, entra_object_id) DO UPDATE \
           SET email = COALESCE(excluded.email, users.email), \
               display_name = COALESCE(excluded.display_name, users.display_name), \
               entra_groups = excluded.entra_groups, \
               updated_at = excluded.updated_at \
         RETURNING ",
        columns!(),
        ""
    );
    let user = with_pool!(db, pool => {
        sqlx::query_as::<_, User>(sql)
            .bind(UserId::new(new_id()))
            .bind(profile.tenant_id)
            .bind(profile.entra_object_id)
            .bind(profile.email)
            .bind(profile.display_name)
            .bind(now)
            .bind(JsonText(profile.groups))
            .fetch_one(pool)
            .await?
    });
    super::fresh::written();
    Ok(user)
}

pub async fn find(db: &Db, id: &UserId) -> Result<Option<User>, StorageError> {
    let sql = concat!("SELECT ", columns!(), " FROM users WHERE id = $1");
    let user =
        with_pool!(db, pool => sqlx::query_as::<_, User>(sql).bind(id).fetch_optional(pool).await?);
    Ok(user)
}

pub async fn find_by_object_id(
    db: &Db,
    tenant_id: &TenantId,
    entra_object_id: &EntraObjectId,
) -> Result<Option<User>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM users WHERE tenant_id = $1 AND entra_object_id = $2"
    );
    let user = with_pool!(db, pool => {
        sqlx::query_as::<_, User>(sql)
            .bind(tenant_id)
            .bind(entra_object_id)
            .fetch_optional(pool)
            .await?
    });
    Ok(user)
}

/// Users of a tenant, in a stable order, for the admin status page.
pub async fn list_for_tenant(db: &Db, tenant_id: &TenantId) -> Result<Vec<User>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM users WHERE tenant_id = $1 ORDER BY created_at, id"
    );
    let users = with_pool!(db, pool => {
        sqlx::query_as::<_, User>(sql).bind(tenant_id).fetch_all(pool).await?
    });
    Ok(users)
}

const SET_SF_USER: &str = "UPDATE users SET salesforce_user_id = $1, updated_at = $2 WHERE id = $3";

/// Records which Salesforce user this rep acts as (`None` forgets it).
pub async fn set_salesforce_user(
    db: &Db,
    id: &UserId,
    salesforce_user_id: Option<&SalesforceUserId>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(SET_SF_USER)
            .bind(salesforce_user_id)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    super::fresh::written();
    one_row(updated)
}

const SET_GROUPS: &str = "UPDATE users SET entra_groups = $1, updated_at = $2 WHERE id = $3";

/// The user's groups as read from Graph (their token had too many to carry them).
pub async fn set_groups(
    db: &Db,
    id: &UserId,
    groups: &[String],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(SET_GROUPS).bind(JsonText(groups)).bind(now).bind(id).execute(pool).await?;
    });
    super::fresh::written();
    Ok(())
}
