//! `GET /api/v1/admin/users/{objectId}/history` and
//! `GET /api/v1/admin/users/{objectId}/events/{outlookId}/history`: what the sync decided for
//! one of the tenant's reps, as the rep reads it in the pane: their latest decisions across
//! meetings, newest first, or one meeting's whole history with what each write changed.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::sync::rep_of;
use crate::http::api::history::{EntryView, HistoryView, explained};
use crate::http::api::links::outlook_id;
use crate::http::error::ApiError;
use crate::http::extract::Admin;
use crate::state::AppState;
use crate::storage::event_links::{self, Side};
use crate::storage::history;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/users/{object_id}/history", web::get().to(user_history))
        .route(
            "/users/{object_id}/events/{outlook_id}/history",
            web::get().to(meeting_history),
        );
}

/// A page holds this many entries unless `limit` says otherwise (at most [`MAX_PAGE`]).
const PAGE: i64 = 50;
const MAX_PAGE: i64 = 500;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Entries older than this one (a `next_before` of the page before).
    before: Option<String>,
    /// How many entries, 1 to 500 (50 when absent).
    limit: Option<String>,
}

impl HistoryQuery {
    fn parse(&self) -> Result<(Option<i64>, i64), ApiError> {
        let before =
            match self.before.as_deref() {
                None => None,
                Some(text) => Some(text.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(
                    || ApiError::invalid("before", "an entry's id, from next_before"),
                )?),
            };
        let limit = match self.limit.as_deref() {
            None => PAGE,
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| ApiError::invalid("limit", "a number from 1 to 500"))?,
        };
        Ok((before, limit))
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserHistoryView {
    /// Newest first.
    entries: Vec<UserEntryView>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    next_before: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct UserEntryView {
    /// The meeting's Outlook REST id (for its whole history), when the decision was about one.
    outlook_id: Option<String>,
    #[serde(flatten)]
    entry: EntryView,
}

/// A rep's latest sync decisions across their meetings, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/admin/users/{objectId}/history",
    operation_id = "get_user_history",
    tag = "admin",
    security(("bearer" = [])),
    params(("objectId" = String, Path, description = "the rep's Entra object id"), HistoryQuery),
    responses(
        (status = 200, description = "the rep's decisions, newest first", body = UserHistoryView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn user_history(
    Admin(admin): Admin,
    path: web::Path<String>,
    query: web::Query<HistoryQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (before, limit) = query.parse()?;
    let rep = rep_of(&state, &admin, &path).await?;
    let entries = history::list_for_user(&state.db, &rep.id, before, limit).await?;
    let next_before = entries
        .last()
        .map(|e| e.id)
        .filter(|_| entries.len() as i64 == limit);
    let mut link_ids: Vec<&str> = entries
        .iter()
        .filter_map(|e| e.link_id.as_deref())
        .collect();
    link_ids.sort_unstable();
    link_ids.dedup();
    let meetings: HashMap<String, String> =
        event_links::find_many_by(&state.db, &rep.id, Side::Link, &link_ids)
            .await?
            .into_iter()
            .map(|link| (link.id, link.outlook_event_id))
            .collect();
    let outlook_ids: Vec<Option<String>> = entries
        .iter()
        .map(|e| e.link_id.as_ref().and_then(|id| meetings.get(id).cloned()))
        .collect();
    // Each entry alone: what a write changed from the one before is in the meeting's history.
    let entries = outlook_ids
        .into_iter()
        .zip(entries)
        .flat_map(|(outlook_id, entry)| {
            explained(vec![entry])
                .into_iter()
                .map(move |entry| UserEntryView {
                    outlook_id: outlook_id.clone(),
                    entry,
                })
        })
        .collect();
    Ok(HttpResponse::Ok().json(UserHistoryView {
        entries,
        next_before,
    }))
}

/// One of a rep's meetings: every decision the sync took about it, oldest first, as the rep
/// reads it in the pane.
#[utoipa::path(
    get,
    path = "/api/v1/admin/users/{objectId}/events/{outlookId}/history",
    operation_id = "get_user_event_history",
    tag = "admin",
    security(("bearer" = [])),
    params(
        ("objectId" = String, Path, description = "the rep's Entra object id"),
        ("outlookId" = String, Path, description = "the meeting's Outlook REST id"),
    ),
    responses(
        (status = 200, description = "the meeting's decisions, oldest first", body = HistoryView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn meeting_history(
    Admin(admin): Admin,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (object_id, meeting) = path.into_inner();
    let meeting = outlook_id(&meeting)?;
    let rep = rep_of(&state, &admin, &object_id).await?;
    let link = event_links::find_by_outlook_id(&state.db, &rep.id, meeting)
        .await?
        .ok_or_else(|| ApiError::NotFound("this meeting of the rep is not synced".into()))?;
    let entries = history::list_for_link(&state.db, &link.id).await?;
    Ok(HttpResponse::Ok().json(HistoryView::of(explained(entries))))
}
