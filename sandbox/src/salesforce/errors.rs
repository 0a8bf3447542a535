//! Salesforce's two error shapes: OAuth errors (`{"error","error_description"}`) and REST errors
//! (a JSON array of `{"message","errorCode"}`).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde_json::json;

pub fn oauth(error: &str, description: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": error, "error_description": description }))
}

pub fn rest(status: u16, error_code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST))
        .json(json!([{ "message": message, "errorCode": error_code }]))
}

pub fn invalid_session() -> HttpResponse {
    rest(401, "INVALID_SESSION_ID", "Session expired or invalid")
}
