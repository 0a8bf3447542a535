//! `GET /api/v1/events/{outlookId}/history`: every decision the sync took about one of the rep's
//! meetings, oldest first, so that the pane can explain it: what was done to the Salesforce
//! Event and why, its fields as written, and what each write changed from the one before.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::links::{outlook_id, own_link};
use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::state::AppState;
use crate::storage::history::{self, Actor, HistoryEntry};
use crate::sync::model::content::Part;
use crate::sync::model::history::{Action, Detail, Side};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/events/{outlook_id}/history", web::get().to(history));
}

#[derive(Serialize, ToSchema)]
pub struct HistoryView {
    /// Oldest first.
    entries: Vec<EntryView>,
}

#[derive(Serialize, ToSchema)]
pub struct EntryView {
    at: DateTime<Utc>,
    actor: Actor,
    action: Action,
    /// What asked for it, why, the call that carried it out, the fields it found (`before`)
    /// and left (`after`) on the side it wrote, and the facts of its kind (a conflict's part,
    /// winner and lost value; the relations that followed the attendees; …).
    #[serde(flatten)]
    detail: Detail,
    /// The fields whose values differ from `before`.
    changed: Vec<String>,
    /// For a `conflict`: the part both sides changed, each side's value, the winner (by the
    /// configuration's policy) and the value that lost.
    conflict: Option<ConflictView>,
}

#[derive(Serialize, ToSchema)]
pub struct ConflictView {
    part: Part,
    winner: Side,
    #[schema(value_type = Object)]
    outlook: Value,
    #[schema(value_type = Object)]
    salesforce: Value,
    #[schema(value_type = Object)]
    lost: Value,
}

/// What the sync did with a meeting, and why.
#[utoipa::path(
    get,
    path = "/api/v1/events/{outlookId}/history",
    operation_id = "get_event_history",
    tag = "rep",
    security(("bearer" = [])),
    params(("outlookId" = String, Path, description = "the meeting's Outlook REST id")),
    responses(
        (status = 200, description = "the meeting's decisions, oldest first", body = HistoryView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn history(
    rep: Rep,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let link = own_link(&state, &rep, outlook_id(&path)?).await?;
    let entries = history::list_for_link(&state.db, &link.id).await?;
    Ok(HttpResponse::Ok().json(HistoryView::of(explained(entries))))
}

impl HistoryView {
    pub(crate) fn of(entries: Vec<EntryView>) -> Self {
        Self { entries }
    }
}

/// Each entry with what it changed. An entry written before writes recorded what they found
/// (`before`) takes the fields the write before it left on Salesforce's side.
pub(crate) fn explained(entries: Vec<HistoryEntry>) -> Vec<EntryView> {
    let mut last_written: Option<Map<String, Value>> = None;
    entries
        .into_iter()
        .map(|entry| {
            let mut detail = entry.detail.0;
            let to_salesforce = detail.side.is_none_or(|side| side == Side::Salesforce);
            if detail.before.is_none() && detail.after.is_some() && to_salesforce {
                detail.before = last_written.clone();
            }
            let changed = match (&detail.before, &detail.after) {
                (Some(old), Some(new)) => new
                    .iter()
                    .filter(|(key, value)| old.get(*key) != Some(*value))
                    .map(|(key, _)| key.clone())
                    .collect(),
                _ => Vec::new(),
            };
            if let (Some(written), true) = (&detail.after, to_salesforce) {
                let mut now = last_written.take().unwrap_or_default();
                now.extend(written.clone());
                last_written = Some(now);
            }
            let conflict = match (&detail.part, &detail.winner, entry.action) {
                (Some(part), Some(winner), Action::Conflict) => Some(ConflictView {
                    part: *part,
                    winner: *winner,
                    outlook: detail.outlook.clone().unwrap_or_default(),
                    salesforce: detail.salesforce.clone().unwrap_or_default(),
                    lost: detail.lost.clone().unwrap_or_default(),
                }),
                _ => None,
            };
            EntryView {
                at: entry.at,
                actor: entry.actor,
                action: entry.action,
                detail,
                changed,
                conflict,
            }
        })
        .collect()
}
