//! The OpenAPI document of every route, served at `/api/openapi.json`: built from the handlers'
//! `#[utoipa::path]` annotations and the typed request and response structures they use, so it
//! cannot drift from what the handlers do. Every error response is the one envelope, with the
//! codes each status carries named here once.

pub mod responses;

use actix_web::{HttpResponse, get, web};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::ErrorEnvelope;
use responses::{
    BadRequest, Duplicate, Forbidden, NotConfigured, NotFound, Precondition, TooMany, Unauthorized,
    Unavailable, Upstream,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(document);
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "outforce",
        license(name = "Proprietary"),
        description = "The API of the outforce Outlook add-in for Salesforce: the task pane's \
            calls (a rep's Entra ID access token for this API as the bearer token), the admin's \
            (the same, with the admin app role), the Office dialog's Salesforce sign-in, and the \
            operators' health checks. Every error has one shape, with a stable `code`."
    ),
    paths(
        super::health::healthz,
        super::health::readyz,
        super::api::me::me,
        super::api::salesforce::ticket,
        super::api::salesforce::connection,
        super::api::salesforce::disconnect,
        super::api::graph::connection,
        super::api::matches::matches,
        super::api::records::search,
        super::api::people::preview,
        super::api::people::create_contact,
        super::api::people::create_lead,
        super::api::links::put_link,
        super::api::links::get_link,
        super::api::links::delete_link,
        super::api::history::history,
        super::api::sync_status::own_status,
        super::admin::tenant::tenant,
        super::admin::org::bind,
        super::admin::org::unbind,
        super::admin::salesforce::turn_on,
        super::admin::salesforce::turn_off,
        super::admin::salesforce::check,
        super::admin::graph::set_mode,
        super::admin::graph::check,
        super::admin::matching::set_fields,
        super::admin::sync::user_status,
        super::admin::sync::release,
        super::admin::sync::reset,
        super::admin::sync::errors,
        super::admin::sync::tenant_status,
        super::admin::history::user_history,
        super::admin::history::meeting_history,
        super::admin::connection_test::check,
        super::admin::sync_configs::list,
        super::admin::sync_configs::create,
        super::admin::sync_configs::read,
        super::admin::sync_configs::update,
        super::admin::sync_configs::delete,
        super::admin::sync_configs::history,
        super::admin::sync_preview::preview,
        super::admin::sync_configs::assign,
        super::admin::sync_configs::unassign,
        super::sign_in::start,
        super::sign_in::callback,
    ),
    components(
        schemas(ErrorEnvelope),
        responses(
            BadRequest,
            Duplicate,
            Unauthorized,
            Forbidden,
            NotFound,
            Precondition,
            Upstream,
            NotConfigured,
            Unavailable,
            TooMany
        )
    ),
    modifiers(&BearerToken),
    tags(
        (name = "rep", description = "The task pane: the signed-in rep and their connections"),
        (name = "admin", description = "The tenant's setup; needs the admin app role"),
        (name = "dialog", description = "Pages the Office dialog opens (no bearer token)"),
        (name = "operations", description = "For load balancers and orchestrators"),
    )
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An Entra ID access token for this API (scope `access_as_user`), as the \
                         task pane gets it through Nested App Authentication",
                    ))
                    .build(),
            ),
        );
    }
}

/// This document as the task pane's build reads it (`outforce openapi`): pretty-printed.
pub fn pretty() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
}

/// This document.
#[get("/api/openapi.json")]
async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
