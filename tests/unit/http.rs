use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, test};
use serde::Deserialize;

use actix_web::web;
use outforce::http::*;

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
