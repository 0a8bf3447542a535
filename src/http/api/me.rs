//! `GET /api/v1/me`: the signed-in rep, their connections' states and the sync configuration
//! that applies to them.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::state::AppState;
use crate::storage::connections::Provider;
use crate::storage::tenants::GraphAccessMode;
use crate::storage::{mailbox_watches, sync_configs};
use crate::sync::model::codes::WatchCode;
use crate::sync::model::settings::SyncSettings;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me));
}

/// How the tenant reaches Salesforce.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SalesforceMode {
    /// Each rep connects their own Salesforce user.
    PerRep,
    /// The admin's org-wide JWT bearer grant acts as each rep.
    OrgWide,
}

impl SalesforceMode {
    pub fn of(org_wide: bool) -> Self {
        if org_wide {
            Self::OrgWide
        } else {
            Self::PerRep
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeView {
    /// The Entra tenant.
    #[schema(value_type = String)]
    tenant_id: crate::ids::EntraTenantId,
    display_name: Option<String>,
    is_admin: bool,
    salesforce: SalesforceView,
    graph: GraphView,
    /// The sync configuration that applies: the rep's own assignment, else their group's,
    /// else the tenant's default; none when nothing is configured.
    sync_config: Option<SyncConfigView>,
}

#[derive(Serialize, ToSchema)]
struct SalesforceView {
    mode: SalesforceMode,
    /// `connected`, `reconnect_needed` or `not_connected`.
    #[schema(example = "connected")]
    state: &'static str,
    /// Why a connection needs reconnecting (`invalid_grant`, …).
    error: Option<String>,
    /// The Salesforce user the rep acts as.
    user_id: Option<String>,
    /// The org's address (`https://…my.salesforce.com`), for links to its records.
    instance_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct GraphView {
    #[schema(value_type = String, example = "delegated")]
    mode: GraphAccessMode,
    /// `application`, or the rep's delegated grant: `connected`, `reconnect_needed`,
    /// `not_connected` (the pane's calls give it, in the background).
    #[schema(example = "connected")]
    state: &'static str,
    /// Whether the rep's calendar is watched (read for changes, and notified) with a working
    /// grant, its mailbox open to the sync.
    watched: bool,
    /// Why the rep's mailbox could not be read last time (`graph_interaction_required`: sign
    /// in again with `claims`).
    error: Option<WatchCode>,
    /// Conditional Access's claims challenge: pass it to `getAccessToken({authChallenge})`,
    /// then call again.
    claims: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct SyncConfigView {
    id: String,
    name: String,
    version: i32,
    settings: SyncSettings,
}

/// The signed-in rep.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    operation_id = "get_me",
    tag = "rep",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the rep", body = MeView),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
    )
)]
pub async fn me(rep: Rep, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let Rep {
        caller,
        tenant,
        user,
    } = rep;
    let connection = state
        .connections
        .find(&user.id, Provider::Salesforce)
        .await?;
    let org_wide = state.sessions.org_wide().setup(&tenant.id).await?;
    let graph_state = match tenant.graph_access_mode {
        GraphAccessMode::Application => "application",
        GraphAccessMode::Delegated => state
            .connections
            .find(&user.id, Provider::Graph)
            .await?
            .map_or("not_connected", |g| g.row.status.as_str()),
    };
    let watch = mailbox_watches::find(&state.db, &user.id).await?;
    let groups = if caller.groups_overage {
        crate::sync::context::member_groups(&state, &user).await
    } else {
        caller.groups.clone()
    };
    let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
    let sync_config =
        sync_configs::resolve_for_user(&state.db, &tenant.id, &caller.object_id, &groups).await?;
    let salesforce = match connection {
        Some(c) => SalesforceView {
            mode: SalesforceMode::of(org_wide.is_some()),
            state: c.row.status.as_str(),
            error: c.row.last_error_code,
            user_id: c.row.external_user_id,
            instance_url: c.row.instance_url,
        },
        None => SalesforceView {
            mode: SalesforceMode::of(org_wide.is_some()),
            state: "not_connected",
            error: None,
            user_id: None,
            instance_url: None,
        },
    };
    Ok(HttpResponse::Ok().json(MeView {
        is_admin: caller.has_role(&state.identity.settings().admin_role),
        tenant_id: caller.tenant_id.clone(),
        display_name: caller.display_name.clone(),
        salesforce,
        graph: GraphView {
            mode: tenant.graph_access_mode,
            state: graph_state,
            watched: watch
                .as_ref()
                .is_some_and(|w| !w.last_error_code.is_some_and(WatchCode::shuts_mailbox))
                && matches!(graph_state, "application" | "connected"),
            error: watch.as_ref().and_then(|w| w.last_error_code),
            claims: watch.and_then(|w| w.graph_claims),
        },
        sync_config: sync_config.map(|config| SyncConfigView {
            id: config.id,
            name: config.name,
            version: config.version,
            settings: config.settings.0,
        }),
    }))
}
