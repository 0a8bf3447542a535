//! Sync configurations and their assignment to users and groups.
//!
//! The settings are a JSON document owned by the sync module, so a new policy field needs no
//! migration; `version` goes up on every change so that a running sync can tell it is stale.

use chrono::{DateTime, Utc};

use super::text::JsonText;
use super::{Db, StorageError, from_row, in_json_array, new_id, one_row, with_pool};
use crate::ids::{EntraObjectId, TenantId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncConfig {
    pub id: String,
    pub tenant_id: TenantId,
    pub name: String,
    pub is_default: bool,
    pub settings: JsonText<serde_json::Value>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

from_row!(SyncConfig {
    id,
    tenant_id,
    name,
    is_default,
    settings,
    version,
    created_at,
    updated_at
});

/// Who a configuration is assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal<'a> {
    /// A user, by Entra object id.
    User(&'a EntraObjectId),
    /// An Entra group, by object id.
    Group(&'a str),
}

impl Principal<'_> {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::User(_) => "user",
            Self::Group(_) => "group",
        }
    }

    pub(crate) fn id(&self) -> &str {
        match self {
            Self::User(id) => id.as_str(),
            Self::Group(id) => id,
        }
    }
}

macro_rules! columns {
    () => {
        "id, tenant_id, name, is_default, settings, version, created_at, updated_at"
    };
}
use columns;

/// An admin's changes, each kept in the audit trail.
pub mod audited;

/// Creates a configuration. Names are unique per tenant, and a tenant has one default at most.
pub async fn create(
    db: &Db,
    tenant_id: &TenantId,
    name: &str,
    is_default: bool,
    settings: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<SyncConfig, StorageError> {
    let sql = concat!(
        "INSERT INTO sync_configs (id, tenant_id, name, is_default, settings, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING ",
        columns!(),
        ""
    );
    let config = with_pool!(db, pool => {
        sqlx::query_as::<_, SyncConfig>(sql)
            .bind(new_id())
            .bind(tenant_id)
            .bind(name)
            .bind(is_default)
            .bind(JsonText(settings))
            .bind(now)
            .fetch_one(pool)
            .await
            .map_err(StorageError::on_unique("configuration name or default"))?
    });
    Ok(config)
}

pub async fn find(db: &Db, id: &str) -> Result<Option<SyncConfig>, StorageError> {
    let sql = concat!("SELECT ", columns!(), " FROM sync_configs WHERE id = $1");
    let config = with_pool!(db, pool => {
        sqlx::query_as::<_, SyncConfig>(sql).bind(id).fetch_optional(pool).await?
    });
    Ok(config)
}

pub async fn list_for_tenant(
    db: &Db,
    tenant_id: &TenantId,
) -> Result<Vec<SyncConfig>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM sync_configs WHERE tenant_id = $1 ORDER BY name"
    );
    let configs = with_pool!(db, pool => {
        sqlx::query_as::<_, SyncConfig>(sql).bind(tenant_id).fetch_all(pool).await?
    });
    Ok(configs)
}

/// Replaces the settings if the caller saw the current `version` (optimistic concurrency: two
/// admins editing at once cannot overwrite each other silently).
pub async fn update_settings(
    db: &Db,
    id: &str,
    expected_version: i32,
    settings: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<SyncConfig, StorageError> {
    let sql = concat!(
        "UPDATE sync_configs SET settings = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND version = $4 RETURNING ",
        columns!(),
        ""
    );
    let updated = with_pool!(db, pool => {
        sqlx::query_as::<_, SyncConfig>(sql)
            .bind(JsonText(settings))
            .bind(now)
            .bind(id)
            .bind(expected_version)
            .fetch_optional(pool)
            .await?
    });
    match updated {
        Some(config) => Ok(config),
        None if find(db, id).await?.is_some() => Err(StorageError::Conflict("version")),
        None => Err(StorageError::NotFound),
    }
}

pub async fn delete(db: &Db, id: &str) -> Result<bool, StorageError> {
    const SQL: &str = "DELETE FROM sync_configs WHERE id = $1";
    let deleted =
        with_pool!(db, pool => sqlx::query(SQL).bind(id).execute(pool).await?.rows_affected());
    Ok(deleted == 1)
}

const ASSIGN: &str = "INSERT INTO sync_config_assignments \
       (id, tenant_id, sync_config_id, principal_kind, principal_id, priority, created_at) \
     SELECT $1, tenant_id, id, $2, $3, $4, $5 FROM sync_configs WHERE id = $6 \
     ON CONFLICT (tenant_id, principal_kind, principal_id) DO UPDATE \
       SET sync_config_id = excluded.sync_config_id, priority = excluded.priority";

/// Assigns a configuration to a user or group, replacing that principal's earlier assignment.
/// Among several groups of one user, the lowest `priority` wins.
pub async fn assign(
    db: &Db,
    config_id: &str,
    principal: Principal<'_>,
    priority: i32,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let inserted = with_pool!(db, pool => {
        sqlx::query(ASSIGN)
            .bind(new_id())
            .bind(principal.kind())
            .bind(principal.id())
            .bind(priority)
            .bind(now)
            .bind(config_id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    one_row(inserted)
}

pub async fn unassign(
    db: &Db,
    tenant_id: &TenantId,
    principal: Principal<'_>,
) -> Result<bool, StorageError> {
    const SQL: &str = "DELETE FROM sync_config_assignments \
         WHERE tenant_id = $1 AND principal_kind = $2 AND principal_id = $3";
    let deleted = with_pool!(db, pool => {
        sqlx::query(SQL)
            .bind(tenant_id)
            .bind(principal.kind())
            .bind(principal.id())
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(deleted == 1)
}

// A direct user assignment beats any group; among groups the lowest priority wins; with no
// assignment at all, the tenant's default applies. `$3` is a JSON array of group ids.
macro_rules! resolve_sql {
    ($dialect:ident) => {
        concat!(
            "SELECT c.* FROM ( \
               SELECT sync_config_id, 0 AS rank, 0 AS priority FROM sync_config_assignments \
                 WHERE tenant_id = $1 AND principal_kind = 'user' AND principal_id = $2 \
               UNION ALL \
               SELECT sync_config_id, 1, priority FROM sync_config_assignments \
                 WHERE tenant_id = $1 AND principal_kind = 'group' AND principal_id ",
            in_json_array!($dialect, "$3"),
            " UNION ALL \
               SELECT id, 2, 0 FROM sync_configs WHERE tenant_id = $1 AND is_default \
             ) AS a JOIN sync_configs AS c ON c.id = a.sync_config_id \
             ORDER BY a.rank, a.priority, c.name LIMIT 1"
        )
    };
}
const RESOLVE_SQLITE: &str = resolve_sql!(sqlite);
const RESOLVE_POSTGRES: &str = resolve_sql!(postgres);

/// The configuration that applies to a user who belongs to `group_ids`.
pub async fn resolve_for_user(
    db: &Db,
    tenant_id: &TenantId,
    entra_object_id: &EntraObjectId,
    group_ids: &[&str],
) -> Result<Option<SyncConfig>, StorageError> {
    let sql = match db {
        Db::Sqlite(_) => RESOLVE_SQLITE,
        Db::Postgres(_) => RESOLVE_POSTGRES,
    };
    let config = with_pool!(db, pool => {
        sqlx::query_as::<_, SyncConfig>(sql)
            .bind(tenant_id)
            .bind(entra_object_id)
            .bind(JsonText(group_ids))
            .fetch_optional(pool)
            .await?
    });
    Ok(config)
}
