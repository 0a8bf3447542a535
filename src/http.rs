//! The HTTP surface. Each module exports `configure`; [`configure`] mounts them all, and
//! [`app_config`] holds what every route shares (body limits, extractor errors, the fallback).

pub mod error;
pub mod health;
pub mod metrics;
pub mod request_id;
pub mod request_span;

use actix_web::{HttpRequest, web};

pub use error::ApiError;

/// Mounts every route of the service.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(health::configure)
        .configure(metrics::configure);
}

/// Limits and error mapping shared by every route: oversized and malformed bodies, bad paths
/// and queries all become [`ApiError`]s, and an unknown route is a 404 in the same envelope.
pub fn app_config(body_limit: usize) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::JsonConfig::default().limit(body_limit).error_handler(
            move |error, _req| {
                match error {
                    actix_web::error::JsonPayloadError::Overflow { .. }
                    | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                        ApiError::PayloadTooLarge { limit: body_limit }.into()
                    }
                    actix_web::error::JsonPayloadError::ContentType => ApiError::bad_request(
                        "unsupported_media_type",
                        "send the body as application/json",
                    )
                    .into(),
                    other => ApiError::bad_request("invalid_json", other.to_string()).into(),
                }
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

async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}
