//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{HttpResponse, get, web};
use serde_json::json;

use super::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// The process is up and serving HTTP.
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The process can do its work: the database answers and its schema is current.
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .db
        .check_ready()
        .await
        .map_err(|e| ApiError::Unavailable(e.into()))?;
    Ok(HttpResponse::Ok().json(json!({ "status": "ready", "database": "ok" })))
}
