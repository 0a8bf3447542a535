//! `GET /api/v1/events/{outlookId}/history`: every decision the sync took about one of the rep's
//! meetings, oldest first, so that the pane can explain it: what was done to the Salesforce
//! Event and why, its fields as written, and what each write changed from the one before.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::links::{outlook_id, own_link};
use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::state::AppState;
use crate::storage::history::{self, HistoryEntry};

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
    /// `system` (the sync), `rep` or `admin`.
    #[schema(example = "system")]
    actor: &'static str,
    /// `created`, `found_again`, `updated`, `deleted`, `kept`, `skipped` or `rejected`.
    #[schema(example = "updated")]
    action: String,
    /// The change that asked for it: `pane`, `notification`, `delta_round`, `category`,
    /// `series`, `scope`, `reconnected`, `reset`.
    #[schema(example = "notification")]
    seen: Option<String>,
    /// The rule or change behind it: `unselected`, `outlook_deleted`, `outlook_cancelled`,
    /// `private_skipped`, `salesforce_rejected`, …
    because: Option<String>,
    /// The Salesforce call that carried it out (none for a decision that needed none).
    #[schema(example = "PATCH composite/sobjects")]
    call: Option<String>,
    salesforce_event_id: Option<String>,
    /// Salesforce's own error code, when it refused the write (`rejected`).
    #[schema(example = "INVALID_CROSS_REFERENCE_KEY")]
    salesforce_code: Option<String>,
    /// The Event's fields as the previous write left them.
    #[schema(value_type = Option<Object>)]
    before: Option<Value>,
    /// The Event's fields as this decision wrote them.
    #[schema(value_type = Option<Object>)]
    after: Option<Value>,
    /// The fields whose values differ from `before`.
    changed: Vec<String>,
    /// For a `conflict`: the part both sides changed, each side's value, the winner (by the
    /// configuration's policy) and the value that lost.
    #[schema(value_type = Option<Object>)]
    conflict: Option<Value>,
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

/// Each entry with the fields the write before it left (`before`) and what it changed.
pub(crate) fn explained(entries: Vec<HistoryEntry>) -> Vec<EntryView> {
    let mut last_written: Option<Value> = None;
    entries
        .into_iter()
        .map(|entry| {
            let mut detail = entry.detail.0;
            let text = |detail: &Value, key: &str| detail[key].as_str().map(str::to_string);
            let after = detail.get_mut("after").map(Value::take);
            let before = after.as_ref().and(last_written.clone());
            let changed = match (&before, &after) {
                (Some(Value::Object(old)), Some(Value::Object(new))) => new
                    .iter()
                    .filter(|(key, value)| old.get(*key) != Some(*value))
                    .map(|(key, _)| key.clone())
                    .collect(),
                _ => Vec::new(),
            };
            if let Some(written) = &after {
                last_written = Some(written.clone());
            }
            let conflict = (entry.action == "conflict").then(|| {
                let keep = ["part", "winner", "outlook", "salesforce", "lost"];
                Value::Object(
                    keep.iter()
                        .filter_map(|k| Some((k.to_string(), detail.get(*k)?.clone())))
                        .collect(),
                )
            });
            EntryView {
                at: entry.at,
                actor: entry.actor.as_str(),
                action: entry.action,
                seen: text(&detail, "seen"),
                because: text(&detail, "because"),
                call: text(&detail, "call"),
                salesforce_event_id: text(&detail, "salesforce_event_id"),
                salesforce_code: text(&detail, "salesforce_code"),
                conflict,
                before,
                after,
                changed,
            }
        })
        .collect()
}
