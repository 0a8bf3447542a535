//! `GET /api/v1/graph/connection`: the rep's own mailbox, reached the tenant's way (on-behalf-of
//! their token when delegated), and what works in it.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::graph::probe::MailboxAccess;
use crate::http::error::ApiError;
use crate::http::extract::RepAssertion;
use crate::state::AppState;
use crate::storage::tenants::GraphAccessMode;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/graph/connection", web::get().to(connection));
}

#[derive(Serialize, ToSchema)]
pub struct GraphConnectionView {
    #[schema(value_type = String, example = "delegated")]
    mode: GraphAccessMode,
    /// `connected` when calendar and contacts both work, else `limited`.
    #[schema(example = "connected")]
    state: &'static str,
    mailbox: MailboxView,
}

/// What a mailbox's token may do: per area, `ok` or Graph's error code (`ErrorAccessDenied`
/// when the permission or the tenant's application access policy forbids it).
#[derive(Serialize, ToSchema)]
pub struct MailboxView {
    #[schema(example = "ok")]
    calendar: String,
    #[schema(example = "ErrorAccessDenied")]
    contacts: String,
    /// The master category list (`MailboxSettings`): optional, where the selection category
    /// is added.
    #[schema(example = "ok")]
    categories: String,
}

impl From<MailboxAccess> for MailboxView {
    fn from(access: MailboxAccess) -> Self {
        Self {
            calendar: access.calendar,
            contacts: access.contacts,
            categories: access.categories,
        }
    }
}

/// The rep's mailbox, and what outforce may do in it.
#[utoipa::path(
    get,
    path = "/api/v1/graph/connection",
    operation_id = "get_graph_connection",
    tag = "rep",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the mailbox, and what works in it", body = GraphConnectionView),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 409, response = crate::http::openapi::responses::Precondition),
        (status = 502, response = crate::http::openapi::responses::Upstream),
        (status = 503, response = crate::http::openapi::responses::NotConfigured),
    )
)]
pub async fn connection(
    RepAssertion(rep, token): RepAssertion,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mailbox = state
        .graph
        .for_rep(&rep.tenant, &rep.user, Some(&token))
        .await?;
    let works = state.graph.probe(&mailbox).await;
    Ok(HttpResponse::Ok().json(GraphConnectionView {
        mode: mailbox.mode,
        state: if works.all_ok() {
            "connected"
        } else {
            "limited"
        },
        mailbox: works.into(),
    }))
}
