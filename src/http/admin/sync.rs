//! `GET /api/v1/admin/users/{objectId}/sync`, `POST …/sync/release` and `POST …/sync/reset`:
//! where a rep's sync stands, releasing the deletion circuit breaker that holds it, and starting
//! it over; and `GET /api/v1/admin/sync/errors`, the tenant's failures grouped by cause with
//! what to do about each. A rep is named by their
//! Entra object id, as the admin sees them in Entra; only the admin's own tenant's reps.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::error::ApiError;
use crate::http::extract::Admin;
use crate::state::AppState;
use crate::storage::event_links::LinkState;
use crate::storage::event_links::report;
use crate::storage::users;
use crate::sync::admin::status::{self, SyncStatus};
use crate::sync::model::codes::LinkCode;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/users/{object_id}/sync", web::get().to(user_status))
        .route("/users/{object_id}/sync/release", web::post().to(release))
        .route("/users/{object_id}/sync/reset", web::post().to(reset))
        .route("/sync/errors", web::get().to(errors))
        .route("/sync/status", web::get().to(tenant_status));
}

pub(super) async fn rep_of(
    state: &AppState,
    admin: &crate::reps::Rep,
    object_id: &str,
) -> Result<users::User, ApiError> {
    users::find_by_object_id(&state.db, &admin.tenant.id, &object_id.into())
        .await?
        .ok_or_else(|| ApiError::NotFound("outforce has not seen this user in your tenant".into()))
}

/// A rep's sync: watched, last read, held, meetings by state.
#[utoipa::path(
    get,
    path = "/api/v1/admin/users/{objectId}/sync",
    operation_id = "get_user_sync_status",
    tag = "admin",
    security(("bearer" = [])),
    params(("objectId" = String, Path, description = "the rep's Entra object id")),
    responses(
        (status = 200, description = "the rep's sync status", body = SyncStatus),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn user_status(
    Admin(admin): Admin,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let rep = rep_of(&state, &admin, &path).await?;
    Ok(HttpResponse::Ok().json(status::status(&state, &rep.id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Released {
    /// Whether a held sync was released (`false`: nothing was held).
    released: bool,
}

/// Releases the deletion circuit breaker: the held deletions are carried out now.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{objectId}/sync/release",
    operation_id = "release_user_sync",
    tag = "admin",
    security(("bearer" = [])),
    params(("objectId" = String, Path, description = "the rep's Entra object id")),
    responses(
        (status = 200, description = "whether a held sync was released", body = Released),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn release(
    Admin(admin): Admin,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let rep = rep_of(&state, &admin, &path).await?;
    let released = status::release(&state, &rep.id, &admin.user.id).await?;
    Ok(HttpResponse::Ok().json(Released { released }))
}

#[derive(Serialize, ToSchema)]
pub struct Reset {
    /// How many meetings were queued to be synced again.
    queued: u64,
}

/// Starts a rep's sync over: the calendar is read afresh and every selected meeting synced
/// again against it, writing nothing twice (each keeps its Salesforce Event).
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{objectId}/sync/reset",
    operation_id = "reset_user_sync",
    tag = "admin",
    security(("bearer" = [])),
    params(("objectId" = String, Path, description = "the rep's Entra object id")),
    responses(
        (status = 200, description = "how many meetings were queued", body = Reset),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn reset(
    Admin(admin): Admin,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let rep = rep_of(&state, &admin, &path).await?;
    let queued = status::reset(&state, &rep.id, &admin.user.id).await?;
    Ok(HttpResponse::Ok().json(Reset { queued }))
}

#[derive(Serialize, ToSchema)]
pub struct Cause {
    /// The code the meetings carry.
    code: LinkCode,
    /// `failed`, or `waiting` for those the sync retries by itself.
    state: &'static str,
    meetings: i64,
    /// How many reps have such meetings.
    users: i64,
    /// What to do about it.
    advice: &'static str,
    /// Whether it clears without anyone's help.
    clears_by_itself: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorReport {
    /// The most meetings first.
    causes: Vec<Cause>,
}

/// The tenant's meetings that failed or wait, grouped by cause, with what to do about each.
#[utoipa::path(
    get,
    path = "/api/v1/admin/sync/errors",
    operation_id = "get_sync_errors",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the failures and waits by cause", body = ErrorReport),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
    )
)]
pub async fn errors(
    Admin(admin): Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let causes = report::by_cause(&state.db, &admin.tenant.id)
        .await?
        .into_iter()
        .map(|row| Cause {
            state: if row.state == LinkState::Failed {
                "failed"
            } else {
                "waiting"
            },
            code: row.code,
            meetings: row.meetings,
            users: row.users,
            advice: row.code.advice(),
            clears_by_itself: row.code.clears_by_itself(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(ErrorReport { causes }))
}

#[derive(Serialize, ToSchema)]
pub struct TenantSync {
    /// The reps outforce knows in the tenant.
    reps: i64,
    /// Whose calendars are read for changes.
    watched: i64,
    /// Of which Graph notifies us.
    notified: i64,
    /// Held by the deletion circuit breaker until an admin releases them.
    paused: i64,
    /// Whose mailbox could not be read last time.
    mailbox_errors: i64,
    /// Every rep's meetings by sync state (`pending`, `synced`, `failed`, `removed`).
    #[schema(value_type = Object)]
    meetings: std::collections::BTreeMap<String, i64>,
    /// Meetings that failed, whatever the cause (`GET /api/v1/admin/sync/errors` groups them).
    failed: i64,
}

/// The tenant's sync at a glance: reps watched, notified and held, meetings by state.
#[utoipa::path(
    get,
    path = "/api/v1/admin/sync/status",
    operation_id = "get_tenant_sync_status",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the tenant's sync", body = TenantSync),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
    )
)]
pub async fn tenant_status(
    Admin(admin): Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let watching = report::watching(&state.db, &admin.tenant.id).await?;
    let meetings: std::collections::BTreeMap<String, i64> =
        report::by_state(&state.db, &admin.tenant.id)
            .await?
            .into_iter()
            .collect();
    Ok(HttpResponse::Ok().json(TenantSync {
        reps: watching.reps,
        watched: watching.watched,
        notified: watching.notified,
        paused: watching.paused,
        mailbox_errors: watching.unreachable,
        failed: meetings.get("failed").copied().unwrap_or(0),
        meetings,
    }))
}
