//! Which Salesforce org the tenant uses, decided by an admin: `PUT /api/v1/admin/salesforce/org`
//! ties the tenant to an org by its Id (an admin's own Salesforce sign-in does the same for the
//! org it reaches), `DELETE` unties it and forgets every rep's connection to the old org. Until
//! an org is tied, reps cannot connect (`org_not_bound`); once it is, a connection to any other
//! org is refused (`org_mismatch`).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::error::ApiError;
use crate::http::extract::Admin;
use crate::ids::OrgId;
use crate::state::AppState;
use crate::storage::{self, connections, tenants};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/salesforce/org", web::put().to(bind))
        .route("/salesforce/org", web::delete().to(unbind));
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgRequest {
    /// The org's Id (15 or 18 characters, starting with 00D), from Setup → Company Information.
    #[schema(example = "00D5g000004XyZaEAK")]
    org_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct OrgView {
    #[schema(value_type = String)]
    salesforce_org_id: OrgId,
}

/// Ties the tenant to a Salesforce org.
#[utoipa::path(
    put,
    path = "/api/v1/admin/salesforce/org",
    operation_id = "bind_salesforce_org",
    tag = "admin",
    security(("bearer" = [])),
    request_body = OrgRequest,
    responses(
        (status = 200, description = "the tenant's org", body = OrgView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 409, response = crate::http::openapi::responses::Precondition),
    )
)]
pub async fn bind(
    Admin(admin): Admin,
    body: web::Json<OrgRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let org_id = OrgId::parse(&body.org_id).ok_or_else(|| {
        ApiError::invalid(
            "org_id",
            "a Salesforce org Id: 15 or 18 letters and digits starting with 00D",
        )
    })?;
    let tenant = &admin.tenant.id;
    let bound =
        tenants::bind_salesforce_org(&state.db, tenant, &org_id, None, storage::now()).await?;
    if !bound {
        return Err(ApiError::Precondition {
            code: "salesforce_org_already_bound",
            message: "the tenant already uses another Salesforce org; remove it first (DELETE)"
                .into(),
        });
    }
    Ok(HttpResponse::Ok().json(OrgView {
        salesforce_org_id: org_id,
    }))
}

/// Unties the tenant from its Salesforce org and forgets every rep's connection to it.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/salesforce/org",
    operation_id = "unbind_salesforce_org",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "no org; reps' Salesforce connections forgotten"),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
    )
)]
pub async fn unbind(
    Admin(admin): Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let forgotten = connections::delete_salesforce_for_tenant(&state.db, &admin.tenant.id).await?;
    tenants::unbind_salesforce_org(&state.db, &admin.tenant.id, storage::now()).await?;
    tracing::info!(
        connections = forgotten,
        "tenant's Salesforce org removed by an admin"
    );
    Ok(HttpResponse::NoContent().finish())
}
