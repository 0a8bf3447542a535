//! `PUT|GET|DELETE /api/v1/events/{outlookId}/link`: what the rep related a meeting to and
//! whether it syncs. A PUT checks the relations against Salesforce's limits, stores them with
//! the meeting as Office.js saw it, and queues the sync, in one transaction; a GET tells the
//! pane the sync's state, at once or when it changes (`wait`, `after`); a DELETE unselects the meeting (the sync then applies the deletion
//! policy). A rep sees and changes only their own links.

mod names;
mod view;
mod wait;

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::meeting::Meeting;
use crate::relations;
use crate::state::AppState;
use crate::storage::event_links::{self, EventLink, Selection};
use crate::storage::{self};
use crate::sync::jobs::SyncEvent;
use crate::sync::model::history::Cause;
pub(crate) use view::outlook_id;
use view::{LinkView, Names, view};
pub use wait::{__path_get_link, get_link};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/events/{outlook_id}/link")
            .route(web::put().to(put_link))
            .route(web::get().to(get_link))
            .route(web::delete().to(delete_link)),
    );
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// Contacts (up to 50) or one Lead.
    #[serde(default)]
    #[schema(example = json!(["003000000000001AAA"]))]
    who_ids: Vec<String>,
    /// An Account, Opportunity or Case; none with a Lead.
    what_id: Option<String>,
    /// Whether the meeting syncs to Salesforce.
    sync: bool,
    /// The series the meeting belongs to (its REST id), when the pane knows it.
    series_id: Option<String>,
    /// The meeting as Office.js shows it now.
    meeting: Option<Meeting>,
    /// The related records' names as the rep sees them, by Id: shown when the meeting is
    /// reopened, before (or without) Salesforce telling them again.
    #[serde(default)]
    #[schema(example = json!({ "003000000000001AAA": "Jane Doe" }))]
    names: BTreeMap<String, String>,
}

/// Stores the rep's choice and queues its sync in one transaction; the link as it now stands.
async fn save(
    state: &AppState,
    rep: &Rep,
    selection: &Selection<'_>,
) -> Result<HttpResponse, ApiError> {
    let job = state.queue.prepare(&SyncEvent::new(
        &rep.user.id,
        selection.outlook_event_id,
        Cause::Pane,
    ))?;
    let link =
        event_links::selection::select_and_queue(&state.db, selection, Some(&job), storage::now())
            .await?;
    state.queue.notify();
    state.live.changed(&rep.user.id).await;
    // A rep's first meeting starts the watch of their calendar (a rep on the org-wide grant
    // never connects, so this is where theirs starts); a change to a known meeting costs nothing.
    if link.is_new() {
        crate::sync::watch::start_watching(state, &rep.user.id).await?;
    }
    Ok(HttpResponse::Ok().json(view(state, rep, link, Names::AsStored).await?))
}

/// The rep's own link of a meeting; another rep's is as unknown as none.
pub(super) async fn own_link(
    state: &AppState,
    rep: &Rep,
    outlook_event_id: &str,
) -> Result<EventLink, ApiError> {
    event_links::find_by_outlook_id(&state.db, &rep.user.id, outlook_event_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("this meeting is not related to Salesforce".into()))
}

/// Relates a meeting to Salesforce records and selects it for sync (or not).
#[utoipa::path(
    put,
    path = "/api/v1/events/{outlookId}/link",
    operation_id = "put_event_link",
    tag = "rep",
    security(("bearer" = [])),
    params(("outlookId" = String, Path, description = "the meeting's Outlook REST id")),
    request_body = LinkRequest,
    responses(
        (status = 200, description = "the link as stored, its sync queued", body = LinkView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
    )
)]
pub async fn put_link(
    rep: Rep,
    path: web::Path<String>,
    body: web::Json<LinkRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let outlook_event_id = outlook_id(&path)?;
    let body = body.into_inner();
    let relations = relations::check(&body.who_ids, body.what_id.as_deref())
        .map_err(|b| ApiError::broken_rule(b.rule, b.field, b.message))?;
    if let Some(series) = &body.series_id {
        outlook_id(series).map_err(|_| ApiError::invalid("series_id", "an Outlook REST id"))?;
    }
    let meeting = body
        .meeting
        .map(Meeting::checked)
        .transpose()
        .map_err(|i| ApiError::invalid(i.field, i.message))?;
    let who_ids: Vec<&str> = relations.who_ids.iter().map(String::as_str).collect();
    let record_names = relations::kept_names(
        &body.names,
        who_ids.iter().copied().chain(relations.what_id.as_deref()),
    );
    let selection = Selection {
        user_id: &rep.user.id,
        outlook_event_id,
        outlook_series_id: body.series_id.as_deref(),
        selected: body.sync,
        who_ids: &who_ids,
        what_id: relations.what_id.as_deref(),
        meeting: meeting.as_ref(),
        record_names: Some(&record_names),
    };
    save(&state, &rep, &selection).await
}

/// Stops syncing a meeting; the sync removes or keeps its Salesforce Event per the policy.
#[utoipa::path(
    delete,
    path = "/api/v1/events/{outlookId}/link",
    operation_id = "delete_event_link",
    tag = "rep",
    security(("bearer" = [])),
    params(("outlookId" = String, Path, description = "the meeting's Outlook REST id")),
    responses(
        (status = 200, description = "the link, unselected, its last sync queued", body = LinkView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn delete_link(
    rep: Rep,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let outlook_event_id = outlook_id(&path)?;
    let existing = own_link(&state, &rep, outlook_event_id).await?;
    let who_ids: Vec<&str> = existing.who_ids.iter().map(String::as_str).collect();
    let selection = Selection {
        user_id: &rep.user.id,
        outlook_event_id,
        outlook_series_id: None,
        selected: false,
        who_ids: &who_ids,
        what_id: existing.what_id.as_deref(),
        meeting: None,
        record_names: None,
    };
    save(&state, &rep, &selection).await
}
