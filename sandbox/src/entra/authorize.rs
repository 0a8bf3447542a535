//! The authorization endpoint (`/{tenant}/oauth2/v2.0/authorize`) with the authorization code
//! flow and PKCE: a login page that lists the tenant's seeded users, a code for the one who
//! signs in, sent back to a registered redirect URI. The code is redeemed at the token endpoint
//! (`code_grant`).
//!
//! As Entra does, a request naming an unknown app or an unregistered redirect URI gets an error
//! page (there is nowhere safe to send the browser); every other error goes back to the app in
//! the redirect, with `error`, `error_description` (AADSTS…), `error_codes` and `state`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::grants::DelegatedUser;
use super::{DirectoryUser, RedirectKind, Shared, State};
use crate::server::escape_html;

/// How long a code may wait to be redeemed (Entra: about ten minutes).
pub const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// A code waiting to be redeemed, with what the browser asked for.
#[derive(Debug, Clone)]
pub(crate) struct PendingCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub kind: RedirectKind,
    pub user: DelegatedUser,
    pub scope: String,
    pub code_challenge: Option<(String, String)>,
    pub nonce: Option<String>,
    pub issued: Instant,
}

type Params = HashMap<String, String>;

/// The redirect URI's registration for this client, if it has one. A public client's
/// `http://localhost` stands for every port, as Entra allows for loopback redirects.
pub(crate) fn registered(state: &State, client_id: &str, uri: &str) -> Option<RedirectKind> {
    let uris = state.redirect_uris.get(client_id)?;
    uris.iter().find_map(|(registered, kind)| {
        let loopback = *kind == RedirectKind::Public && same_ignoring_port(registered, uri);
        (registered == uri || loopback).then_some(*kind)
    })
}

fn same_ignoring_port(registered: &str, uri: &str) -> bool {
    // `http://localhost[:port]/path` → the path.
    let path = |u: &str| -> Option<String> {
        let rest = u.strip_prefix("http://localhost")?;
        let rest = match rest.strip_prefix(':') {
            Some(port_and_path) => port_and_path.trim_start_matches(|c: char| c.is_ascii_digit()),
            None => rest,
        };
        (rest.is_empty() || rest.starts_with('/')).then(|| rest.trim_end_matches('/').to_string())
    };
    matches!((path(registered), path(uri)), (Some(a), Some(b)) if a == b)
}

/// What a valid request is, once checked.
struct Request {
    client_id: String,
    redirect_uri: String,
    kind: RedirectKind,
    state: Option<String>,
    response_mode: String,
}

/// The outcome of checking a request: go on, answer with a page, or send an error back.
enum Checked {
    Valid(Request),
    Page(HttpResponse),
    Redirect(HttpResponse),
}

fn check(tenant: &str, params: &Params, state: &State) -> Checked {
    let Some(client_id) = params.get("client_id").filter(|c| !c.is_empty()) else {
        return Checked::Page(error_page(
            900_144,
            "The request body must contain the following parameter: 'client_id'.",
        ));
    };
    let known = state
        .apps
        .get(client_id)
        .is_some_and(|app| app.tenant_id == tenant || matches!(tenant, "common" | "organizations"));
    if !known {
        return Checked::Page(error_page(
            700_016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'."
            ),
        ));
    }
    let redirect_uri = params.get("redirect_uri").cloned().unwrap_or_default();
    let Some(kind) = registered(state, client_id, &redirect_uri) else {
        return Checked::Page(error_page(
            50_011,
            &format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'."
            ),
        ));
    };
    let request = Request {
        client_id: client_id.clone(),
        redirect_uri,
        kind,
        state: params.get("state").cloned(),
        response_mode: params
            .get("response_mode")
            .cloned()
            .unwrap_or_else(|| "query".into()),
    };
    let fail = |error: &str, code: u32, message: &str| {
        Checked::Redirect(send_back(&request, &error_params(error, code, message)))
    };
    if params.get("response_type").map(String::as_str) != Some("code") {
        return fail(
            "unsupported_response_type",
            700_054,
            "response_type 'code' is the only one this flow supports.",
        );
    }
    if params.get("scope").is_none_or(|s| s.trim().is_empty()) {
        return fail(
            "invalid_request",
            900_144,
            "The request body must contain the following parameter: 'scope'.",
        );
    }
    match (
        params.get("code_challenge"),
        params.get("code_challenge_method").map(String::as_str),
    ) {
        (None, _) if kind == RedirectKind::Spa => fail(
            "invalid_request",
            9_002_325,
            "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
        ),
        (Some(_), Some(method)) if method != "S256" && method != "plain" => fail(
            "invalid_request",
            5_002_731,
            "Invalid code_challenge_method parameter. Supported values are 'plain' and 'S256'.",
        ),
        _ => Checked::Valid(request),
    }
}

pub async fn show(
    path: web::Path<String>,
    query: web::Query<Params>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    let tenant = path.into_inner();
    let params = query.into_inner();
    let state = shared.lock();
    match check(&tenant, &params, &state) {
        Checked::Page(page) | Checked::Redirect(page) => page,
        Checked::Valid(_) => login_page(&tenant, &params, &users_of(&state, &tenant)),
    }
}

pub async fn sign_in(
    path: web::Path<String>,
    form: web::Form<Params>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    let tenant = path.into_inner();
    let params = form.into_inner();
    let mut state = shared.lock();
    let request = match check(&tenant, &params, &state) {
        Checked::Page(page) | Checked::Redirect(page) => return page,
        Checked::Valid(request) => request,
    };
    if params.contains_key("cancel") {
        return send_back(
            &request,
            &error_params(
                "access_denied",
                65_004,
                "User declined to consent to access the app.",
            ),
        );
    }
    let chosen = params.get("user").and_then(|object_id| {
        users_of(&state, &tenant)
            .into_iter()
            .find(|u| &u.object_id == object_id)
    });
    let Some(user) = chosen else {
        return error_page(50_034, "The user account does not exist in this directory.");
    };
    let code = format!(
        "1.A{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let pending = PendingCode {
        client_id: request.client_id.clone(),
        redirect_uri: request.redirect_uri.clone(),
        kind: request.kind,
        user: DelegatedUser {
            object_id: user.object_id.clone(),
            tenant_id: user.tenant_id.clone(),
            username: user.username.clone(),
            name: user.name.clone(),
        },
        scope: params.get("scope").cloned().unwrap_or_default(),
        code_challenge: params.get("code_challenge").map(|challenge| {
            let method = params
                .get("code_challenge_method")
                .cloned()
                .unwrap_or_else(|| "plain".into());
            (challenge.clone(), method)
        }),
        nonce: params.get("nonce").cloned(),
        issued: Instant::now(),
    };
    state
        .codes
        .retain(|_, p| p.issued.elapsed() < CODE_LIFETIME);
    state.codes.insert(code.clone(), pending);
    let session_state = uuid::Uuid::new_v4().to_string();
    send_back(
        &request,
        &[("code", code.as_str()), ("session_state", &session_state)]
            .map(|(k, v)| (k.to_string(), v.to_string())),
    )
}

fn users_of(state: &State, tenant: &str) -> Vec<DirectoryUser> {
    state
        .users
        .iter()
        .filter(|u| u.tenant_id == tenant || matches!(tenant, "common" | "organizations"))
        .cloned()
        .collect()
}

fn error_params(error: &str, code: u32, message: &str) -> Vec<(String, String)> {
    vec![
        ("error".into(), error.into()),
        (
            "error_description".into(),
            format!("AADSTS{code}: {message}"),
        ),
        ("error_codes".into(), format!("[{code}]")),
        (
            "error_uri".into(),
            format!("https://login.microsoftonline.com/error?code={code}"),
        ),
    ]
}

/// Sends the browser back to the app with `pairs` (and `state`), in the response mode asked for.
fn send_back(request: &Request, pairs: &[(String, String)]) -> HttpResponse {
    let mut pairs = pairs.to_vec();
    if let Some(state) = &request.state {
        pairs.push(("state".into(), state.clone()));
    }
    let encoded = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let uri = &request.redirect_uri;
    match request.response_mode.as_str() {
        "form_post" => {
            let inputs: String = pairs.iter().map(|(k, v)| hidden_input(k, v)).collect();
            HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(format!(
                    r#"<html><body onload="document.forms[0].submit()"><form method="post" action="{}">{inputs}<noscript><button>Continue</button></noscript></form></body></html>"#,
                    escape_html(uri)
                ))
        }
        mode => {
            let separator = match mode {
                "fragment" => '#',
                _ if uri.contains('?') => '&',
                _ => '?',
            };
            HttpResponse::Found()
                .insert_header((header::LOCATION, format!("{uri}{separator}{encoded}")))
                .finish()
        }
    }
}

fn error_page(code: u32, message: &str) -> HttpResponse {
    HttpResponse::BadRequest()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><h1>Sorry, but we're having trouble signing you in.</h1><p id=\"error\">AADSTS{code}: {}</p></body></html>",
            escape_html(message)
        ))
}

/// The sign-in page: one button per user of the tenant, the request carried in hidden fields.
fn login_page(tenant: &str, params: &Params, users: &[DirectoryUser]) -> HttpResponse {
    let hidden: String = params
        .iter()
        .filter(|(k, _)| k.as_str() != "user")
        .map(|(k, v)| hidden_input(k, v))
        .collect();
    let hint = params.get("login_hint").map(|h| h.to_lowercase());
    let buttons: String = users
        .iter()
        .map(|u| {
            let autofocus = if hint.as_deref() == Some(&u.username.to_lowercase()) {
                " autofocus"
            } else {
                ""
            };
            format!(
                r#"<li><button type="submit" name="user" value="{}" data-username="{}"{autofocus}>{} ({})</button></li>"#,
                escape_html(&u.object_id),
                escape_html(&u.username),
                escape_html(&u.name),
                escape_html(&u.username)
            )
        })
        .collect();
    let empty = if users.is_empty() {
        "<p>No user is seeded in this tenant.</p>"
    } else {
        ""
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign in to your account</title></head><body><h1>Sign in (emulated Entra ID)</h1><form method="post" action="/{}/oauth2/v2.0/authorize">{hidden}<ul>{buttons}</ul>{empty}<button type="submit" name="cancel" value="1">Cancel</button></form></body></html>"#,
            escape_html(tenant)
        ))
}

fn hidden_input(name: &str, value: &str) -> String {
    format!(
        r#"<input type="hidden" name="{}" value="{}">"#,
        escape_html(name),
        escape_html(value)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loopback_redirect_matches_on_any_port() {
        assert!(same_ignoring_port(
            "http://localhost",
            "http://localhost:8400"
        ));
        assert!(same_ignoring_port(
            "http://localhost/callback",
            "http://localhost:53000/callback"
        ));
        assert!(!same_ignoring_port(
            "http://localhost/callback",
            "http://localhost:53000/other"
        ));
        assert!(!same_ignoring_port(
            "http://localhost",
            "http://localhost.evil.example"
        ));
    }
}
