//! `GET /api/v1/salesforce/connection`: the Salesforce user the rep acts as, read live from
//! their org (so it proves the connection works, renewing the session if it must), and the
//! org's API usage.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::ApiError;
use crate::identity::Rep;
use crate::salesforce::rest::soql_escape;
use crate::salesforce::session::Session;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/salesforce/connection", web::get().to(connection));
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SalesforceUser {
    id: String,
    username: String,
    name: String,
}

async fn connection(
    Rep(caller): Rep,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (_, user) = super::me::known(&state, &caller).await?;
    let mut session = Session::open(&state, user).await?;
    let soql = format!(
        "SELECT Id, Username, Name FROM User WHERE Id = '{}'",
        soql_escape(session.salesforce_user_id())
    );
    let page = session.query::<SalesforceUser>(&soql).await?;
    let Some(me) = page.records.into_iter().next() else {
        return Err(ApiError::Precondition {
            code: "salesforce_user_inactive",
            message: "your Salesforce user is no longer visible; ask your Salesforce admin".into(),
        });
    };
    let usage = state.salesforce.limits.get(session.org_id());
    Ok(HttpResponse::Ok().json(json!({
        "state": "connected",
        "mode": if session.is_org_wide() { "org_wide" } else { "per_rep" },
        "org_id": session.org_id(),
        "user": { "id": me.id, "username": me.username, "name": me.name },
        "api_usage": usage.map(|u| json!({ "used": u.used, "max": u.max })),
    })))
}
