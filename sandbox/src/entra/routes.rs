//! Entra's HTTP surface: metadata, keys, token endpoint.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

use super::errors::AadError;
use super::tokens::{self, MSA_TENANT};
use super::{AppRegistration, OboFailure, Shared};

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const GRAPH: &str = "https://graph.microsoft.com";

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
    .route("/{tenant}/oauth2/v2.0/token", web::post().to(token));
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
    shared.lock().count("openid_configuration_v1");
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
        "issuer": format!("https://sts.windows.net/{}/", issuer_tenant(&tenant)),
        "authorization_endpoint": format!("{base}/{tenant}/oauth2/authorize"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{tenant}/oauth2/logout"),
        "cloud_instance_name": "microsoftonline.com",
        "msgraph_host": "graph.microsoft.com",
    }))
}

async fn keys_v2(req: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let base = origin(&req);
    let mut state = shared.lock();
    state.count("keys_v2");
    HttpResponse::Ok().json(json!({ "keys": [
        state.current.published(&format!("{base}/{{tenantid}}/v2.0")),
        state.msa_key.published(&format!("{base}/{MSA_TENANT}/v2.0")),
    ]}))
}

async fn keys_v1(shared: web::Data<Shared>) -> HttpResponse {
    let mut state = shared.lock();
    state.count("keys_v1");
    HttpResponse::Ok()
        .json(json!({ "keys": [state.current.published("https://sts.windows.net/{tenantid}/")] }))
}

type Form = HashMap<String, String>;

async fn token(
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<Form>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    shared.lock().count("token");
    let tenant = path.into_inner();
    let form = form.into_inner();
    let result = match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => client_credentials(&tenant, &form, &shared),
        Some(JWT_BEARER) => on_behalf_of(&origin(&req), &tenant, &form, &shared),
        Some(other) => Err(AadError::new(
            400,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
        None => Err(missing("grant_type")),
    };
    result.unwrap_or_else(|error| error.response())
}

fn missing(parameter: &str) -> AadError {
    AadError::new(
        400,
        "invalid_request",
        900_144,
        format!("The request body must contain the following parameter: '{parameter}'."),
    )
}

/// The registered app that `form` authenticates as, by `client_id` and `client_secret`.
fn authenticate(tenant: &str, form: &Form, shared: &Shared) -> Result<AppRegistration, AadError> {
    let client_id = form.get("client_id").ok_or_else(|| missing("client_id"))?;
    let app = shared.lock().apps.get(client_id).cloned();
    let app = match app {
        Some(app) if app.tenant_id == tenant || matches!(tenant, "common" | "organizations") => app,
        _ => {
            return Err(AadError::new(
                400,
                "unauthorized_client",
                700_016,
                format!(
                    "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
                ),
            ));
        }
    };
    match form.get("client_secret") {
        None => Err(AadError::new(
            401,
            "invalid_client",
            7_000_218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )),
        Some(secret) if *secret != app.client_secret => Err(AadError::new(
            401,
            "invalid_client",
            7_000_215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                app.client_id
            ),
        )),
        Some(_) => Ok(app),
    }
}

fn client_credentials(
    tenant: &str,
    form: &Form,
    shared: &Shared,
) -> Result<HttpResponse, AadError> {
    if matches!(tenant, "common" | "organizations" | "consumers") {
        return Err(AadError::new(
            400,
            "invalid_request",
            50_059,
            "No tenant-identifying information found in either the request or implied by any provided credentials.",
        ));
    }
    let app = authenticate(tenant, form, shared)?;
    let scope = form.get("scope").ok_or_else(|| missing("scope"))?;
    let Some(resource) = scope
        .strip_suffix("/.default")
        .filter(|_| !scope.contains(' '))
    else {
        return Err(AadError::new(
            400,
            "invalid_scope",
            1_002_012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        ));
    };
    let now = tokens::unix_now();
    let claims = json!({
        "aud": resource, "iss": format!("https://sts.windows.net/{tenant}/"),
        "iat": now, "nbf": now, "exp": now + 3599,
        "app_displayname": "outforce", "appid": app.client_id, "appidacr": "1", "idtyp": "app",
        "oid": app.client_id, "sub": app.client_id, "tid": tenant, "ver": "1.0",
        "roles": app.application_permissions,
    });
    let signed = sign_current(&claims, shared)?;
    Ok(HttpResponse::Ok().json(json!({
        "token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": signed,
    })))
}

fn on_behalf_of(
    base: &str,
    tenant: &str,
    form: &Form,
    shared: &Shared,
) -> Result<HttpResponse, AadError> {
    if form.get("requested_token_use").map(String::as_str) != Some("on_behalf_of") {
        return Err(missing("requested_token_use"));
    }
    let app = authenticate(tenant, form, shared)?;
    let assertion = form.get("assertion").ok_or_else(|| missing("assertion"))?;
    let scope = form.get("scope").ok_or_else(|| missing("scope"))?;
    let user = verify_assertion(assertion, &app, shared)?;
    let object_id = user["oid"].as_str().unwrap_or_default().to_string();
    let failure = shared.lock().obo_failures.get(&object_id).cloned();
    match failure {
        Some(OboFailure::InteractionRequired { claims }) => {
            return Err(AadError::new(400, "interaction_required", 50_079, format!(
                "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multifactor authentication to access '{GRAPH}'."
            ))
            .with("suberror", json!("basic_action"))
            .with("claims", json!(claims)));
        }
        Some(OboFailure::ConsentRequired) => {
            return Err(AadError::new(400, "invalid_grant", 65_001, format!(
                "The user or administrator has not consented to use the application with ID '{}' named 'outforce'. Send an interactive authorization request for this user and resource.", app.client_id
            ))
            .with("suberror", json!("consent_required")));
        }
        None => {}
    }
    let requested: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    let graph_scopes: Vec<&str> = requested
        .iter()
        .filter_map(|s| {
            s.strip_prefix(&format!("{GRAPH}/"))
                .or(Some(s))
                .filter(|s| !matches!(*s, "offline_access" | "openid" | "profile"))
        })
        .collect();
    if graph_scopes.iter().any(|s| s.contains("://")) {
        return Err(AadError::new(
            400,
            "invalid_scope",
            70_011,
            format!(
                "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
            ),
        ));
    }
    let tid = user["tid"].as_str().unwrap_or(tenant);
    let now = tokens::unix_now();
    let claims = json!({
        "aud": "00000003-0000-0000-c000-000000000000", "iss": format!("https://sts.windows.net/{tid}/"),
        "iat": now, "nbf": now, "exp": now + 3599, "appid": app.client_id, "idtyp": "user",
        "oid": object_id, "tid": tid, "scp": graph_scopes.join(" "), "ver": "1.0",
        "upn": user["preferred_username"].clone(), "authority": base,
    });
    let mut body = json!({
        "token_type": "Bearer",
        "scope": graph_scopes.iter().map(|s| format!("{GRAPH}/{s}")).collect::<Vec<_>>().join(" "),
        "expires_in": 3599, "ext_expires_in": 3599,
        "access_token": sign_current(&claims, shared)?,
    });
    if requested.contains(&"offline_access") {
        body["refresh_token"] = json!(format!("0.A{}", uuid::Uuid::new_v4().simple()));
    }
    Ok(HttpResponse::Ok().json(body))
}

/// The user behind an on-behalf-of assertion: a token we signed with the current key, for
/// this app, and still valid.
fn verify_assertion(
    assertion: &str,
    app: &AppRegistration,
    shared: &Shared,
) -> Result<Value, AadError> {
    let current = Arc::clone(&shared.lock().current);
    let signature_failed = || {
        AadError::new(
            400,
            "invalid_grant",
            50_013,
            "Assertion failed signature validation. [Reason - The key was not found.]",
        )
    };
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| signature_failed())?;
    if header.alg != Algorithm::RS256 || header.kid.as_deref() != Some(current.kid.as_str()) {
        return Err(signature_failed());
    }
    let key = DecodingKey::from_rsa_der(&current.public_key_der);
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_aud = false;
    validation.validate_nbf = true;
    validation.leeway = 300;
    let data = jsonwebtoken::decode::<Value>(assertion, &key, &validation).map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::ExpiredSignature | jsonwebtoken::errors::ErrorKind::ImmatureSignature => {
            AadError::new(400, "invalid_grant", 500_133, "Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token.")
        }
        _ => signature_failed(),
    })?;
    let audience = data.claims["aud"].as_str().unwrap_or_default();
    if audience != app.client_id && audience != app.app_id_uri {
        return Err(AadError::new(
            400,
            "invalid_grant",
            50_013,
            "Assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '', Found key 'Start=..., End=...'] Assertion audience does not match the Client app presenting the assertion.",
        ));
    }
    Ok(data.claims)
}

fn sign_current(claims: &Value, shared: &Shared) -> Result<String, AadError> {
    let current = Arc::clone(&shared.lock().current);
    tokens::sign(claims, &current.kid, &current.encoding, true).map_err(|_| {
        AadError::new(
            500,
            "server_error",
            90_000,
            "The server could not sign the token.",
        )
    })
}
