//! The HTTP surface, in scopes that middleware can hang on: the operators' routes at the root
//! (`/healthz`, `/readyz`, `/metrics`, `/api/openapi.json`), the task pane's API under `/api/v1`
//! (bearer token per handler, through the [`extract`] extractors), the admin API under
//! `/api/v1/admin`, and the Office dialog's sign-in pages under `/auth/salesforce` (no bearer
//! token: a ticket and a cookie). Graph's webhooks (`/webhooks/graph`, believed by their
//! clientState) and the task pane's static files (their own CSP and caching) sit beside them.
//! [`app_config`] holds what every route shares (body limits, extractor errors, the fallback).

pub mod addin;
pub mod admin;
pub mod api;
pub mod envelope;
pub mod error;
pub mod extract;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod pane;
pub mod request_id;
pub mod request_span;
pub mod sign_in;
pub mod webhooks;

use actix_web::{HttpRequest, web};

pub use error::ApiError;

/// Mounts every route of the service.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(health::configure)
        .configure(metrics::configure)
        .configure(addin::configure)
        .configure(pane::configure)
        .configure(openapi::configure)
        .configure(webhooks::configure)
        .service(
            web::scope("/api/v1")
                .service(web::scope("/admin").configure(admin::configure))
                .configure(api::configure),
        )
        .service(web::scope("/auth/salesforce").configure(sign_in::configure));
}

/// Limits and error mapping shared by every route: oversized and malformed bodies, bad paths
/// and queries all become [`ApiError`]s, and an unknown route is a 404 in the same envelope.
pub fn app_config(body_limit: usize) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::JsonConfig::default().limit(body_limit).error_handler(
            move |error, _req| match error {
                actix_web::error::JsonPayloadError::Overflow { .. }
                | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                    ApiError::PayloadTooLarge { limit: body_limit }.into()
                }
                actix_web::error::JsonPayloadError::ContentType => {
                    ApiError::UnsupportedMediaType.into()
                }
                other => ApiError::bad_request("invalid_json", other.to_string()).into(),
            },
        ))
        .app_data(web::PayloadConfig::default().limit(body_limit))
        .app_data(web::PathConfig::default().error_handler(|error, _req| {
            ApiError::bad_request("invalid_path", error.to_string()).into()
        }))
        .app_data(web::QueryConfig::default().error_handler(|error, _req| {
            ApiError::bad_request("invalid_query", error.to_string()).into()
        }))
        .default_service(web::to(not_found));
    }
}

/// The most of a request's path that a 404 repeats back: enough to recognise it, too little to
/// turn a long URL into a long answer.
const ECHOED_PATH_CHARS: usize = 100;

async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    let path = req.path();
    let shown: String = path.chars().take(ECHOED_PATH_CHARS).collect();
    let cut = if shown.len() < path.len() { "…" } else { "" };
    Err(ApiError::NotFound(format!(
        "no route for {} {shown}{cut}",
        req.method()
    )))
}
