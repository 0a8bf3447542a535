//! The admin's choice of how the tenant reaches Salesforce: `PUT` and `DELETE
//! /api/v1/admin/salesforce/org-wide` turn the org-wide JWT bearer connection on (with the rule
//! that maps a rep to a Salesforce user) or off; `POST …/org-wide/check` tries it for every
//! known rep and says, per rep, whether it works and what to fix when it does not.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ApiError;
use crate::identity::Admin;
use crate::salesforce::login_host;
use crate::salesforce::org_wide::{self, OrgWideError};
use crate::state::AppState;
use crate::storage::org_wide::{OrgWide, OrgWideSetup};
use crate::storage::{self, connections, users};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/admin/salesforce/org-wide", web::put().to(turn_on))
        .route(
            "/api/v1/admin/salesforce/org-wide",
            web::delete().to(turn_off),
        )
        .route(
            "/api/v1/admin/salesforce/org-wide/check",
            web::post().to(check),
        );
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Setup {
    /// `production`, `sandbox` or an Experience Cloud site URL: the JWT's audience and where it
    /// is posted (never My Domain).
    login: String,
    /// `username` (the rep's sign-in name plus `username_suffix`) or `email`.
    match_by: String,
    username_suffix: Option<String>,
    /// The Salesforce user that looks reps up by email.
    integration_username: Option<String>,
}

pub(super) fn describe(setup: &OrgWide) -> Value {
    json!({
        "login_url": setup.login_url,
        "match_by": setup.user_match,
        "username_suffix": setup.username_suffix,
        "integration_username": setup.integration_username,
        "last_error": setup.last_error_code.as_ref().map(|code| json!({
            "code": code,
            "at": setup.last_error_at,
        })),
    })
}

async fn turn_on(
    Admin(caller): Admin,
    body: web::Json<Setup>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if state.salesforce.jwt_key.is_none() {
        return Err(ApiError::NotConfigured {
            code: OrgWideError::NoKey.code(),
            message: OrgWideError::NoKey.advice().into(),
        });
    }
    let login_url = login_host::jwt_audience(&state.settings.salesforce, &body.login)
        .map_err(|e| ApiError::bad_request("login_host_not_allowed", e.to_string()))?;
    if !matches!(body.match_by.as_str(), "username" | "email") {
        return Err(ApiError::bad_request(
            "match_by_invalid",
            "match_by is `username` or `email`",
        ));
    }
    let integration = body
        .integration_username
        .as_deref()
        .filter(|u| !u.is_empty());
    if body.match_by == "email" && integration.is_none() {
        return Err(ApiError::bad_request(
            "integration_user_required",
            "matching by email needs integration_username: the Salesforce user that looks reps up",
        ));
    }
    let (tenant, _) = super::me::known(&state, &caller).await?;
    let setup = OrgWideSetup {
        tenant_id: &tenant.id,
        login_url: &login_url,
        user_match: &body.match_by,
        username_suffix: body.username_suffix.as_deref().filter(|s| !s.is_empty()),
        integration_username: integration,
    };
    let stored = storage::org_wide::upsert(&state.db, &setup, storage::now()).await?;
    // Sessions minted under the old rule act as whoever that rule chose: start afresh.
    connections::delete_minted_for_tenant(&state.db, &tenant.id).await?;
    Ok(HttpResponse::Ok().json(describe(&stored)))
}

async fn turn_off(
    Admin(caller): Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, _) = super::me::known(&state, &caller).await?;
    if !storage::org_wide::delete(&state.db, &tenant.id).await? {
        return Err(ApiError::NotFound(
            "the org-wide connection is not on".into(),
        ));
    }
    connections::delete_minted_for_tenant(&state.db, &tenant.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Tries the org-wide grant for every rep outforce knows in the tenant.
async fn check(Admin(caller): Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (tenant, _) = super::me::known(&state, &caller).await?;
    let setup = storage::org_wide::find(&state.db, &tenant.id)
        .await?
        .ok_or_else(|| ApiError::NotFound("the org-wide connection is not on".into()))?;
    let mut reps = Vec::new();
    for user in users::list_for_tenant(&state.db, &tenant.id).await? {
        let outcome = try_rep(&state, &setup, &user).await;
        let mut entry = json!({ "user_id": user.id, "display_name": user.display_name });
        match outcome {
            Ok(salesforce_user_id) => {
                entry["status"] = json!("ok");
                entry["salesforce_user_id"] = json!(salesforce_user_id);
            }
            Err(OrgWideError::Storage(cause)) => return Err(cause.into()),
            Err(error) => {
                entry["status"] = json!("error");
                entry["code"] = json!(error.code());
                entry["advice"] = json!(error.advice());
            }
        }
        reps.push(entry);
    }
    let failing = reps.iter().filter(|r| r["status"] == "error").count();
    Ok(HttpResponse::Ok().json(json!({ "reps": reps, "failing": failing })))
}

async fn try_rep(
    state: &AppState,
    setup: &OrgWide,
    user: &users::User,
) -> Result<String, OrgWideError> {
    let username = org_wide::username_for(state, setup, user).await?;
    let minted = org_wide::mint(state, setup, &username).await?;
    Ok(minted.user_id)
}
