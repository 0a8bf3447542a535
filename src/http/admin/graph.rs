//! How the tenant reaches mailboxes: `PUT /api/v1/admin/graph` chooses delegated or application
//! access; `POST /api/v1/admin/graph/check` reports, per known rep, which mailboxes and
//! permissions work.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::checks::{Problem, RepRef, try_mailbox};
use crate::graph::GraphError;
use crate::http::api::graph::MailboxView;
use crate::http::error::ApiError;
use crate::http::extract::Admin;
use crate::state::AppState;
use crate::storage::connections::{ConnectionStatus, Provider};
use crate::storage::tenants::{self, GraphAccessMode};
use crate::storage::{self, users};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/graph", web::put().to(set_mode))
        .route("/graph/check", web::post().to(check));
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModeRequest {
    /// `delegated` or `application`.
    #[schema(example = "application")]
    mode: String,
}

#[derive(Serialize, ToSchema)]
pub struct ModeView {
    #[schema(value_type = String, example = "application")]
    mode: GraphAccessMode,
}

/// Chooses delegated or application access to mailboxes.
#[utoipa::path(
    put,
    path = "/api/v1/admin/graph",
    operation_id = "set_graph_mode",
    tag = "admin",
    security(("bearer" = [])),
    request_body = ModeRequest,
    responses(
        (status = 200, description = "the mode now in force", body = ModeView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 503, response = crate::http::openapi::responses::NotConfigured),
    )
)]
pub async fn set_mode(
    Admin(admin): Admin,
    body: web::Json<ModeRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mode = GraphAccessMode::parse(&body.mode).ok_or_else(|| {
        ApiError::bad_request("graph_mode_invalid", "mode is `delegated` or `application`")
    })?;
    if !state.graph.is_configured() {
        return Err(GraphError::NotConfigured.into());
    }
    tenants::set_graph_access_mode(&state.db, &admin.tenant.id, mode, storage::now()).await?;
    Ok(HttpResponse::Ok().json(ModeView { mode }))
}

#[derive(Serialize, ToSchema)]
pub struct GraphCheckView {
    #[schema(value_type = String, example = "application")]
    mode: GraphAccessMode,
    /// How many reps' mailboxes fully work.
    working: usize,
    reps: Vec<MailboxCheck>,
}

#[derive(Serialize, ToSchema)]
struct MailboxCheck {
    #[serde(flatten)]
    rep: RepRef,
    /// `ok`, `limited` (some areas refused) or `error` (no token).
    #[schema(example = "ok")]
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mailbox: Option<MailboxView>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    problem: Option<Problem>,
    /// Delegated mode only: the rep's stored grant (`connected`, `reconnect_needed`), or null
    /// when they never gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    grant: Option<Option<ConnectionStatus>>,
}

/// Tries every known rep's mailbox under the tenant's mode.
#[utoipa::path(
    post,
    path = "/api/v1/admin/graph/check",
    operation_id = "check_graph",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "each rep's mailbox", body = GraphCheckView),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
    )
)]
pub async fn check(
    Admin(admin): Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let tenant = &admin.tenant;
    let mode = tenant.graph_access_mode;
    let mut reps = Vec::new();
    for user in users::list_for_tenant(&state.db, &tenant.id).await? {
        let tried = try_mailbox(&state, tenant, &user).await?;
        let mut entry = MailboxCheck {
            rep: RepRef::from(&user),
            status: tried.status,
            mailbox: tried.mailbox,
            problem: tried.problem,
            grant: None,
        };
        if mode == GraphAccessMode::Delegated {
            let grant = state.connections.find(&user.id, Provider::Graph).await?;
            entry.grant = Some(grant.map(|g| g.row.status));
        }
        reps.push(entry);
    }
    let working = reps.iter().filter(|r| r.status == "ok").count();
    Ok(HttpResponse::Ok().json(GraphCheckView {
        mode,
        working,
        reps,
    }))
}
