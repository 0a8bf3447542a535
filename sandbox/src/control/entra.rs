//! Entra ID through the control API: app registrations and tokens for outforce's API.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::routes::{Data, bad};
use crate::entra::{AppRegistration, TokenSpec, TokenVersion};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/entra/apps", web::post().to(register_app))
        .route("/entra/tokens", web::post().to(mint))
        .route("/entra/calls", web::get().to(calls));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewApp {
    tenant_id: String,
    client_id: String,
    #[serde(default)]
    client_secret: String,
    app_id_uri: String,
    #[serde(default)]
    application_permissions: Vec<String>,
}

async fn register_app(sandbox: Data, body: web::Json<NewApp>) -> HttpResponse {
    let app = body.into_inner();
    sandbox.entra.register_app(AppRegistration {
        tenant_id: app.tenant_id,
        client_id: app.client_id,
        client_secret: app.client_secret,
        app_id_uri: app.app_id_uri,
        application_permissions: app.application_permissions,
    });
    HttpResponse::NoContent().finish()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    tenant_id: String,
    object_id: String,
    audience: String,
    /// `v2` (default) or `v1`.
    version: Option<String>,
    /// Delegated scopes (`access_as_user`); absent for an app-only token with `roles`.
    scopes: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
    username: Option<String>,
    name: Option<String>,
    expires_in: Option<i64>,
}

/// A token as Entra would issue it for outforce's API (the pane's bearer token).
async fn mint(sandbox: Data, body: web::Json<NewToken>) -> HttpResponse {
    let body = body.into_inner();
    let base = TokenSpec::user(&body.tenant_id, &body.object_id, &body.audience);
    let version = match body.version.as_deref() {
        None | Some("v2") => TokenVersion::V2,
        Some("v1") => TokenVersion::V1,
        Some(other) => return bad(format!("unknown token version {other} (v1 or v2)")),
    };
    let spec = TokenSpec {
        version,
        scopes: if body.scopes.is_none() && !body.roles.is_empty() {
            None
        } else {
            body.scopes.or(base.scopes.clone())
        },
        roles: body.roles,
        groups: body.groups,
        username: body.username.unwrap_or(base.username.clone()),
        name: body.name.unwrap_or(base.name.clone()),
        expires_in: body.expires_in.unwrap_or(base.expires_in),
        ..base
    };
    match sandbox.entra.mint(&spec) {
        Ok(token) => HttpResponse::Created().json(json!({ "access_token": token })),
        Err(error) => bad(error),
    }
}

async fn calls(sandbox: Data) -> HttpResponse {
    HttpResponse::Ok().json(sandbox.entra.all_calls())
}
