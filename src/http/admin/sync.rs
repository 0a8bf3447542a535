//! `GET /api/v1/admin/users/{objectId}/sync` and `POST …/sync/release`: where a rep's sync
//! stands, and releasing the deletion circuit breaker that holds it. A rep is named by their
//! Entra object id, as the admin sees them in Entra; only the admin's own tenant's reps.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::error::ApiError;
use crate::http::extract::Admin;
use crate::state::AppState;
use crate::storage::users;
use crate::sync::status::{self, SyncStatus};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/users/{object_id}/sync", web::get().to(user_status))
        .route("/users/{object_id}/sync/release", web::post().to(release));
}

async fn rep_of(
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
