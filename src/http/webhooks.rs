//! Microsoft Graph's webhooks: `/webhooks/graph` for change notifications and
//! `/webhooks/graph/lifecycle` for lifecycle ones. No bearer token: a notification is believed
//! when its `clientState` is the subscription's (`sync::notifications`). Both answer Graph's
//! validation handshake (the token echoed as text), and answer a notification with 202 as soon
//! as its work is queued, well inside Graph's 3 s.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::http::error::ApiError;
use crate::state::AppState;
use crate::sync::watch::notifications::{self, Batch, Kind};
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

async fn changes(
    query: web::Query<Handshake>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    receive(Kind::Change, &query, &body, &state).await
}

async fn lifecycle(
    query: web::Query<Handshake>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    receive(Kind::Lifecycle, &query, &body, &state).await
}

/// The handshake's answer when Graph is checking the URL; else the batch's work queued, then
/// 202. Notifications not believed are dropped with a warning (their count, nothing of them).
async fn receive(
    kind: Kind,
    query: &Handshake,
    body: &[u8],
    state: &AppState,
) -> Result<HttpResponse, ApiError> {
    if let Some(token) = &query.validation_token {
        return validated(token);
    }
    let batch: Batch = serde_json::from_slice(body).map_err(|error| {
        ApiError::bad_request(
            "invalid_notification",
            format!("not a Graph notification: {error}"),
        )
    })?;
    let accepted = notifications::accept(state, kind, &batch).await?;
    if accepted.refused > 0 {
        tracing::warn!(
            refused = accepted.refused,
            kind = ?kind,
            "notifications with an unknown subscription or a wrong clientState were dropped"
        );
    }
    Ok(HttpResponse::Accepted().finish())
}
