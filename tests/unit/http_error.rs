use actix_web::body::to_bytes;

use actix_web::ResponseError as _;
use actix_web::http::StatusCode;
use outforce::http::error::*;
use outforce::storage::StorageError;

async fn body_of(error: ApiError) -> (StatusCode, serde_json::Value) {
    let response = error.error_response();
    let status = response.status();
    let bytes = to_bytes(response.into_body()).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[actix_web::test]
async fn a_5xx_says_internal_error_and_nothing_of_its_cause() {
    let cause = anyhow::anyhow!("connection to 10.0.0.7:5432 refused for user outforce");
    let (status, body) = body_of(ApiError::Internal(cause)).await;
    assert_eq!(status, 500);
    assert_eq!(body["error"]["code"], "internal");
    assert_eq!(body["error"]["message"], "internal error");
    assert!(!body.to_string().contains("10.0.0.7"));
    assert!(body["error"]["request_id"].is_string());
}

#[actix_web::test]
async fn storage_errors_map_to_their_http_meaning() {
    assert_eq!(body_of(StorageError::NotFound.into()).await.0, 404);
    assert_eq!(body_of(StorageError::Conflict("name").into()).await.0, 409);
    let (status, body) = body_of(StorageError::UnsupportedScheme.into()).await;
    assert_eq!(status, 500);
    assert_eq!(body["error"]["message"], "internal error");
}
