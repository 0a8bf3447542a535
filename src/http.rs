//! The HTTP surface, in scopes that middleware can hang on: the operators' routes at the root
//! (`/healthz`, `/readyz`, `/metrics`, `/api/openapi.json`), the task pane's API under `/api/v1`
//! (bearer token per handler, through the [`extract`] extractors), the admin API under
//! `/api/v1/admin`, and the Office dialog's sign-in pages under `/auth/salesforce` (no bearer
//! token: a ticket and a cookie). Graph's webhooks (`/webhooks`, their own validation) and the
//! task pane's static files (their own CSP and caching) get scopes of their own when they come.
//! [`app_config`] holds what every route shares (body limits, extractor errors, the fallback).

pub mod admin;
pub mod api;
pub mod envelope;
pub mod error;
pub mod extract;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod request_id;
pub mod request_span;
pub mod sign_in;

use actix_web::{HttpRequest, web};

pub use error::ApiError;

/// Mounts every route of the service.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(health::configure)
        .configure(metrics::configure)
        .configure(openapi::configure)
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

async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test};
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize)]
    struct Note {
        #[expect(dead_code, reason = "only its parsing matters here")]
        text: String,
    }

    async fn take_note(_: web::Json<Note>) -> HttpResponse {
        HttpResponse::NoContent().finish()
    }

    async fn post(body: &'static str, content_type: &str) -> (u16, serde_json::Value, String) {
        let app = test::init_service(
            App::new()
                .wrap(from_fn(envelope::middleware))
                .configure(app_config(64))
                .route("/notes", web::post().to(take_note)),
        )
        .await;
        let request = test::TestRequest::post()
            .uri("/notes")
            .insert_header(("content-type", content_type))
            .set_payload(body)
            .to_request();
        let response = test::call_service(&app, request).await;
        let status = response.status().as_u16();
        let header = response
            .headers()
            .get("x-request-id")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let body: serde_json::Value = test::read_body_json(response).await;
        (status, body, header)
    }

    #[actix_web::test]
    async fn malformed_json_is_a_400_with_a_stable_code() {
        let (status, body, request_id) = post(r#"{"text": "#, "application/json").await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "invalid_json");
        assert_eq!(body["error"]["request_id"], request_id.as_str());
    }

    #[actix_web::test]
    async fn a_missing_field_names_the_field() {
        let (status, body, _) = post("{}", "application/json").await;
        assert_eq!(status, 400);
        assert!(body["error"]["message"].as_str().unwrap().contains("text"));
    }

    #[actix_web::test]
    async fn an_oversized_body_is_a_413() {
        let big =
            r#"{"text": "0123456789012345678901234567890123456789012345678901234567890123456789"}"#;
        let (status, body, _) = post(big, "application/json").await;
        assert_eq!(status, 413);
        assert_eq!(body["error"]["code"], "payload_too_large");
    }

    #[actix_web::test]
    async fn a_body_that_is_not_json_is_refused() {
        let (status, body, _) = post("text=hello", "application/x-www-form-urlencoded").await;
        assert_eq!(status, 415);
        assert_eq!(body["error"]["code"], "unsupported_media_type");
    }
}
