//! The token endpoint's grants: client credentials and on-behalf-of, and the delegated Graph
//! token both on-behalf-of and the other user grants (`code_grant`, `refresh`) issue.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::HttpResponse;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

use super::errors::AadError;
use super::refresh::remember_refresh;
use super::tokens;
use super::{AppRegistration, OboFailure, Shared};

const GRAPH: &str = "https://graph.microsoft.com";
/// Microsoft Graph's application id, which names it as a resource as well as its URI does.
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

pub type Form = HashMap<String, String>;

pub fn missing(parameter: &str) -> AadError {
    AadError::new(
        400,
        "invalid_request",
        900_144,
        format!("The request body must contain the following parameter: '{parameter}'."),
    )
}

/// The registered app that `form` authenticates as, by `client_id` and `client_secret`.
pub(crate) fn authenticate(
    endpoint: &Endpoint,
    form: &Form,
    shared: &Shared,
) -> Result<AppRegistration, AadError> {
    let tenant = endpoint.tenant.as_str();
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
    if let Some(assertion) = form.get("client_assertion") {
        super::assertions::verify(endpoint, &app, form, assertion, shared)?;
        return Ok(app);
    }
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

/// Where a token request arrived: the emulator's origin, the token URL (a client assertion's
/// audience) and the tenant in the path.
pub struct Endpoint {
    pub base: String,
    pub token_url: String,
    pub tenant: String,
}

pub fn client_credentials(
    endpoint: &Endpoint,
    form: &Form,
    shared: &Shared,
) -> Result<HttpResponse, AadError> {
    let tenant = endpoint.tenant.as_str();
    if matches!(tenant, "common" | "organizations" | "consumers") {
        return Err(AadError::new(
            400,
            "invalid_request",
            50_059,
            "No tenant-identifying information found in either the request or implied by any provided credentials.",
        ));
    }
    let app = authenticate(endpoint, form, shared)?;
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
    let resource = resource.trim_end_matches('/');
    if !is_known_resource(resource, tenant, shared) {
        return Err(AadError::new(
            400,
            "invalid_resource",
            500_011,
            format!(
                "The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
            ),
        ));
    }
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

/// Graph, or an app registered in the tenant, by Application ID URI or client id. Entra refuses
/// any other resource with AADSTS500011 (`invalid_resource`), not with a token.
fn is_known_resource(resource: &str, tenant: &str, shared: &Shared) -> bool {
    if resource.eq_ignore_ascii_case(GRAPH) || resource == GRAPH_APP_ID {
        return true;
    }
    shared.lock().apps.values().any(|app| {
        app.tenant_id == tenant
            && (app.client_id == resource || app.app_id_uri.trim_end_matches('/') == resource)
    })
}

pub fn on_behalf_of(
    endpoint: &Endpoint,
    form: &Form,
    shared: &Shared,
) -> Result<HttpResponse, AadError> {
    let (base, tenant) = (endpoint.base.as_str(), endpoint.tenant.as_str());
    if form.get("requested_token_use").map(String::as_str) != Some("on_behalf_of") {
        return Err(missing("requested_token_use"));
    }
    let app = authenticate(endpoint, form, shared)?;
    let assertion = form.get("assertion").ok_or_else(|| missing("assertion"))?;
    let scope = form.get("scope").ok_or_else(|| missing("scope"))?;
    let claims = verify_assertion(assertion, &app, shared)?;
    if claims["idtyp"] == "app" || claims.get("scp").is_none() {
        // On-behalf-of exchanges a user's delegated token; an app-only token has no user. The
        // exact AADSTS code Entra gives here is not documented: `invalid_grant` (the assertion
        // cannot be exchanged, do not retry) with the generic 50000 is our choice.
        return Err(AadError::new(
            400,
            "invalid_grant",
            50_000,
            "The assertion is an app-only token. The on-behalf-of flow requires a user (delegated) token as its assertion.",
        ));
    }
    let user = DelegatedUser {
        object_id: claims["oid"].as_str().unwrap_or_default().to_string(),
        tenant_id: claims["tid"].as_str().unwrap_or(tenant).to_string(),
        username: claims["preferred_username"]
            .as_str()
            .or(claims["upn"].as_str())
            .unwrap_or_default()
            .to_string(),
        name: claims["name"].as_str().unwrap_or_default().to_string(),
    };
    check_user_policy(&user.object_id, &app, shared)?;
    let (graph_scopes, offline) = graph_scopes(scope)?;
    let body = delegated_body(
        base,
        &app.client_id,
        &user,
        &graph_scopes,
        offline,
        false,
        shared,
    )?;
    Ok(HttpResponse::Ok().json(body))
}

/// The rep a delegated token is for.
#[derive(Debug, Clone)]
pub struct DelegatedUser {
    pub object_id: String,
    pub tenant_id: String,
    pub username: String,
    pub name: String,
}

/// The Conditional Access and consent switches a test set for this user.
pub(crate) fn check_user_policy(
    object_id: &str,
    app: &AppRegistration,
    shared: &Shared,
) -> Result<(), AadError> {
    let failure = shared.lock().obo_failures.get(object_id).cloned();
    match failure {
        Some(OboFailure::InteractionRequired { claims }) => Err(AadError::new(400, "interaction_required", 50_079, format!(
            "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multifactor authentication to access '{GRAPH}'."
        ))
        .with("suberror", json!("basic_action"))
        .with("claims", json!(claims))),
        Some(OboFailure::ConsentRequired) => Err(AadError::new(400, "invalid_grant", 65_001, format!(
            "The user or administrator has not consented to use the application with ID '{}' named 'outforce'. Send an interactive authorization request for this user and resource.", app.client_id
        ))
        .with("suberror", json!("consent_required"))),
        None => Ok(()),
    }
}

/// The Graph permissions asked for (short names), and whether offline access was.
pub(crate) fn graph_scopes(scope: &str) -> Result<(Vec<String>, bool), AadError> {
    let requested: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    let offline = requested.contains(&"offline_access");
    let graph: Vec<String> = requested
        .iter()
        .filter(|s| !matches!(**s, "offline_access" | "openid" | "profile"))
        .map(|s| {
            s.strip_prefix(&format!("{GRAPH}/"))
                .unwrap_or(s)
                .to_string()
        })
        .collect();
    if graph.iter().any(|s| s.contains("://")) {
        return Err(AadError::new(
            400,
            "invalid_scope",
            70_011,
            format!(
                "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
            ),
        ));
    }
    Ok((graph, offline))
}

/// A delegated Graph token's response body; with `offline`, a refresh token that a `public`
/// client (SPA or native redirect) may redeem without a secret.
pub(crate) fn delegated_body(
    base: &str,
    client_id: &str,
    user: &DelegatedUser,
    graph_scopes: &[String],
    offline: bool,
    public: bool,
    shared: &Shared,
) -> Result<Value, AadError> {
    let now = tokens::unix_now();
    let claims = json!({
        "aud": "00000003-0000-0000-c000-000000000000", "iss": format!("https://sts.windows.net/{}/", user.tenant_id),
        "iat": now, "nbf": now, "exp": now + 3599, "appid": client_id, "idtyp": "user",
        "oid": user.object_id, "tid": user.tenant_id, "scp": graph_scopes.join(" "), "ver": "1.0",
        "upn": user.username, "authority": base,
    });
    let mut body = json!({
        "token_type": "Bearer",
        "scope": graph_scopes.iter().map(|s| format!("{GRAPH}/{s}")).collect::<Vec<_>>().join(" "),
        "expires_in": 3599, "ext_expires_in": 3599,
        "access_token": sign_current(&claims, shared)?,
    });
    if offline {
        body["refresh_token"] = json!(remember_refresh(
            client_id,
            user,
            graph_scopes,
            None,
            public,
            shared
        ));
    }
    Ok(body)
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

pub(crate) fn sign_current(claims: &Value, shared: &Shared) -> Result<String, AadError> {
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
