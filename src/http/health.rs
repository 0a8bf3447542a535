//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{HttpResponse, route, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ApiError;
use crate::identity::KeyHealth;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`, or `degraded` while sign-in runs on stale keys or none (Entra unreachable).
    #[schema(example = "ready")]
    status: &'static str,
    #[schema(example = "ok")]
    database: &'static str,
    /// `fresh`, `stale` (older than the refresh interval, still served), `unavailable` or
    /// `not_loaded` (no request has needed them yet).
    #[schema(example = "fresh")]
    entra_keys: &'static str,
}

/// The process is up and serving HTTP.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "operations",
    responses((status = 200, description = "up", body = Health))
)]
// HEAD too: monitors that probe with HEAD must see the service up (actix sends no body).
#[route("/healthz", method = "GET", method = "HEAD")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The process can do its work: the database answers and its schema is current (503 if not).
/// Entra's keys being stale or unreachable makes it `degraded`, not unready: every instance
/// shares the same Entra, so taking this one out of rotation would not help.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = "operations",
    responses(
        (status = 200, description = "ready", body = Readiness),
        (status = 503, response = crate::http::openapi::responses::Unavailable),
    )
)]
#[route("/readyz", method = "GET", method = "HEAD")]
async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .db
        .check_ready()
        .await
        .map_err(|e| ApiError::Unavailable(e.into()))?;
    let entra_keys = match state.identity.key_health() {
        KeyHealth::NotLoaded => "not_loaded",
        KeyHealth::Fresh { .. } => "fresh",
        KeyHealth::Stale { .. } => "stale",
        KeyHealth::Unavailable => "unavailable",
    };
    let degraded = matches!(entra_keys, "stale" | "unavailable");
    Ok(HttpResponse::Ok().json(Readiness {
        status: if degraded { "degraded" } else { "ready" },
        database: "ok",
        entra_keys,
    }))
}
