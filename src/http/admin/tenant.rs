//! `GET /api/v1/admin/tenant`: the tenant's org, how it reaches Salesforce (with the org's API
//! usage and the org-wide grant's last failure) and mailboxes, and how many reps it has.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::salesforce::OrgWideView;
use crate::http::api::me::SalesforceMode;
use crate::http::error::ApiError;
use crate::http::extract::Admin;
use crate::ids::{EntraTenantId, OrgId};
use crate::state::AppState;
use crate::storage::tenants::GraphAccessMode;
use crate::storage::users;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/tenant", web::get().to(tenant));
}

#[derive(Serialize, ToSchema)]
pub struct TenantView {
    #[schema(value_type = String)]
    tenant_id: EntraTenantId,
    #[schema(value_type = Option<String>)]
    salesforce_org_id: Option<OrgId>,
    salesforce: SalesforceSetupView,
    graph: GraphSetupView,
    /// The custom fields matching searches besides `Email` (`PUT /api/v1/admin/matching`).
    extra_email_fields: crate::matching::ExtraEmailFields,
    /// Reps outforce has seen in the tenant.
    reps: usize,
}

#[derive(Serialize, ToSchema)]
struct SalesforceSetupView {
    mode: SalesforceMode,
    org_wide: Option<OrgWideView>,
    api_usage: Option<UsageSeenView>,
}

#[derive(Serialize, ToSchema)]
struct UsageSeenView {
    used: u64,
    max: u64,
    seen_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
struct GraphSetupView {
    #[schema(value_type = String, example = "delegated")]
    mode: GraphAccessMode,
}

/// The tenant's setup.
#[utoipa::path(
    get,
    path = "/api/v1/admin/tenant",
    operation_id = "get_tenant",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the tenant's setup", body = TenantView),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
    )
)]
pub async fn tenant(
    Admin(admin): Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let tenant = &admin.tenant;
    let reps = users::list_for_tenant(&state.db, &tenant.id).await?;
    let org_wide = state.sessions.org_wide().setup(&tenant.id).await?;
    let usage = tenant
        .salesforce_org_id
        .as_ref()
        .and_then(|org| state.salesforce.limits.get(org));
    Ok(HttpResponse::Ok().json(TenantView {
        tenant_id: admin.caller.tenant_id.clone(),
        salesforce_org_id: tenant.salesforce_org_id.clone(),
        salesforce: SalesforceSetupView {
            mode: SalesforceMode::of(org_wide.is_some()),
            org_wide: org_wide.as_ref().map(OrgWideView::from),
            api_usage: usage.map(|u| UsageSeenView {
                used: u.used,
                max: u.max,
                seen_at: u.seen_at,
            }),
        },
        graph: GraphSetupView {
            mode: tenant.graph_access_mode,
        },
        extra_email_fields: tenant.extra_email_fields.0.clone(),
        reps: reps.len(),
    }))
}
