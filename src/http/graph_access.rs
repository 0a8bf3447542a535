//! Microsoft Graph access. `GET /api/v1/graph/connection`: the rep's own mailbox, reached the
//! tenant's way (on-behalf-of their token when delegated), and what works in it.
//! `PUT /api/v1/admin/graph` chooses delegated or application access; `POST
//! /api/v1/admin/graph/check` reports, per known rep, which mailboxes and permissions work.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::ApiError;
use crate::graph::{GraphError, access, probe};
use crate::identity::{Admin, RepAssertion};
use crate::state::AppState;
use crate::storage::connections::{self, Provider};
use crate::storage::tenants::{self, GraphAccessMode};
use crate::storage::{self, users};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/graph/connection", web::get().to(connection))
        .route("/api/v1/admin/graph", web::put().to(set_mode))
        .route("/api/v1/admin/graph/check", web::post().to(check));
}

async fn connection(
    RepAssertion(caller, token): RepAssertion,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, user) = super::me::known(&state, &caller).await?;
    let mailbox = access::for_rep(&state, &tenant, &user, Some(&token)).await?;
    let works = probe(&state, &mailbox).await;
    Ok(HttpResponse::Ok().json(json!({
        "mode": mailbox.mode.as_str(),
        "state": if works.all_ok() { "connected" } else { "limited" },
        "mailbox": works,
    })))
}

async fn probe(state: &AppState, mailbox: &access::MailboxToken) -> probe::MailboxAccess {
    probe::mailbox(
        &state.http,
        &state.settings.graph.base_url,
        &mailbox.token,
        &mailbox.mailbox,
    )
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModeRequest {
    mode: String,
}

async fn set_mode(
    Admin(caller): Admin,
    body: web::Json<ModeRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mode = match body.mode.as_str() {
        "delegated" => GraphAccessMode::Delegated,
        "application" => GraphAccessMode::Application,
        _ => {
            return Err(ApiError::bad_request(
                "graph_mode_invalid",
                "mode is `delegated` or `application`",
            ));
        }
    };
    if state.graph.credential.is_none() {
        return Err(GraphError::NotConfigured.into());
    }
    let (tenant, _) = super::me::known(&state, &caller).await?;
    tenants::set_graph_access_mode(&state.db, &tenant.id, mode, storage::now()).await?;
    Ok(HttpResponse::Ok().json(json!({ "mode": mode.as_str() })))
}

async fn check(Admin(caller): Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (tenant, _) = super::me::known(&state, &caller).await?;
    let mode = access::mode_of(&tenant);
    let mut reps = Vec::new();
    for user in users::list_for_tenant(&state.db, &tenant.id).await? {
        let mut entry = json!({ "user_id": user.id, "display_name": user.display_name });
        match access::for_rep(&state, &tenant, &user, None).await {
            Ok(mailbox) => {
                let works = probe(&state, &mailbox).await;
                entry["status"] = json!(if works.all_ok() { "ok" } else { "limited" });
                entry["mailbox"] = json!(works);
            }
            Err(GraphError::Storage(cause)) => return Err(cause.into()),
            Err(error) => {
                entry["status"] = json!("error");
                entry["code"] = json!(error.code());
                entry["advice"] = json!(error.advice());
            }
        }
        if mode == GraphAccessMode::Delegated {
            let grant = connections::find(&state.db, &user.id, Provider::Graph).await?;
            entry["grant"] = json!(grant.map(|g| g.status));
        }
        reps.push(entry);
    }
    let working = reps.iter().filter(|r| r["status"] == "ok").count();
    Ok(HttpResponse::Ok().json(json!({
        "mode": mode.as_str(),
        "working": working,
        "reps": reps,
    })))
}
