//! Every error has the same shape and carries the request id that the response header carries.

use crate::db::Backend;
use crate::helpers::spawn_app;

async fn error_body(response: reqwest::Response) -> (u16, String, serde_json::Value) {
    let status = response.status().as_u16();
    let header = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let body: serde_json::Value = response.json().await.expect("a JSON error body");
    (status, header, body)
}

#[tokio::test]
async fn unknown_route_is_a_404_in_the_envelope() {
    let app = spawn_app(Backend::Sqlite).await;
    let (status, request_id, body) = error_body(app.get("/api/v1/nothing-here").await).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(body["error"]["request_id"], request_id.as_str());
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/api/v1/nothing-here")
    );
    app.stop().await;
}

#[tokio::test]
async fn wrong_method_is_an_error_in_the_envelope() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app
        .client
        .post(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    let (status, request_id, body) = error_body(response).await;
    assert!(status == 404 || status == 405, "{status}");
    assert_eq!(body["error"]["request_id"], request_id.as_str());
    assert!(body["error"]["code"].is_string());
    app.stop().await;
}

#[tokio::test]
async fn request_ids_differ_per_request() {
    let app = spawn_app(Backend::Sqlite).await;
    let first = app.get("/healthz").await.headers()["x-request-id"].clone();
    let second = app.get("/healthz").await.headers()["x-request-id"].clone();
    assert_ne!(first, second);
    app.stop().await;
}

#[tokio::test]
async fn a_404_echoes_a_bounded_part_of_a_long_path() {
    let app = spawn_app(Backend::Sqlite).await;
    let long = format!("/api/v1/{}", "a".repeat(5_000));
    let response = app.get(&long).await;
    let (status, _, body) = error_body(response).await;
    assert_eq!(status, 404);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.len() < 200, "{} bytes echoed", message.len());
    assert!(
        message.starts_with("no route for GET /api/v1/aaa"),
        "{message}"
    );
    assert!(message.ends_with('…'), "{message}");
    app.stop().await;
}

#[tokio::test]
async fn an_over_long_url_or_oversized_headers_are_answered_in_the_envelope() {
    let app = spawn_app(Backend::Sqlite).await;
    let long_url = format!("/healthz?pad={}", "a".repeat(10 * 1024));
    let (status, request_id, body) = error_body(app.get(&long_url).await).await;
    assert_eq!(status, 414);
    assert_eq!(body["error"]["code"], "uri_too_long");
    assert_eq!(body["error"]["request_id"], request_id.as_str());

    let big_headers = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-padding-1", "b".repeat(20 * 1024))
        .header("x-padding-2", "c".repeat(20 * 1024))
        .send()
        .await
        .unwrap();
    let (status, request_id, body) = error_body(big_headers).await;
    assert_eq!(status, 431);
    assert_eq!(body["error"]["code"], "headers_too_large");
    assert_eq!(body["error"]["request_id"], request_id.as_str());
    app.stop().await;
}
