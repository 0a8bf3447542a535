//! The rep's Salesforce connection: `POST /api/v1/salesforce/connect-ticket` gives the ticket
//! the Office dialog starts the sign-in with (see [`crate::http::sign_in`]); `GET
//! /api/v1/salesforce/connection` reads the Salesforce user the rep acts as, live from their
//! org (so it proves the connection works, renewing the session if it must), with the org's API
//! usage; `DELETE` revokes the token at Salesforce and forgets it.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::me::SalesforceMode;
use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::salesforce::rest::soql_escape;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/salesforce/connect-ticket", web::post().to(ticket))
        .route("/salesforce/connection", web::get().to(connection))
        .route("/salesforce/connection", web::delete().to(disconnect));
}

#[derive(Deserialize, Default, ToSchema)]
pub struct TicketRequest {
    /// `production` (default), `sandbox`, or a My Domain or Experience Cloud site URL.
    #[schema(example = "production")]
    login: Option<String>,
}

impl TicketRequest {
    /// No body is the default request; a body must be a JSON object whose only field is
    /// `login`, a string. Anything else is refused with the field named, never ignored.
    fn from_body(req: &actix_web::HttpRequest, body: &[u8]) -> Result<Self, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        let json = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            });
        if !json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request("invalid_json", format!("the body is not JSON: {e}"))
        })?;
        let serde_json::Value::Object(fields) = value else {
            return Err(ApiError::bad_request(
                "invalid_json",
                "the body must be a JSON object such as {\"login\": \"production\"}",
            ));
        };
        let mut request = Self::default();
        for (name, value) in fields {
            match (name.as_str(), value) {
                ("login", serde_json::Value::String(login)) => request.login = Some(login),
                ("login", serde_json::Value::Null) => {}
                ("login", _) => {
                    return Err(ApiError::invalid(
                        "login",
                        "a string: production, sandbox, or a My Domain or Experience Cloud site URL",
                    ));
                }
                (other, _) => {
                    return Err(ApiError::invalid(
                        other,
                        "unknown field; the only field is login",
                    ));
                }
            }
        }
        Ok(request)
    }
}

#[derive(Serialize, ToSchema)]
pub struct TicketView {
    /// Single use.
    ticket: String,
    /// What the Office dialog opens (on this server's origin).
    start_url: String,
    /// Seconds.
    expires_in: u64,
}

/// A ticket for the Office dialog's Salesforce sign-in.
#[utoipa::path(
    post,
    path = "/api/v1/salesforce/connect-ticket",
    operation_id = "create_salesforce_connect_ticket",
    tag = "rep",
    security(("bearer" = [])),
    request_body(content = Option<TicketRequest>, description = "the login host; production when absent"),
    responses(
        (status = 201, description = "the ticket", body = TicketView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 503, response = crate::http::openapi::responses::NotConfigured),
    )
)]
pub async fn ticket(
    rep: Rep,
    req: actix_web::HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let request = TicketRequest::from_body(&req, &body)?;
    let binds_org = rep.caller.has_role(&state.settings.entra.admin_role);
    let ticket = state
        .sign_in
        .ticket(&rep.user, request.login.as_deref(), binds_org)
        .await?;
    Ok(HttpResponse::Created().json(TicketView {
        start_url: format!("/auth/salesforce/start?ticket={}", ticket.value),
        ticket: ticket.value,
        expires_in: ticket.expires_in.as_secs(),
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SalesforceUser {
    id: String,
    username: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConnectionView {
    /// Always `connected`: any other state is an error response.
    #[schema(example = "connected")]
    state: &'static str,
    mode: SalesforceMode,
    #[schema(value_type = String)]
    org_id: crate::ids::OrgId,
    user: UserView,
    /// The org's daily API allocation as its last response reported it.
    api_usage: Option<UsageView>,
}

#[derive(Serialize, ToSchema)]
struct UserView {
    id: String,
    username: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct UsageView {
    used: u64,
    max: u64,
}

impl From<crate::salesforce::limits::ApiUsage> for UsageView {
    fn from(usage: crate::salesforce::limits::ApiUsage) -> Self {
        Self {
            used: usage.used,
            max: usage.max,
        }
    }
}

/// The Salesforce user the rep acts as, read live.
#[utoipa::path(
    get,
    path = "/api/v1/salesforce/connection",
    operation_id = "get_salesforce_connection",
    tag = "rep",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the Salesforce user, read live", body = ConnectionView),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 409, response = crate::http::openapi::responses::Precondition),
        (status = 502, response = crate::http::openapi::responses::Upstream),
        (status = 503, response = crate::http::openapi::responses::NotConfigured),
    )
)]
pub async fn connection(rep: Rep, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut session = state.sessions.open(&rep.user).await?;
    let soql = format!(
        "SELECT Id, Username, Name FROM User WHERE Id = '{}'",
        soql_escape(session.salesforce_user_id().as_str())
    );
    let page = session.query::<SalesforceUser>(&soql).await?;
    let Some(me) = page.records.into_iter().next() else {
        return Err(ApiError::Precondition {
            code: "salesforce_user_inactive",
            message: "your Salesforce user is no longer visible; ask your Salesforce admin".into(),
        });
    };
    Ok(HttpResponse::Ok().json(ConnectionView {
        state: "connected",
        mode: SalesforceMode::of(session.is_org_wide()),
        api_usage: state
            .salesforce
            .limits
            .get(session.org_id())
            .map(Into::into),
        org_id: session.org_id().clone(),
        user: UserView {
            id: me.id,
            username: me.username,
            name: me.name,
        },
    }))
}

/// Revokes the rep's Salesforce token and forgets the connection.
#[utoipa::path(
    delete,
    path = "/api/v1/salesforce/connection",
    operation_id = "delete_salesforce_connection",
    tag = "rep",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "revoked and forgotten"),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 404, response = crate::http::openapi::responses::NotFound),
        (status = 503, response = crate::http::openapi::responses::NotConfigured),
    )
)]
pub async fn disconnect(rep: Rep, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if !state.sign_in.disconnect(&rep.user).await? {
        return Err(ApiError::NotFound("no Salesforce connection".into()));
    }
    Ok(HttpResponse::NoContent().finish())
}
