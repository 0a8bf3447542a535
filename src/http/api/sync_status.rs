//! `GET /api/v1/sync/status`: where the rep's own sync stands (the pane shows it, and says when
//! an admin must release a held sync).

use actix_web::{HttpResponse, web};

use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::state::AppState;
use crate::sync::admin::status::{self, SyncStatus};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/sync/status", web::get().to(own_status));
}

/// The rep's sync: watched, last read, held, meetings by state.
#[utoipa::path(
    get,
    path = "/api/v1/sync/status",
    operation_id = "get_sync_status",
    tag = "rep",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the rep's sync status", body = SyncStatus),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
    )
)]
pub async fn own_status(rep: Rep, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(status::status(&state, &rep.user.id).await?))
}
