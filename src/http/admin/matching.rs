//! `PUT /api/v1/admin/matching`: the custom fields besides `Email` that hold addresses in the
//! tenant's org (per object), which matching searches too. Lookups made with other fields are
//! not reused.

use actix_web::{HttpResponse, web};

use crate::http::error::ApiError;
use crate::http::extract::Admin;
use crate::matching::ExtraEmailFields;
use crate::state::AppState;
use crate::storage::{self, tenants};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/matching", web::put().to(set_fields));
}

/// Sets the extra email fields matching searches.
#[utoipa::path(
    put,
    path = "/api/v1/admin/matching",
    operation_id = "set_extra_email_fields",
    tag = "admin",
    security(("bearer" = [])),
    request_body = ExtraEmailFields,
    responses(
        (status = 200, description = "the fields now searched", body = ExtraEmailFields),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
    )
)]
pub async fn set_fields(
    Admin(admin): Admin,
    body: web::Json<ExtraEmailFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let fields = body
        .into_inner()
        .checked()
        .map_err(|(field, problem)| ApiError::invalid(field, problem))?;
    tenants::set_extra_email_fields(&state.db, &admin.tenant.id, &fields, storage::now()).await?;
    Ok(HttpResponse::Ok().json(fields))
}
