//! Sync configurations and their assignment to users and groups: what applies to a user, and
//! reading them. Every change goes through [`audited`], which keeps it in the audit trail.
//!
//! The settings are stored as the JSON of the typed [`SyncSettings`], so a new policy field needs
//! no migration (a key left out takes its default); `version` goes up on every change so that a running sync can tell it is stale.

use chrono::{DateTime, Utc};

use super::{Db, StorageError, from_row, in_json_array, with_pool};
use crate::column::JsonText;
use crate::ids::{EntraObjectId, TenantId};
use crate::sync::model::settings::SyncSettings;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncConfig {
    pub id: String,
    pub tenant_id: TenantId,
    pub name: String,
    pub is_default: bool,
    pub settings: JsonText<SyncSettings>,
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

/// Every change to the configurations (create, update, delete, assign), each kept in the audit
/// trail.
pub mod audited;

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
