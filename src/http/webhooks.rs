//! Microsoft Graph's webhooks: `/webhooks/graph` for change notifications and
//! `/webhooks/graph/lifecycle` for lifecycle ones. No bearer token: a notification is believed
//! when its `clientState` is the subscription's (`sync::notifications`). Both answer Graph's
//! validation handshake (the token echoed as text), and answer a notification with 202 as soon
//! as its work is queued, well inside Graph's 3 s.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::http::error::ApiError;
use crate::state::AppState;
use crate::sync::notifications::{self, Accepted, Batch};
use crate::sync::watch::{LIFECYCLE_PATH, NOTIFICATION_PATH};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(NOTIFICATION_PATH, web::post().to(changes))
        .route(LIFECYCLE_PATH, web::post().to(lifecycle));
}

/// Graph's tokens are short; a longer one is not Graph's, and is not echoed.
const MAX_TOKEN_CHARS: usize = 1024;

#[derive(Debug, Deserialize)]
struct Handshake {
    #[serde(rename = "validationToken")]
    validation_token: Option<String>,
}

/// The handshake's answer: 200, the token as plain text.
fn validated(token: &str) -> Result<HttpResponse, ApiError> {
    if token.chars().count() > MAX_TOKEN_CHARS {
        return Err(ApiError::bad_request(
            "invalid_validation_token",
            "the validation token is too long",
        ));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(token.to_string()))
}

fn batch(body: &[u8]) -> Result<Batch, ApiError> {
    serde_json::from_slice(body).map_err(|error| {
        ApiError::bad_request(
            "invalid_notification",
            format!("not a Graph notification: {error}"),
        )
    })
}

fn answered(accepted: Accepted, what: &'static str) -> HttpResponse {
    if accepted.refused > 0 {
        tracing::warn!(
            refused = accepted.refused,
            what,
            "notifications with an unknown subscription or a wrong clientState were dropped"
        );
    }
    HttpResponse::Accepted().finish()
}

async fn changes(
    query: web::Query<Handshake>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if let Some(token) = &query.validation_token {
        return validated(token);
    }
    let accepted = notifications::changes(&state, &batch(&body)?).await?;
    Ok(answered(accepted, "change"))
}

async fn lifecycle(
    query: web::Query<Handshake>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if let Some(token) = &query.validation_token {
        return validated(token);
    }
    let accepted = notifications::lifecycle(&state, &batch(&body)?).await?;
    Ok(answered(accepted, "lifecycle"))
}
