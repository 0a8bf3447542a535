//! `POST /api/v1/admin/users/{objectId}/check`: tries Salesforce and Microsoft Graph for one
//! rep, as the sync would, and names what is missing (a connection, consent, a permission, a
//! licence, an access policy) with what to do, and recommends what makes the sync safer (the
//! meeting key field).

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::checks::{Problem, try_mailbox};
use crate::http::api::graph::MailboxView;
use crate::http::error::ApiError;
use crate::http::extract::Admin;
use crate::salesforce::rest::soql_escape;
use crate::salesforce::{KeyFieldProblem, events};
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
    /// What the admin should add or change in Salesforce, though the sync works without it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    recommended: Vec<Recommended>,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<Missing>,
}

/// A change in Salesforce that makes the sync safer.
#[derive(Serialize, ToSchema)]
pub struct Recommended {
    #[schema(example = "key_field_missing")]
    code: &'static str,
    advice: String,
}

/// The meeting key field, when it is not in use: without it an interrupted create is found
/// again by owner, subject and start, which two meetings alike (a double-booked "Lunch") can
/// leave undecided for an admin.
fn key_field_advice(problem: KeyFieldProblem, field: &str) -> Recommended {
    const WHY: &str = "With it, every meeting's Event is written by its own key, so a write \
        repeated after a crash or a lost answer finds its Event by itself; without it, two \
        meetings with the same subject and start may stop with earlier_write_ambiguous until \
        an admin steps in.";
    let (code, what) = match problem {
        KeyFieldProblem::Missing => (
            "key_field_missing",
            format!(
                "Add the meeting key field: Setup → Object Manager → Activity → Fields & \
                 Relationships → New, Text(255), named {field}, with External ID and Unique \
                 checked, editable by the reps' profiles (if it exists, the rep's profile cannot \
                 see it)."
            ),
        ),
        KeyFieldProblem::NotExternalId => (
            "key_field_not_external_id",
            format!("Mark the Activity field {field} as External ID (and Unique)."),
        ),
        KeyFieldProblem::ReadOnly => (
            "key_field_read_only",
            format!("Make the Activity field {field} editable for the reps' profiles."),
        ),
    };
    Recommended {
        code,
        advice: format!("{what} {WHY}"),
    }
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
        recommended: Vec::new(),
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
    match events::shape_now(&mut session).await {
        Ok(shape) => Ok(SalesforceCheck {
            status: "ok",
            user_id: Some(me),
            shared_activities: Some(shape.shared_activities),
            key_field: shape.key_field,
            recommended: shape
                .key_field_problem
                .map(|problem| {
                    let field = &state.salesforce.settings().event_key_field;
                    key_field_advice(problem, field)
                })
                .into_iter()
                .collect(),
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
