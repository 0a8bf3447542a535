//! `PUT|GET|DELETE /api/v1/events/{outlookId}/link`: what the rep related a meeting to and
//! whether it syncs. A PUT checks the relations against Salesforce's limits, stores them with
//! the meeting as Office.js saw it, and queues the sync, in one transaction; a GET tells the
//! pane the sync's state, at once or when it changes (`wait`, `after`); a DELETE unselects the meeting (the sync then applies the deletion
//! policy). A rep sees and changes only their own links.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::live::{Refused, WAITS_PER_REP};
use crate::meeting::Meeting;
use crate::relations::{self, Kind};
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
    /// The related records' names as the rep sees them, by Id: shown when the meeting is
    /// reopened, before (or without) Salesforce telling them again.
    #[serde(default)]
    #[schema(example = json!({ "003000000000001AAA": "Jane Doe" }))]
    names: BTreeMap<String, String>,
}

/// A record the meeting is related to.
#[derive(Serialize, ToSchema)]
pub struct RelatedRecord {
    id: String,
    #[serde(rename = "type")]
    kind: Kind,
    /// As Salesforce holds it now, or as the rep saw it when Salesforce cannot say; `null`
    /// when neither is known.
    name: Option<String>,
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
    /// Every record of `who_ids` and `what_id`, in that order, with its name.
    records: Vec<RelatedRecord>,
    state: SyncState,
    /// The Salesforce Event, once written.
    salesforce_event_id: Option<String>,
    /// Why the last attempt failed, the meeting waits, or it left the sync (a stable code the
    /// pane explains).
    error: Option<LinkCode>,
    meeting: Option<Meeting>,
    /// When the link was last written; `null` for a meeting never related.
    #[schema(value_type = Option<String>, format = DateTime)]
    updated_at: Option<DateTime<Utc>>,
    /// Changes whenever the link does: send it back as `after` to wait for the next change.
    #[schema(example = "1765152000000000")]
    version: String,
}

impl LinkView {
    /// A meeting the rep never related nor synced.
    fn none(outlook_event_id: &str) -> Self {
        Self {
            outlook_event_id: outlook_event_id.to_string(),
            series_id: None,
            sync: false,
            who_ids: Vec::new(),
            attendee_relations: Vec::new(),
            who_ids_left_out: 0,
            what_id: None,
            records: Vec::new(),
            state: SyncState::NotSynced,
            salesforce_event_id: None,
            error: None,
            meeting: None,
            updated_at: None,
            version: crate::live::version(None),
        }
    }
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

/// Whether a view's names are asked of Salesforce (when reading a link) or are those the rep
/// just sent (when saving it).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Names {
    Refreshed,
    AsStored,
}

/// The names of `ids` as Salesforce holds them now, from the cache or one Composite call; none
/// when Salesforce cannot be asked (the stored names stand in).
async fn current_names(state: &AppState, rep: &Rep, ids: &[&str]) -> HashMap<String, Arc<str>> {
    let mut known = HashMap::new();
    let mut missing = Vec::new();
    for id in ids {
        match state
            .record_names
            .get(&(rep.user.id.clone(), id.to_string()))
            .await
        {
            Some(name) => {
                known.insert(id.to_string(), name);
            }
            None => missing.push(*id),
        }
    }
    if missing.is_empty() {
        return known;
    }
    let asked = async {
        let mut session = state.sessions.open(&rep.user).await?;
        crate::salesforce::records::names(&mut session, &missing).await
    };
    match asked.await {
        Ok(found) => {
            for (id, name) in found {
                let name: Arc<str> = name.into();
                state
                    .record_names
                    .insert((rep.user.id.clone(), id.clone()), Arc::clone(&name))
                    .await;
                known.insert(id, name);
            }
        }
        Err(error) => tracing::info!(error = %error, "related records' names not refreshed"),
    }
    known
}

async fn view(
    state: &AppState,
    rep: &Rep,
    link: EventLink,
    names: Names,
) -> Result<LinkView, ApiError> {
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
    let who_ids: Vec<String> = link
        .who_ids
        .0
        .into_iter()
        .chain(attendee_relations.iter().cloned())
        .collect();
    let related: Vec<&str> = who_ids
        .iter()
        .chain(&link.what_id)
        .map(String::as_str)
        .collect();
    let fresh = match names {
        Names::Refreshed => current_names(state, rep, &related).await,
        Names::AsStored => HashMap::new(),
    };
    let records = related
        .iter()
        .filter_map(|id| {
            let stored = link.record_names.0.get(*id);
            Some(RelatedRecord {
                id: id.to_string(),
                kind: Kind::of(id)?,
                name: fresh
                    .get(*id)
                    .map(|n| n.to_string())
                    .or_else(|| stored.map(|s| s.name.clone())),
            })
        })
        .collect();
    Ok(LinkView {
        outlook_event_id: link.outlook_event_id,
        series_id: link.outlook_series_id,
        sync: link.selected,
        who_ids,
        records,
        attendee_relations,
        who_ids_left_out: link.who_ids_left_out,
        what_id: link.what_id,
        state: sync_state,
        salesforce_event_id: link.salesforce_event_id,
        error: link.last_error_code,
        meeting: link.meeting.map(|m| m.0),
        updated_at: Some(link.updated_at),
        version: crate::live::version(Some(link.updated_at)),
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
    let Some((wait, after)) = wait else {
        return Ok(HttpResponse::Ok().json(current(&state, &rep, outlook_event_id).await?));
    };
    let waiting = match state.live.wait(&rep.user.id) {
        Ok(waiting) => Some(waiting),
        Err(Refused::Closing) => None,
        Err(refused) => return Err(too_many(refused)),
    };
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        // Listening before reading: a change between the read and the wait still wakes it.
        let woken = waiting.as_ref().map(|w| w.notify().notified());
        let mut woken = std::pin::pin!(woken);
        if let Some(woken) = woken.as_mut().as_pin_mut() {
            woken.enable();
        }
        let view = current(&state, &rep, outlook_event_id).await?;
        if view.version != *after || tokio::time::Instant::now() >= deadline {
            return Ok(HttpResponse::Ok().json(view));
        }
        let Some(woken) = woken.as_pin_mut() else {
            return Ok(HttpResponse::Ok().json(view));
        };
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
