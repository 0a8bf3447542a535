//! Tenants: an Entra ID tenant and the Salesforce org it syncs with.

use chrono::{DateTime, Utc};

use super::{Db, StorageError, from_row, new_id, one_row, with_pool};
use crate::column::{JsonText, text_enum};
use crate::ids::{EntraTenantId, OrgId, TenantId};
use crate::matching::ExtraEmailFields;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub entra_tenant_id: EntraTenantId,
    pub display_name: Option<String>,
    pub salesforce_org_id: Option<OrgId>,
    pub salesforce_login_url: Option<String>,
    pub graph_access_mode: GraphAccessMode,
    /// The org's custom fields that hold addresses, searched by matching besides `Email`.
    pub extra_email_fields: JsonText<ExtraEmailFields>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

from_row!(Tenant {
    id,
    entra_tenant_id,
    display_name,
    salesforce_org_id,
    salesforce_login_url,
    graph_access_mode,
    extra_email_fields,
    created_at,
    updated_at
});

macro_rules! columns {
    () => {
        "id, entra_tenant_id, display_name, salesforce_org_id, \
                           salesforce_login_url, graph_access_mode, extra_email_fields, \
                           created_at, updated_at"
    };
}

/// The tenant for an Entra tenant id, created on first sight. A known tenant keeps its name
/// unless a new one is given.
pub async fn upsert(
    db: &Db,
    entra_tenant_id: &EntraTenantId,
    display_name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Tenant, StorageError> {
    let sql = concat!(
        "INSERT INTO tenants (id, entra_tenant_id, display_name, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (entra_tenant_id) DO UPDATE \
           SET display_name = COALESCE(excluded.display_name, tenants.display_name), \
               updated_at = excluded.updated_at \
         RETURNING ",
        columns!(),
        ""
    );
    let tenant = with_pool!(db, pool => {
        sqlx::query_as::<_, Tenant>(sql)
            .bind(TenantId::new(new_id()))
            .bind(entra_tenant_id)
            .bind(display_name)
            .bind(now)
            .fetch_one(pool)
            .await?
    });
    super::fresh::written();
    Ok(tenant)
}

pub async fn find(db: &Db, id: &TenantId) -> Result<Option<Tenant>, StorageError> {
    let sql = concat!("SELECT ", columns!(), " FROM tenants WHERE id = $1");
    let tenant = with_pool!(db, pool => sqlx::query_as::<_, Tenant>(sql).bind(id).fetch_optional(pool).await?);
    Ok(tenant)
}

pub async fn find_by_entra_id(
    db: &Db,
    entra_tenant_id: &EntraTenantId,
) -> Result<Option<Tenant>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM tenants WHERE entra_tenant_id = $1"
    );
    let tenant = with_pool!(db, pool => {
        sqlx::query_as::<_, Tenant>(sql).bind(entra_tenant_id).fetch_optional(pool).await?
    });
    Ok(tenant)
}

/// Ties the tenant to `org_id` (and, when given, the login host it was reached at) if it is tied
/// to no org or already to that one; `false` when it is tied to another. One statement, so two
/// admins tying at once cannot both win. One org serves one tenant (`Conflict` otherwise).
pub async fn bind_salesforce_org(
    db: &Db,
    id: &TenantId,
    org_id: &OrgId,
    login_url: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    const SQL: &str = "UPDATE tenants SET salesforce_org_id = $1, \
         salesforce_login_url = COALESCE($2, salesforce_login_url), updated_at = $3 \
         WHERE id = $4 AND (salesforce_org_id IS NULL OR salesforce_org_id = $1)";
    let updated = with_pool!(db, pool => {
        sqlx::query(SQL)
            .bind(org_id)
            .bind(login_url)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map_err(StorageError::on_unique("Salesforce org"))?
            .rows_affected()
    });
    super::fresh::written();
    if updated == 1 {
        return Ok(true);
    }
    // Tied elsewhere, or no such tenant.
    find(db, id).await?.ok_or(StorageError::NotFound)?;
    Ok(false)
}

/// The tenant for an Entra tenant id (created on first sight) tied to `org_id`, as an admin
/// does first: for the demo, which starts with its org chosen.
pub async fn bind_entra_tenant_to_org(
    db: &Db,
    entra_tenant_id: &EntraTenantId,
    org_id: &OrgId,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let tenant = upsert(db, entra_tenant_id, None, now).await?;
    bind_salesforce_org(db, &tenant.id, org_id, None, now).await
}

/// Unties the tenant from its Salesforce org.
pub async fn unbind_salesforce_org(
    db: &Db,
    id: &TenantId,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    const SQL: &str = "UPDATE tenants SET salesforce_org_id = NULL, salesforce_login_url = NULL, \
         updated_at = $1 WHERE id = $2";
    let updated = with_pool!(db, pool => {
        sqlx::query(SQL).bind(now).bind(id).execute(pool).await?.rows_affected()
    });
    super::fresh::written();
    one_row(updated)
}

text_enum! {
    /// Whether the service reaches mailboxes with each rep's token or with application
    /// permissions.
    pub enum GraphAccessMode {
        Delegated = "delegated",
        Application = "application",
    }
}

pub async fn set_graph_access_mode(
    db: &Db,
    id: &TenantId,
    mode: GraphAccessMode,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    const SQL: &str = "UPDATE tenants SET graph_access_mode = $1, updated_at = $2 WHERE id = $3";
    let updated = with_pool!(db, pool => {
        sqlx::query(SQL).bind(mode).bind(now).bind(id).execute(pool).await?.rows_affected()
    });
    super::fresh::written();
    one_row(updated)
}

const SET_EXTRA_EMAIL_FIELDS: &str =
    "UPDATE tenants SET extra_email_fields = $1, updated_at = $2 WHERE id = $3";

/// Sets the custom fields matching searches besides `Email`.
pub async fn set_extra_email_fields(
    db: &Db,
    id: &TenantId,
    fields: &ExtraEmailFields,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(SET_EXTRA_EMAIL_FIELDS)
            .bind(JsonText(fields))
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    super::fresh::written();
    one_row(updated)
}
