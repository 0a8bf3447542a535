//! Redeeming an authorization code (`grant_type=authorization_code`): the code's redirect URI
//! and PKCE verifier checked, the client authenticated unless the code went to a SPA or public
//! client redirect, and the tokens for the one resource the scopes name: Microsoft Graph or an
//! API registered in the tenant (outforce's own, as the task pane asks for it), with an ID token
//! when `openid` was asked for and a refresh token with `offline_access`.

use actix_web::{HttpRequest, HttpResponse};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::authorize::{CODE_LIFETIME, PendingCode};
use super::errors::AadError;
use super::grants::{self, DelegatedUser, Endpoint, Form, missing};
use super::tokens::{self, TokenSpec, TokenVersion};
use super::{RedirectKind, Shared};

/// The scopes that are not a resource's: OpenID Connect's and `offline_access`.
const OIDC: &[&str] = &["openid", "profile", "email", "offline_access"];

/// What the asked-for scopes name.
pub(crate) enum Resource {
    /// Graph permissions, by short name.
    Graph(Vec<String>),
    /// An API of the tenant: its client id, and the scopes without its URI.
    Api {
        client_id: String,
        scopes: Vec<String>,
    },
}

/// The one resource that `scope` names (Graph when it names none), as Entra resolves it.
pub(crate) fn resource_of(
    scope: &str,
    tenant: &str,
    shared: &Shared,
) -> Result<Resource, AadError> {
    let named: Vec<&str> = scope
        .split(' ')
        .filter(|s| !s.is_empty() && !OIDC.contains(s))
        .collect();
    let apis: Vec<(String, String)> = {
        let state = shared.lock();
        state
            .apps
            .values()
            .filter(|app| app.tenant_id == tenant || matches!(tenant, "common" | "organizations"))
            .map(|app| (app.client_id.clone(), app.app_id_uri.clone()))
            .collect()
    };
    let api_scope = |s: &str| -> Option<(String, String)> {
        apis.iter().find_map(|(client_id, uri)| {
            [uri.as_str(), client_id.as_str()]
                .iter()
                .find_map(|prefix| {
                    s.strip_prefix(&format!("{prefix}/"))
                        .map(|scope| (client_id.clone(), scope.to_string()))
                })
        })
    };
    let mut api: Option<(String, Vec<String>)> = None;
    let mut graph = Vec::new();
    for s in &named {
        match api_scope(s) {
            Some((client_id, short)) => match &mut api {
                Some((id, scopes)) if *id == client_id => scopes.push(short),
                Some(_) => return Err(several_resources(scope)),
                None => api = Some((client_id, vec![short])),
            },
            None => graph.push(*s),
        }
    }
    match api {
        Some(_) if !graph.is_empty() => Err(several_resources(scope)),
        Some((client_id, scopes)) => Ok(Resource::Api { client_id, scopes }),
        None => {
            let scopes = grants::graph_scopes(&graph.join(" "))?.0;
            if scopes.is_empty() {
                // Only OpenID scopes: Entra issues a Graph token for signing in.
                return Ok(Resource::Graph(vec!["User.Read".into()]));
            }
            Ok(Resource::Graph(scopes))
        }
    }
}

fn several_resources(scope: &str) -> AadError {
    AadError::new(
        400,
        "invalid_request",
        28_000,
        format!(
            "Provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid."
        ),
    )
}

fn invalid_grant(code: u32, message: &str) -> AadError {
    AadError::new(400, "invalid_grant", code, message)
}

pub fn redeem(
    endpoint: &Endpoint,
    req: &HttpRequest,
    form: &Form,
    shared: &Shared,
) -> Result<HttpResponse, AadError> {
    let code = form.get("code").ok_or_else(|| missing("code"))?;
    let client_id = form.get("client_id").ok_or_else(|| missing("client_id"))?;
    let pending = {
        let mut state = shared.lock();
        if state.redeemed_codes.contains(code) {
            return Err(invalid_grant(
                54_005,
                "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
            ));
        }
        let pending = state.codes.remove(code);
        if pending.is_some() {
            state.redeemed_codes.insert(code.clone());
        }
        pending
    };
    let pending = pending.ok_or_else(|| {
        invalid_grant(
            9_002_313,
            "Invalid request. Request is malformed or invalid.",
        )
    })?;
    if pending.issued.elapsed() > CODE_LIFETIME {
        return Err(invalid_grant(
            70_008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        ));
    }
    if &pending.client_id != client_id {
        return Err(invalid_grant(
            70_000,
            "The provided value for the 'code' parameter is not valid. The code was issued to another client.",
        ));
    }
    if form.get("redirect_uri") != Some(&pending.redirect_uri) {
        return Err(invalid_grant(
            500_112,
            "The reply address does not match the reply address provided when requesting the authorization code.",
        ));
    }
    check_verifier(&pending, form.get("code_verifier"))?;
    match pending.kind {
        RedirectKind::Web => {
            grants::authenticate(endpoint, form, shared)?;
        }
        RedirectKind::Spa if req.headers().get("origin").is_none() => {
            return Err(AadError::new(
                400,
                "invalid_request",
                9_002_327,
                "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
            ));
        }
        RedirectKind::Spa | RedirectKind::Public => {}
    }
    let resource = resource_of(&pending.scope, &pending.user.tenant_id, shared)?;
    let asked = |s: &str| pending.scope.split(' ').any(|x| x == s);
    let mut body = match &resource {
        Resource::Graph(scopes) => grants::delegated_body(
            &endpoint.base,
            client_id,
            &pending.user,
            scopes,
            asked("offline_access"),
            pending.kind != RedirectKind::Web,
            shared,
        )?,
        Resource::Api {
            client_id: api,
            scopes,
        } => {
            let token = api_token(
                &endpoint.base,
                api,
                client_id,
                &pending.user,
                scopes,
                shared,
            )?;
            let uri = shared
                .lock()
                .apps
                .get(api)
                .map(|app| app.app_id_uri.clone())
                .unwrap_or_default();
            let mut body = json!({
                "token_type": "Bearer",
                "scope": scopes.iter().map(|s| format!("{uri}/{s}")).collect::<Vec<_>>().join(" "),
                "expires_in": 3599, "ext_expires_in": 3599,
                "access_token": token,
            });
            if asked("offline_access") {
                body["refresh_token"] = json!(super::refresh::remember_refresh(
                    client_id,
                    &pending.user,
                    scopes,
                    Some(api.clone()),
                    pending.kind != RedirectKind::Web,
                    shared,
                ));
            }
            body
        }
    };
    if asked("openid") {
        body["id_token"] = json!(id_token(&endpoint.base, client_id, &pending, shared)?);
    }
    body["client_info"] = json!(URL_SAFE_NO_PAD.encode(
        json!({ "uid": pending.user.object_id, "utid": pending.user.tenant_id }).to_string()
    ));
    Ok(HttpResponse::Ok().json(body))
}

fn check_verifier(pending: &PendingCode, verifier: Option<&String>) -> Result<(), AadError> {
    let Some((challenge, method)) = &pending.code_challenge else {
        return Ok(());
    };
    let Some(verifier) = verifier else {
        return Err(AadError::new(
            400,
            "invalid_request",
            50_148,
            "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
        ));
    };
    let computed = if method == "S256" {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
        URL_SAFE_NO_PAD.encode(digest.as_ref())
    } else {
        verifier.clone()
    };
    if &computed != challenge {
        return Err(invalid_grant(
            501_481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        ));
    }
    Ok(())
}

/// A v2 access token for one of the tenant's APIs, as the task pane gets it.
pub(crate) fn api_token(
    base: &str,
    api: &str,
    client_id: &str,
    user: &DelegatedUser,
    scopes: &[String],
    shared: &Shared,
) -> Result<String, AadError> {
    let spec = TokenSpec {
        version: TokenVersion::V2,
        client_app_id: client_id.into(),
        scopes: Some(scopes.join(" ")),
        username: user.username.clone(),
        name: user.name.clone(),
        ..TokenSpec::user(&user.tenant_id, &user.object_id, api)
    };
    grants::sign_current(&spec.claims(base), shared)
}

/// The OpenID Connect ID token: for the client, about the user, with the request's nonce.
fn id_token(
    base: &str,
    client_id: &str,
    pending: &PendingCode,
    shared: &Shared,
) -> Result<String, AadError> {
    let now = tokens::unix_now();
    let user = &pending.user;
    let mut claims = json!({
        "aud": client_id,
        "iss": format!("{base}/{}/v2.0", user.tenant_id),
        "iat": now, "nbf": now, "exp": now + 3600,
        "name": user.name,
        "oid": user.object_id,
        "preferred_username": user.username,
        "sub": URL_SAFE_NO_PAD.encode(format!("{}:{client_id}", user.object_id)),
        "tid": user.tenant_id,
        "uti": uuid::Uuid::new_v4().simple().to_string(),
        "ver": "2.0",
    });
    if let Some(nonce) = &pending.nonce {
        claims["nonce"] = Value::String(nonce.clone());
    }
    grants::sign_current(&claims, shared)
}
