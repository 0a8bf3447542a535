//! `PUT|GET|DELETE /api/v1/events/{outlookId}/link`: what the rep related a meeting to and
//! whether it syncs. A PUT checks the relations against Salesforce's limits, stores them with
//! the meeting as Office.js saw it, and queues the sync, in one transaction; a GET tells the
//! pane the sync's state; a DELETE unselects the meeting (the sync then applies the deletion
//! policy). A rep sees and changes only their own links.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::meeting::Meeting;
use crate::relations;
use crate::state::AppState;
use crate::storage::connections::Provider;
use crate::storage::event_links::{self, EventLink, LinkState, Selection};
use crate::storage::{self};
use crate::sync::jobs::SyncEvent;
use crate::sync::model::codes::LinkCode;
use crate::sync::model::history::Cause;

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
}

/// Where the sync of a link stands, as the pane shows it.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Waiting for the sync pipeline.
    Queued,
    /// The Salesforce Event matches the meeting.
    Synced,
    /// The last attempt failed: `error` says why and what to do.
    Failed,
    /// The meeting is not (or no longer) synced.
    NotSynced,
    /// The rep's Salesforce connection must be made again before anything syncs.
    ReconnectNeeded,
}

#[derive(Serialize, ToSchema)]
pub struct LinkView {
    outlook_event_id: String,
    series_id: Option<String>,
    sync: bool,
    /// The Contacts and Leads the Event relates to: the rep's, then those the sync related
    /// because an attendee matched.
    who_ids: Vec<String>,
    /// Which of `who_ids` the sync related for an attendee (it unrelates them when the
    /// attendee leaves; sending them back in `who_ids` makes them the rep's own).
    attendee_relations: Vec<String>,
    /// How many of `who_ids` the last write left out: without Shared Activities the org
    /// relates an Event to one Contact or Lead (`WhoId`), the first.
    who_ids_left_out: i64,
    what_id: Option<String>,
    state: SyncState,
    /// The Salesforce Event, once written.
    salesforce_event_id: Option<String>,
    /// Why the last attempt failed, the meeting waits, or it left the sync (a stable code the
    /// pane explains).
    error: Option<LinkCode>,
    meeting: Option<Meeting>,
    #[schema(value_type = String, format = DateTime)]
    updated_at: DateTime<Utc>,
}

/// Outlook's REST ids are URL-safe base64 (`AAMkAD…`, `-` and `_` for `+` and `/`).
pub(crate) fn outlook_id(path: &str) -> Result<&str, ApiError> {
    let ok = !path.is_empty()
        && path.len() <= 512
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '='));
    if ok {
        Ok(path)
    } else {
        Err(ApiError::invalid(
            "outlookId",
            "an Outlook REST item id (convert the EWS id with convertToRestId)",
        ))
    }
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
    // A rep's first meeting starts the watch of their calendar (a rep on the org-wide grant
    // never connects, so this is where theirs starts); a change to a known meeting costs nothing.
    if link.is_new() {
        crate::sync::watch::start_watching(state, &rep.user.id).await?;
    }
    Ok(HttpResponse::Ok().json(view(state, rep, link).await?))
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

async fn view(state: &AppState, rep: &Rep, link: EventLink) -> Result<LinkView, ApiError> {
    let connected = state
        .connections
        .find(&rep.user.id, Provider::Salesforce)
        .await?
        .is_none_or(|c| c.is_connected());
    let sync_state = match link.state {
        _ if !link.selected => SyncState::NotSynced,
        _ if !connected => SyncState::ReconnectNeeded,
        LinkState::Pending => SyncState::Queued,
        LinkState::Synced => SyncState::Synced,
        LinkState::Failed => SyncState::Failed,
        LinkState::Removed => SyncState::NotSynced,
    };
    let attendee_relations: Vec<String> = link
        .auto_relations
        .0
        .values()
        .filter(|id| !link.who_ids.0.contains(id))
        .cloned()
        .collect();
    Ok(LinkView {
        outlook_event_id: link.outlook_event_id,
        series_id: link.outlook_series_id,
        sync: link.selected,
        who_ids: link
            .who_ids
            .0
            .into_iter()
            .chain(attendee_relations.iter().cloned())
            .collect(),
        attendee_relations,
        who_ids_left_out: link.who_ids_left_out,
        what_id: link.what_id,
        state: sync_state,
        salesforce_event_id: link.salesforce_event_id,
        error: link.last_error_code,
        meeting: link.meeting.map(|m| m.0),
        updated_at: link.updated_at,
    })
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
    let selection = Selection {
        user_id: &rep.user.id,
        outlook_event_id,
        outlook_series_id: body.series_id.as_deref(),
        selected: body.sync,
        who_ids: &who_ids,
        what_id: relations.what_id.as_deref(),
        meeting: meeting.as_ref(),
    };
    save(&state, &rep, &selection).await
}

/// The rep's link of a meeting and where its sync stands.
#[utoipa::path(
    get,
    path = "/api/v1/events/{outlookId}/link",
    operation_id = "get_event_link",
    tag = "rep",
    security(("bearer" = [])),
    params(("outlookId" = String, Path, description = "the meeting's Outlook REST id")),
    responses(
        (status = 200, description = "the link and its sync state", body = LinkView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn get_link(
    rep: Rep,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let outlook_event_id = outlook_id(&path)?;
    let link = own_link(&state, &rep, outlook_event_id).await?;
    Ok(HttpResponse::Ok().json(view(&state, &rep, link).await?))
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
    };
    save(&state, &rep, &selection).await
}
