//! The signed-in rep and their tenant: `GET /api/v1/me` (any rep: their connections' states and
//! the sync configuration that applies to them) and `GET /api/v1/admin/tenant` (admins). Seeing
//! a rep for the first time records them, keyed by (tenant, object id).

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::ApiError;
use crate::graph::access;
use crate::identity::{Admin, Caller, Rep};
use crate::state::AppState;
use crate::storage::connections::{self, Provider};
use crate::storage::tenants::GraphAccessMode;
use crate::storage::{self, org_wide, sync_configs, tenants, users};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/me", web::get().to(me))
        .route("/api/v1/admin/tenant", web::get().to(tenant));
}

/// The tenant and user rows for a caller, created on first sight.
pub(super) async fn known(
    state: &AppState,
    caller: &Caller,
) -> Result<(tenants::Tenant, users::User), ApiError> {
    let now = storage::now();
    let tenant = tenants::upsert(&state.db, &caller.tenant_id, None, now).await?;
    let profile = users::UserProfile {
        tenant_id: &tenant.id,
        entra_object_id: &caller.object_id,
        email: caller.username.as_deref(),
        display_name: caller.display_name.as_deref(),
    };
    let user = users::upsert(&state.db, &profile, now).await?;
    Ok((tenant, user))
}

async fn me(Rep(caller): Rep, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (tenant, user) = known(&state, &caller).await?;
    let connection = connections::find(&state.db, &user.id, Provider::Salesforce).await?;
    let org_wide = org_wide::find(&state.db, &tenant.id).await?;
    let graph_state = match access::mode_of(&tenant) {
        GraphAccessMode::Application => "application".to_string(),
        GraphAccessMode::Delegated => connections::find(&state.db, &user.id, Provider::Graph)
            .await?
            .map_or_else(|| "not_connected".to_string(), |g| g.status),
    };
    let groups: Vec<&str> = caller.groups.iter().map(String::as_str).collect();
    let sync_config =
        sync_configs::resolve_for_user(&state.db, &tenant.id, &caller.object_id, &groups).await?;
    let sync_config = match sync_config {
        Some(config) => json!({
            "id": config.id,
            "name": config.name,
            "version": config.version,
            "settings": serde_json::from_str::<serde_json::Value>(&config.settings)
                .map_err(|e| ApiError::Internal(e.into()))?,
        }),
        None => serde_json::Value::Null,
    };
    let mode = if org_wide.is_some() {
        "org_wide"
    } else {
        "per_rep"
    };
    let salesforce = match &connection {
        Some(c) => json!({
            "mode": mode, "state": c.status, "error": c.last_error_code, "user_id": c.external_user_id,
        }),
        None => json!({ "mode": mode, "state": "not_connected", "error": null, "user_id": null }),
    };
    Ok(HttpResponse::Ok().json(json!({
        "tenant_id": caller.tenant_id,
        "display_name": caller.display_name,
        "is_admin": caller.has_role(&state.identity.settings().admin_role),
        "salesforce": salesforce,
        "graph": { "mode": tenant.graph_access_mode, "state": graph_state },
        "sync_config": sync_config,
    })))
}

async fn tenant(
    Admin(caller): Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, _) = known(&state, &caller).await?;
    let reps = users::list_for_tenant(&state.db, &tenant.id).await?;
    let org_wide = org_wide::find(&state.db, &tenant.id).await?;
    let usage = tenant
        .salesforce_org_id
        .as_deref()
        .and_then(|org| state.salesforce.limits.get(org));
    Ok(HttpResponse::Ok().json(json!({
        "tenant_id": caller.tenant_id,
        "salesforce_org_id": tenant.salesforce_org_id,
        "salesforce": {
            "mode": if org_wide.is_some() { "org_wide" } else { "per_rep" },
            "org_wide": org_wide.as_ref().map(super::admin_salesforce::describe),
            "api_usage": usage.map(|u| json!({ "used": u.used, "max": u.max, "seen_at": u.seen_at })),
        },
        "graph": { "mode": tenant.graph_access_mode },
        "reps": reps.len(),
    })))
}
