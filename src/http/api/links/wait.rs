//! `GET /api/v1/events/{outlookId}/link`, at once or, with `wait` and `after`, when the link
//! changes from the version the pane holds: a future on an idle connection, woken by
//! `crate::live`, bounded per rep and per instance.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::view::{LinkView, Names, outlook_id, view};
use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::live::{Refused, WAITS_PER_REP};
use crate::state::AppState;
use crate::storage::event_links;

/// The longest a `GET …/link?wait=` waits (under the 30 s at which proxies commonly give up).
const MAX_WAIT_SECS: u64 = 25;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LinkQuery {
    /// Seconds (up to 25) to wait for the link to change from `after` before answering.
    wait: Option<u64>,
    /// The `version` the pane holds: with `wait`, the answer comes when the link's differs.
    after: Option<String>,
}

/// The rep's link of a meeting and where its sync stands: answered at once, or, with `wait`
/// and `after`, when it changes from the version the pane holds (or after `wait` seconds,
/// unchanged). A meeting never related is `not_synced`, version `0`.
#[utoipa::path(
    get,
    path = "/api/v1/events/{outlookId}/link",
    operation_id = "get_event_link",
    tag = "rep",
    security(("bearer" = [])),
    params(("outlookId" = String, Path, description = "the meeting's Outlook REST id"), LinkQuery),
    responses(
        (status = 200, description = "the link and its sync state", body = LinkView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 429, response = crate::http::openapi::responses::TooMany),
    )
)]
pub async fn get_link(
    rep: Rep,
    path: web::Path<String>,
    query: web::Query<LinkQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let outlook_event_id = outlook_id(&path)?;
    let wait = match (query.wait, &query.after) {
        (Some(secs), _) if secs > MAX_WAIT_SECS => {
            return Err(ApiError::invalid("wait", "0 to 25 seconds"));
        }
        (Some(secs), Some(after)) if secs > 0 => Some((Duration::from_secs(secs), after)),
        _ => None,
    };
    let now =
        || async { Ok(HttpResponse::Ok().json(current(&state, &rep, outlook_event_id).await?)) };
    let Some((wait, after)) = wait else {
        return now().await;
    };
    let waiting = match state.live.wait(&rep.user.id) {
        Ok(waiting) => waiting,
        // A stopping instance answers at once; the pane asks again, of another.
        Err(Refused::Closing) => return now().await,
        Err(refused) => return Err(too_many(refused)),
    };
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        // Listening before reading: a change between the read and the wait still wakes it.
        let mut woken = std::pin::pin!(waiting.notify().notified());
        woken.as_mut().enable();
        let view = current(&state, &rep, outlook_event_id).await?;
        if view.version != *after || tokio::time::Instant::now() >= deadline {
            return Ok(HttpResponse::Ok().json(view));
        }
        tokio::select! {
            () = woken => {}
            () = tokio::time::sleep_until(deadline) => {}
        }
    }
}

async fn current(
    state: &AppState,
    rep: &Rep,
    outlook_event_id: &str,
) -> Result<LinkView, ApiError> {
    match event_links::find_by_outlook_id(&state.db, &rep.user.id, outlook_event_id).await? {
        Some(link) => view(state, rep, link, Names::Refreshed).await,
        None => Ok(LinkView::none(outlook_event_id)),
    }
}

fn too_many(refused: Refused) -> ApiError {
    let (code, message) = match refused {
        Refused::Rep => (
            "too_many_waits",
            format!("at most {WAITS_PER_REP} panes may wait for a meeting's sync at once"),
        ),
        _ => (
            "instance_busy",
            "outforce is answering many panes at once".to_string(),
        ),
    };
    ApiError::TooMany {
        code,
        message,
        retry_after_secs: 5,
    }
}
