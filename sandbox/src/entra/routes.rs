//! Entra's HTTP surface: metadata, keys, token endpoint.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::errors::AadError;
use super::grants::{self, Form};
use super::tokens::MSA_TENANT;
use super::{KeysOutage, Shared, TokenFault, authorize, code_grant, refresh};

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/{tenant}/v2.0/.well-known/openid-configuration",
        web::get().to(openid_v2),
    )
    .route(
        "/{tenant}/.well-known/openid-configuration",
        web::get().to(openid_v1),
    )
    .route("/{tenant}/discovery/v2.0/keys", web::get().to(keys_v2))
    .route("/{tenant}/discovery/keys", web::get().to(keys_v1))
    .route("/{tenant}/oauth2/v2.0/authorize", web::get().to(show_login))
    .route("/{tenant}/oauth2/v2.0/authorize", web::post().to(sign_in))
    .route("/{tenant}/oauth2/v2.0/token", web::post().to(token));
}

async fn show_login(
    path: web::Path<String>,
    query: web::Query<std::collections::HashMap<String, String>>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    shared.lock().count("authorize");
    authorize::show(path, query, shared).await
}

async fn sign_in(
    path: web::Path<String>,
    form: web::Form<std::collections::HashMap<String, String>>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    shared.lock().count("authorize");
    authorize::sign_in(path, form, shared).await
}

/// The emulator's own origin, standing for `https://login.microsoftonline.com`.
fn origin(req: &HttpRequest) -> String {
    format!("https://{}", req.connection_info().host())
}

/// `common` and `organizations` publish the templated issuer; a tenant its own.
fn issuer_tenant(tenant: &str) -> &str {
    match tenant {
        "common" | "organizations" | "consumers" => "{tenantid}",
        tenant => tenant,
    }
}

async fn openid_v2(
    req: HttpRequest,
    path: web::Path<String>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    shared.lock().count("openid_configuration_v2");
    let (base, tenant) = (origin(&req), path.into_inner());
    HttpResponse::Ok().json(json!({
        "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/{}/v2.0", issuer_tenant(&tenant)),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{tenant}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }))
}

async fn openid_v1(
    req: HttpRequest,
    path: web::Path<String>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    let v1_issuer = {
        let mut state = shared.lock();
        state.count("openid_configuration_v1");
        state.v1_issuer.clone()
    };
    let (base, tenant) = (origin(&req), path.into_inner());
    HttpResponse::Ok().json(json!({
        "token_endpoint": format!("{base}/{tenant}/oauth2/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/common/discovery/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid"],
        "issuer": v1_issuer.replace("{tenantid}", issuer_tenant(&tenant)),
        "authorization_endpoint": format!("{base}/{tenant}/oauth2/authorize"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{tenant}/oauth2/logout"),
        "cloud_instance_name": "microsoftonline.com",
        "msgraph_host": "graph.microsoft.com",
    }))
}

/// The outage's answer, after its wait, or `None` when the keys are served.
async fn outage(shared: &Shared) -> Option<HttpResponse> {
    let outage = shared.lock().keys_outage?;
    Some(match outage {
        KeysOutage::Hang => {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            HttpResponse::GatewayTimeout().finish()
        }
        KeysOutage::Fail => HttpResponse::ServiceUnavailable().finish(),
    })
}

async fn keys_v2(req: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    shared.lock().count("keys_v2");
    if let Some(response) = outage(&shared).await {
        return response;
    }
    let base = origin(&req);
    let state = shared.lock();
    HttpResponse::Ok().json(json!({ "keys": [
        state.current.published(&format!("{base}/{{tenantid}}/v2.0")),
        state.msa_key.published(&format!("{base}/{MSA_TENANT}/v2.0")),
    ]}))
}

async fn keys_v1(shared: web::Data<Shared>) -> HttpResponse {
    shared.lock().count("keys_v1");
    if let Some(response) = outage(&shared).await {
        return response;
    }
    let state = shared.lock();
    let issuer = state.v1_issuer.clone();
    HttpResponse::Ok().json(json!({ "keys": [state.current.published(&issuer)] }))
}

async fn token(
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<Form>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    let fault = {
        let mut state = shared.lock();
        state.count("token");
        state.token_faults.pop_front()
    };
    // Either failure is Entra's transient error (AADSTS90033), which clients retry.
    let failed = match fault {
        Some(TokenFault::TemporarilyUnavailable) => Some((503, "temporarily_unavailable")),
        Some(TokenFault::ServerError) => Some((500, "server_error")),
        Some(TokenFault::Latency(wait)) => {
            tokio::time::sleep(wait).await;
            None
        }
        None => None,
    };
    if let Some((status, error)) = failed {
        let message = "A transient error has occurred. Please try again.";
        return AadError::new(status, error, 90_033, message).response();
    }
    let tenant = path.into_inner();
    let form = form.into_inner();
    let endpoint = grants::Endpoint {
        base: origin(&req),
        token_url: format!("{}{}", origin(&req), req.path()),
        tenant,
    };
    let result = match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => code_grant::redeem(&endpoint, &req, &form, &shared),
        Some("client_credentials") => grants::client_credentials(&endpoint, &form, &shared),
        Some(JWT_BEARER) => grants::on_behalf_of(&endpoint, &form, &shared),
        Some("refresh_token") => refresh::redeem(&endpoint, &form, &shared),
        Some(other) => Err(AadError::new(
            400,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
        None => Err(grants::missing("grant_type")),
    };
    result.unwrap_or_else(|error| error.response())
}
