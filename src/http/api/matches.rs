//! `POST /api/v1/matches`: a meeting's attendees as the pane sees them → the Contacts and
//! unconverted Leads that carry each address (ranked, with the reason) and the colleagues among
//! them. At most one Salesforce call, whatever the number of attendees; none when every
//! address was looked up in the last few minutes.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::matching::{self, AttendeeMatches, EmailAddress, ExtraEmailFields, Found};
use crate::salesforce::lookup;
use crate::salesforce::session::SessionError;
use crate::salesforce::{ErrorCode, SalesforceError};
use crate::state::AppState;

/// A field the admin named that the org does not have is theirs to correct, not an outage.
fn misconfigured(error: SessionError, fields: &ExtraEmailFields) -> ApiError {
    let named_fields = !fields.contact.is_empty() || !fields.lead.is_empty();
    match error {
        SessionError::Salesforce(SalesforceError::Api {
            code: ErrorCode::InvalidField,
            message,
            ..
        }) if named_fields => ApiError::Precondition {
            code: "extra_email_field_invalid",
            message: format!(
                "Salesforce refused an extra email field ({message}); an admin must correct them (PUT /api/v1/admin/matching)"
            ),
        },
        other => other.into(),
    }
}

/// The most attendees one request may carry (Outlook allows 500 per meeting).
const MAX_ATTENDEES: usize = 500;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/matches", web::post().to(matches));
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    /// The meeting's attendees (and organizer), at most 500.
    attendees: Vec<AttendeeIn>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendeeIn {
    #[schema(example = "jane.doe@acme.example")]
    email: String,
    /// The display name Outlook shows, for prefilling a new record.
    name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MatchesView {
    /// One entry per attendee, in the order sent.
    attendees: Vec<AttendeeMatches>,
}

/// The Salesforce records behind a meeting's attendees.
#[utoipa::path(
    post,
    path = "/api/v1/matches",
    operation_id = "match_attendees",
    tag = "rep",
    security(("bearer" = [])),
    request_body = MatchRequest,
    responses(
        (status = 200, description = "each attendee's matches", body = MatchesView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 409, response = crate::http::openapi::responses::Precondition),
        (status = 502, response = crate::http::openapi::responses::Upstream),
        (status = 503, response = crate::http::openapi::responses::NotConfigured),
    )
)]
pub async fn matches(
    rep: Rep,
    body: web::Json<MatchRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if body.attendees.len() > MAX_ATTENDEES {
        return Err(ApiError::invalid(
            "attendees",
            format!("at most {MAX_ATTENDEES} in one request"),
        ));
    }
    // An attendee whose address cannot be one gets its own answer; the others are still matched.
    let asked: Vec<Result<EmailAddress, &'static str>> = body
        .attendees
        .iter()
        .map(|attendee| EmailAddress::parse(&attendee.email))
        .collect();
    let mut unique: Vec<EmailAddress> = asked.iter().flatten().cloned().collect();
    unique.sort();
    unique.dedup();

    // An excluded address is not even looked up: nothing about it goes to Salesforce.
    let policy = crate::sync::context::settings_for(&state, &rep.user).await?;
    unique.retain(|email| !policy.excludes(email.as_str()));
    let mut session = state.sessions.open(&rep.user).await?;
    let fields = &policy.email_fields(&rep.tenant.extra_email_fields.0);
    let found = lookup::cached(&mut session, &state.matches, &unique, fields)
        .await
        .map_err(|error| misconfigured(error, fields))?;
    let empty = Found::default();
    let attendees = asked
        .iter()
        .zip(&body.attendees)
        .map(|(email, sent)| {
            let name = sent.name.clone().filter(|n| !n.trim().is_empty());
            match email {
                Ok(email) => AttendeeMatches {
                    name,
                    excluded: policy.excludes(email.as_str()),
                    ..matching::explain(email, found.get(email).map_or(&empty, |f| f.as_ref()))
                },
                Err(problem) => AttendeeMatches {
                    email: sent.email.trim().to_string(),
                    problem: Some((*problem).to_string()),
                    name,
                    matches: Vec::new(),
                    colleague: None,
                    excluded: false,
                },
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(MatchesView { attendees }))
}
