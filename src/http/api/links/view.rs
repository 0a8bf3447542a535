//! A link as the pane sees it: where its sync stands, what it relates to (by name), and the
//! version a wait compares with.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

pub(super) use super::names::Names;
use super::names::{RelatedRecord, current_names};
use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::meeting::Meeting;
use crate::relations::Kind;
use crate::state::AppState;
use crate::storage::connections::Provider;
use crate::storage::event_links::{EventLink, LinkState};
use crate::sync::model::codes::LinkCode;

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
    pub(super) version: String,
}

impl LinkView {
    /// A meeting the rep never related nor synced.
    pub(super) fn none(outlook_event_id: &str) -> Self {
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

pub(super) async fn view(
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
