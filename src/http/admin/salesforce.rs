//! The admin's choice of how the tenant reaches Salesforce: `PUT` and `DELETE
//! /api/v1/admin/salesforce/org-wide` turn the org-wide JWT bearer connection on (with the rule
//! that maps a rep to a Salesforce user) or off; `POST …/org-wide/check` tries it for every
//! known rep and says, per rep, whether it works and what to fix when it does not.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::checks::{Problem, RepRef};
use crate::http::error::ApiError;
use crate::http::extract::Admin;
use crate::ids::SalesforceUserId;
use crate::salesforce::login_host;
use crate::salesforce::org_wide::OrgWideError;
use crate::state::AppState;
use crate::storage::org_wide::{OrgWide, OrgWideSetup, UserMatch};
use crate::storage::users;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/salesforce/org-wide", web::put().to(turn_on))
        .route("/salesforce/org-wide", web::delete().to(turn_off))
        .route("/salesforce/org-wide/check", web::post().to(check));
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgWideRequest {
    /// `production`, `sandbox` or an Experience Cloud site URL: the JWT's audience and where it
    /// is posted (never My Domain).
    #[schema(example = "production")]
    login: String,
    /// `username` (the rep's sign-in name plus `username_suffix`) or `email`.
    #[schema(example = "username")]
    match_by: String,
    username_suffix: Option<String>,
    /// The Salesforce user that looks reps up by email.
    integration_username: Option<String>,
}

/// The org-wide setup as the admin sees it.
#[derive(Serialize, ToSchema)]
pub struct OrgWideView {
    login_url: String,
    #[schema(value_type = String, example = "username")]
    match_by: UserMatch,
    username_suffix: Option<String>,
    integration_username: Option<String>,
    /// The last failure to act as a rep; cleared when minting works again.
    last_error: Option<LastError>,
}

#[derive(Serialize, ToSchema)]
struct LastError {
    code: String,
    at: Option<DateTime<Utc>>,
}

impl From<&OrgWide> for OrgWideView {
    fn from(setup: &OrgWide) -> Self {
        Self {
            login_url: setup.login_url.clone(),
            match_by: setup.user_match,
            username_suffix: setup.username_suffix.clone(),
            integration_username: setup.integration_username.clone(),
            last_error: setup.last_error_code.as_ref().map(|code| LastError {
                code: code.clone(),
                at: setup.last_error_at,
            }),
        }
    }
}

/// Turns the org-wide connection on, or changes its rule.
#[utoipa::path(
    put,
    path = "/api/v1/admin/salesforce/org-wide",
    operation_id = "turn_org_wide_on",
    tag = "admin",
    security(("bearer" = [])),
    request_body = OrgWideRequest,
    responses(
        (status = 200, description = "the setup now in force", body = OrgWideView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 503, response = crate::http::openapi::responses::NotConfigured),
    )
)]
pub async fn turn_on(
    Admin(admin): Admin,
    body: web::Json<OrgWideRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // The server's own gap first: no request can mend it.
    if state.salesforce.jwt_key().is_none() {
        return Err(OrgWideError::NoKey.into());
    }
    let login_url = login_host::jwt_audience(state.salesforce.settings(), &body.login)
        .map_err(|e| ApiError::bad_request("login_host_not_allowed", e.to_string()))?;
    let user_match = UserMatch::parse(&body.match_by).ok_or_else(|| {
        ApiError::bad_request("match_by_invalid", "match_by is `username` or `email`")
    })?;
    let integration = body
        .integration_username
        .as_deref()
        .filter(|u| !u.is_empty());
    if user_match == UserMatch::Email && integration.is_none() {
        return Err(ApiError::bad_request(
            "integration_user_required",
            "matching by email needs integration_username: the Salesforce user that looks reps up",
        ));
    }
    let setup = OrgWideSetup {
        tenant_id: &admin.tenant.id,
        login_url: &login_url,
        user_match,
        username_suffix: body.username_suffix.as_deref().filter(|s| !s.is_empty()),
        integration_username: integration,
    };
    let stored = state.sessions.org_wide().turn_on(&setup).await?;
    Ok(HttpResponse::Ok().json(OrgWideView::from(&stored)))
}

/// Turns the org-wide connection off: reps connect for themselves again.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/salesforce/org-wide",
    operation_id = "turn_org_wide_off",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "off; minted sessions forgotten"),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn turn_off(
    Admin(admin): Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !state.sessions.org_wide().turn_off(&admin.tenant.id).await? {
        return Err(ApiError::NotFound(
            "the org-wide connection is not on".into(),
        ));
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct OrgWideCheckView {
    reps: Vec<RepCheck>,
    /// How many reps the grant does not work for.
    failing: usize,
}

#[derive(Serialize, ToSchema)]
struct RepCheck {
    #[serde(flatten)]
    rep: RepRef,
    /// `ok` or `error`.
    #[schema(example = "ok")]
    status: &'static str,
    /// The Salesforce user the grant acts as, when it works.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    salesforce_user_id: Option<SalesforceUserId>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    problem: Option<Problem>,
}

/// Tries the org-wide grant for every rep outforce knows in the tenant.
#[utoipa::path(
    post,
    path = "/api/v1/admin/salesforce/org-wide/check",
    operation_id = "check_org_wide",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "each rep's result", body = OrgWideCheckView),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn check(
    Admin(admin): Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let grant = state.sessions.org_wide();
    let setup = grant
        .setup(&admin.tenant.id)
        .await?
        .ok_or_else(|| ApiError::NotFound("the org-wide connection is not on".into()))?;
    let mut reps = Vec::new();
    for user in users::list_for_tenant(&state.db, &admin.tenant.id).await? {
        let (status, salesforce_user_id, problem) = match grant.check(&setup, &user).await {
            Ok(id) => ("ok", Some(id), None),
            Err(OrgWideError::Storage(cause)) => return Err(cause.into()),
            Err(error) => (
                "error",
                None,
                Some(Problem {
                    code: error.code(),
                    advice: error.advice(),
                }),
            ),
        };
        reps.push(RepCheck {
            rep: RepRef::from(&user),
            status,
            salesforce_user_id,
            problem,
        });
    }
    let failing = reps.iter().filter(|r| r.problem.is_some()).count();
    Ok(HttpResponse::Ok().json(OrgWideCheckView { reps, failing }))
}
