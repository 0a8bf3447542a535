//! An admin's changes to the sync configurations of their tenant, each kept in the audit trail
//! (`sync_config_changes`: who, what, when, the version it made) in the same transaction as
//! the change, so that no change goes unrecorded.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{Principal, SyncConfig};
use crate::column::JsonText;
use crate::ids::TenantId;
use crate::storage::{Db, StorageError, from_row, new_id, with_pool};
use crate::sync::model::settings::SyncSettings;

/// A configuration as the admin writes it.
#[derive(Debug, Clone, Copy)]
pub struct Draft<'a> {
    pub name: &'a str,
    pub is_default: bool,
    pub settings: &'a SyncSettings,
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigChange {
    pub id: i64,
    pub sync_config_id: String,
    pub version: i32,
    /// The admin's Entra object id.
    pub actor: String,
    /// `created`, `updated`, `deleted`, `assigned` or `unassigned`.
    pub action: String,
    pub detail: JsonText<Value>,
    pub at: DateTime<Utc>,
}

from_row!(ConfigChange {
    id,
    sync_config_id,
    version,
    actor,
    action,
    detail,
    at
});

/// A configuration's assignment to a user or group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// `user` or `group`.
    pub principal_kind: String,
    pub principal_id: String,
    pub priority: i32,
}

from_row!(Assignment {
    principal_kind,
    principal_id,
    priority
});

const RECORD: &str = "INSERT INTO sync_config_changes \
       (tenant_id, sync_config_id, version, actor, action, detail, at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

fn draft_detail(draft: &Draft<'_>) -> Value {
    json!({ "name": draft.name, "is_default": draft.is_default, "settings": draft.settings })
}

macro_rules! record {
    ($tx:expr, $tenant:expr, $config:expr, $version:expr, $actor:expr, $action:expr, $detail:expr, $now:expr) => {
        sqlx::query(RECORD)
            .bind($tenant)
            .bind($config)
            .bind($version)
            .bind($actor)
            .bind($action)
            .bind(JsonText($detail))
            .bind($now)
            .execute(&mut *$tx)
            .await?
    };
}

const CREATE: &str = concat!(
    "INSERT INTO sync_configs (id, tenant_id, name, is_default, settings, version, created_at, \
       updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING ",
    super::columns!(),
    ""
);

/// Creates a configuration (version 1). Names are unique per tenant; one default at most.
pub async fn create(
    db: &Db,
    tenant_id: &TenantId,
    draft: Draft<'_>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<SyncConfig, StorageError> {
    let detail = draft_detail(&draft);
    let config = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let config = sqlx::query_as::<_, SyncConfig>(CREATE)
            .bind(new_id())
            .bind(tenant_id)
            .bind(draft.name)
            .bind(draft.is_default)
            .bind(JsonText(draft.settings))
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(StorageError::on_unique("configuration name or default"))?;
        record!(tx, tenant_id, &config.id, config.version, actor, "created", &detail, now);
        tx.commit().await?;
        crate::storage::fresh::written();
        config
    });
    Ok(config)
}

const UPDATE: &str = concat!(
    "UPDATE sync_configs SET name = $1, is_default = $2, settings = $3, version = version + 1, \
       updated_at = $4 WHERE id = $5 AND tenant_id = $6 AND version = $7 RETURNING ",
    super::columns!(),
    ""
);

/// Replaces a configuration if the admin saw its current `version` (two admins editing at once
/// cannot overwrite each other): `Conflict("version")` otherwise, `NotFound` when the tenant
/// has no such configuration.
pub async fn update(
    db: &Db,
    tenant_id: &TenantId,
    id: &str,
    expected_version: i32,
    draft: Draft<'_>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<SyncConfig, StorageError> {
    let detail = draft_detail(&draft);
    let updated = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let updated = sqlx::query_as::<_, SyncConfig>(UPDATE)
            .bind(draft.name)
            .bind(draft.is_default)
            .bind(JsonText(draft.settings))
            .bind(now)
            .bind(id)
            .bind(tenant_id)
            .bind(expected_version)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StorageError::on_unique("configuration name or default"))?;
        if let Some(config) = &updated {
            record!(tx, tenant_id, &config.id, config.version, actor, "updated", &detail, now);
        }
        tx.commit().await?;
        crate::storage::fresh::written();
        updated
    });
    match updated {
        Some(config) => Ok(config),
        None => match super::find(db, id).await? {
            Some(config) if &config.tenant_id == tenant_id => {
                Err(StorageError::Conflict("version"))
            }
            _ => Err(StorageError::NotFound),
        },
    }
}

const DELETE: &str = "DELETE FROM sync_configs WHERE id = $1 AND tenant_id = $2 RETURNING version";

/// Deletes a configuration and its assignments; `false` when the tenant has no such one.
pub async fn delete(
    db: &Db,
    tenant_id: &TenantId,
    id: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let deleted = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let version: Option<(i32,)> = sqlx::query_as(DELETE)
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some((version,)) = version {
            record!(tx, tenant_id, id, version, actor, "deleted", &json!({}), now);
        }
        tx.commit().await?;
        crate::storage::fresh::written();
        version.is_some()
    });
    Ok(deleted)
}

const ASSIGN: &str = "INSERT INTO sync_config_assignments \
       (id, tenant_id, sync_config_id, principal_kind, principal_id, priority, created_at) \
     SELECT $1, tenant_id, id, $2, $3, $4, $5 FROM sync_configs WHERE id = $6 AND tenant_id = $7 \
     ON CONFLICT (tenant_id, principal_kind, principal_id) DO UPDATE \
       SET sync_config_id = excluded.sync_config_id, priority = excluded.priority \
     RETURNING (SELECT version FROM sync_configs WHERE id = $6)";

/// Assigns the configuration to a user or group (replacing that principal's earlier
/// assignment); `NotFound` when the tenant has no such configuration.
pub async fn assign(
    db: &Db,
    tenant_id: &TenantId,
    id: &str,
    principal: Principal<'_>,
    priority: i32,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let detail = json!({ "kind": principal.kind(), "id": principal.id(), "priority": priority });
    let assigned = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let version: Option<(i32,)> = sqlx::query_as(ASSIGN)
            .bind(new_id())
            .bind(principal.kind())
            .bind(principal.id())
            .bind(priority)
            .bind(now)
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some((version,)) = version {
            record!(tx, tenant_id, id, version, actor, "assigned", &detail, now);
        }
        tx.commit().await?;
        crate::storage::fresh::written();
        version.is_some()
    });
    if assigned {
        Ok(())
    } else {
        Err(StorageError::NotFound)
    }
}

const UNASSIGN: &str = "DELETE FROM sync_config_assignments \
     WHERE tenant_id = $1 AND sync_config_id = $2 AND principal_kind = $3 AND principal_id = $4 \
     RETURNING (SELECT version FROM sync_configs WHERE id = $2)";

/// Takes the configuration's assignment from a user or group; `false` when it had none.
pub async fn unassign(
    db: &Db,
    tenant_id: &TenantId,
    id: &str,
    principal: Principal<'_>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let detail = json!({ "kind": principal.kind(), "id": principal.id() });
    let removed = with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let version: Option<(i32,)> = sqlx::query_as(UNASSIGN)
            .bind(tenant_id)
            .bind(id)
            .bind(principal.kind())
            .bind(principal.id())
            .fetch_optional(&mut *tx)
            .await?;
        if let Some((version,)) = version {
            record!(tx, tenant_id, id, version, actor, "unassigned", &detail, now);
        }
        tx.commit().await?;
        crate::storage::fresh::written();
        version.is_some()
    });
    Ok(removed)
}

/// The configuration's assignments, users first.
pub async fn assignments(db: &Db, id: &str) -> Result<Vec<Assignment>, StorageError> {
    const SQL: &str = "SELECT principal_kind, principal_id, priority FROM sync_config_assignments \
         WHERE sync_config_id = $1 ORDER BY principal_kind DESC, priority, principal_id";
    let found = with_pool!(db, pool => {
        sqlx::query_as::<_, Assignment>(SQL).bind(id).fetch_all(pool).await?
    });
    Ok(found)
}

/// The configuration's audit trail, oldest first (also once it is deleted).
pub async fn changes(
    db: &Db,
    tenant_id: &TenantId,
    id: &str,
) -> Result<Vec<ConfigChange>, StorageError> {
    const SQL: &str = "SELECT id, sync_config_id, version, actor, action, detail, at \
         FROM sync_config_changes WHERE tenant_id = $1 AND sync_config_id = $2 ORDER BY id";
    let found = with_pool!(db, pool => {
        sqlx::query_as::<_, ConfigChange>(SQL).bind(tenant_id).bind(id).fetch_all(pool).await?
    });
    Ok(found)
}
