//! `POST /api/v1/admin/users/{objectId}/check`: tries Salesforce and Microsoft Graph for one
//! rep, as the sync would, and names what is missing (a connection, consent, a permission, a
//! licence, an access policy) with what to do.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::checks::{Problem, try_mailbox};
use crate::http::api::graph::MailboxView;
use crate::http::error::ApiError;
use crate::http::extract::Admin;
use crate::salesforce::events;
use crate::salesforce::rest::soql_escape;
use crate::state::AppState;
use crate::storage::users;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/users/{object_id}/check", web::post().to(check));
}

/// What went wrong, and what the admin can do.
#[derive(Serialize, ToSchema)]
pub struct Missing {
    #[schema(example = "salesforce_reconnect_needed")]
    code: String,
    advice: String,
}

#[derive(Serialize, ToSchema)]
pub struct SalesforceCheck {
    /// `ok` or `error`.
    status: &'static str,
    /// The Salesforce user the sync writes as.
    user_id: Option<String>,
    /// Whether the org relates an Event to several Contacts.
    shared_activities: Option<bool>,
    /// The External Id field creates are keyed by, when the org has it.
    key_field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<Missing>,
}

#[derive(Serialize, ToSchema)]
pub struct GraphCheck {
    /// `ok`, `limited` (some areas refused) or `error` (no token for the mailbox).
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mailbox: Option<MailboxView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<Problem>,
}

#[derive(Serialize, ToSchema)]
pub struct ConnectionTest {
    salesforce: SalesforceCheck,
    graph: GraphCheck,
}

fn missing(error: ApiError) -> Missing {
    Missing {
        code: error.code().to_string(),
        advice: error.to_string(),
    }
}

async fn salesforce(state: &AppState, user: &users::User) -> Result<SalesforceCheck, ApiError> {
    let failed = |error: ApiError| SalesforceCheck {
        status: "error",
        user_id: None,
        shared_activities: None,
        key_field: None,
        missing: Some(missing(error)),
    };
    let mut session = match state.sessions.open(user).await {
        Ok(session) => session,
        Err(error) => return Ok(failed(error.into())),
    };
    let me = session.salesforce_user_id().as_str().to_string();
    let soql = format!("SELECT Id FROM User WHERE Id = '{}'", soql_escape(&me));
    if let Err(error) = session.query::<serde_json::Value>(&soql).await {
        return Ok(failed(error.into()));
    }
    match events::shape(&mut session).await {
        Ok(shape) => Ok(SalesforceCheck {
            status: "ok",
            user_id: Some(me),
            shared_activities: Some(shape.shared_activities),
            key_field: shape.key_field,
            missing: None,
        }),
        Err(error) => Ok(failed(error.into())),
    }
}

async fn graph(
    state: &AppState,
    admin: &crate::reps::Rep,
    user: &users::User,
) -> Result<GraphCheck, ApiError> {
    let tried = try_mailbox(state, &admin.tenant, user).await?;
    Ok(GraphCheck {
        status: tried.status,
        mailbox: tried.mailbox,
        missing: tried.problem,
    })
}

/// Tries Salesforce and Graph for one rep and says what is missing.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{objectId}/check",
    operation_id = "test_user_connections",
    tag = "admin",
    security(("bearer" = [])),
    params(("objectId" = String, Path, description = "the rep's Entra object id")),
    responses(
        (status = 200, description = "what works for the rep, and what is missing", body = ConnectionTest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 403, response = crate::http::openapi::responses::Forbidden),
        (status = 404, response = crate::http::openapi::responses::NotFound),
    )
)]
pub async fn check(
    Admin(admin): Admin,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user = users::find_by_object_id(&state.db, &admin.tenant.id, &path.as_str().into())
        .await?
        .ok_or_else(|| {
            ApiError::NotFound("outforce has not seen this user in your tenant".into())
        })?;
    let salesforce = salesforce(&state, &user).await?;
    let graph = graph(&state, &admin, &user).await?;
    Ok(HttpResponse::Ok().json(ConnectionTest { salesforce, graph }))
}
