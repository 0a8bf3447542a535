//! `POST /api/v1/admin/sync-configs/{id}/preview`: a configuration's dry run for one rep
//! (`sync::preview`), nothing written.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::sync_configs::own;
use crate::http::error::ApiError;
use crate::http::extract::Admin;
use crate::state::AppState;
use crate::sync::admin::preview::PreviewError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/sync-configs/{id}/preview", web::post().to(preview));
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewIn {
    /// The rep to preview it for, by Entra object id.
    user: String,
}

/// A dry run: what the configuration would create, update, relate, skip and delete in
/// Salesforce over its window for one rep, and the rule behind each line. Nothing is written;
/// the rep's calendar and Salesforce are only read.
#[utoipa::path(
    post,
    path = "/api/v1/admin/sync-configs/{id}/preview",
    operation_id = "preview_sync_config",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "the configuration's id")),
    request_body = PreviewIn,
    responses(
        (status = 200, description = "each meeting and what would be done", body = crate::sync::admin::preview::Preview),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
        (status = 409, response = crate::http::openapi::responses::Precondition),
        (status = 502, response = crate::http::openapi::responses::Upstream),
    )
)]
pub async fn preview(
    Admin(admin): Admin,
    path: web::Path<String>,
    body: web::Json<PreviewIn>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let config = own(&state, &admin, &path).await?;
    let rep = crate::storage::users::find_by_object_id(
        &state.db,
        &admin.tenant.id,
        &body.user.as_str().into(),
    )
    .await?
    .ok_or_else(|| ApiError::NotFound("outforce has not seen this user in your tenant".into()))?;
    let done = crate::sync::admin::preview::preview(&state, &config.settings.0, &rep)
        .await
        .map_err(|error| match error {
            PreviewError::Mailbox => ApiError::Precondition {
                code: "graph_mailbox_unreachable",
                message: "the rep's mailbox cannot be read: see POST /api/v1/admin/users/{objectId}/check".into(),
            },
            PreviewError::Graph(cause) => {
                tracing::warn!(error = %cause, "a preview could not read the calendar");
                ApiError::Upstream {
                    code: "graph_unavailable",
                    message: "Microsoft Graph did not answer; try again".into(),
                }
            }
            PreviewError::Salesforce(cause) => cause.into(),
            PreviewError::Storage(cause) => cause.into(),
        })?;
    Ok(HttpResponse::Ok().json(done))
}
