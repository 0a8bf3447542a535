//! How Salesforce writes JSON (`application/json;charset=UTF-8`, on the REST API, OAuth and
//! the identity service alike), and its two error shapes: OAuth errors
//! (`{"error","error_description"}`) and REST errors (a JSON array of `{"message","errorCode"}`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder};
use serde_json::json;

pub const JSON: &str = "application/json;charset=UTF-8";

/// `body` as Salesforce sends JSON.
pub fn json(mut builder: HttpResponseBuilder, body: impl serde::Serialize) -> HttpResponse {
    match serde_json::to_vec(&body) {
        Ok(bytes) => builder.content_type(JSON).body(bytes),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

pub fn oauth(error: &str, description: &str) -> HttpResponse {
    json(
        HttpResponse::BadRequest(),
        json!({ "error": error, "error_description": description }),
    )
}

pub fn rest(status: u16, error_code: &str, message: &str) -> HttpResponse {
    json(
        HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST)),
        json!([{ "message": message, "errorCode": error_code }]),
    )
}

pub fn invalid_session() -> HttpResponse {
    rest(401, "INVALID_SESSION_ID", "Session expired or invalid")
}
