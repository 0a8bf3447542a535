//! `/services/oauth2/{authorize,token,revoke}`, as the login host serves them.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use super::errors;
use super::hosts::{self, Host};
use super::sessions::Grant;
use super::{LoginPage, Shared, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/services/oauth2/authorize", web::get().to(authorize))
        .route("/services/oauth2/token", web::post().to(token))
        .route("/services/oauth2/revoke", web::post().to(revoke_form))
        .route("/services/oauth2/revoke", web::get().to(revoke_query));
}

type Params = HashMap<String, String>;

pub(crate) fn origin(req: &HttpRequest) -> String {
    format!("https://{}", req.connection_info().host())
}

/// The bearer token of a request, if any.
pub(crate) fn bearer(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

fn error_page(error: &str, description: &str) -> HttpResponse {
    HttpResponse::BadRequest()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<html><body><p>error={error}&amp;error_description={description}</p></body></html>"
        ))
}

fn redirect(to: String) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, to))
        .finish()
}

fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!(
        "{url}{separator}{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

/// The login page: it signs in as the configured user and approves, or the user denies.
async fn authorize(
    req: HttpRequest,
    query: web::Query<Params>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    let mut state = shared.lock();
    state.count("authorize");
    let get = |key: &str| query.get(key).map(String::as_str);
    let Some(app) = get("client_id").and_then(|id| state.apps.get(id)).cloned() else {
        return error_page("invalid_client_id", "client identifier invalid");
    };
    let Some(redirect_uri) =
        get("redirect_uri").filter(|uri| app.callback_urls.iter().any(|c| c == uri))
    else {
        return error_page(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        );
    };
    let state_param = get("state").unwrap_or_default();
    if get("response_type") != Some("code") {
        return redirect(with_query(
            redirect_uri,
            &[
                ("error", "unsupported_response_type"),
                ("error_description", "response type not supported"),
                ("state", state_param),
            ],
        ));
    }
    if get("code_challenge").is_some() && get("code_challenge_method").is_some_and(|m| m != "S256")
    {
        return redirect(with_query(
            redirect_uri,
            &[
                ("error", "invalid_request"),
                ("error_description", "invalid code challenge method"),
                ("state", state_param),
            ],
        ));
    }
    let user = match &state.login_page {
        LoginPage::Deny => {
            return redirect(with_query(
                redirect_uri,
                &[
                    ("error", "access_denied"),
                    ("error_description", "end-user denied authorization"),
                    ("state", state_param),
                ],
            ));
        }
        LoginPage::Approve(user_id) => state.users.get(user_id).cloned(),
    };
    let Some(user) = user else {
        return error_page("invalid_request", "no such user");
    };
    if !hosts::admits(&req, &state, &user.org_id) {
        // The user's org logs in elsewhere: the login page refuses the credentials.
        return HttpResponse::Ok().content_type("text/html; charset=utf-8").body(
            "<html><body><p class=\"loginError\">Please check your username and password. If you still can't log in, contact your Salesforce administrator.</p></body></html>",
        );
    }
    let grant = Grant {
        user_id: user.id,
        org_id: user.org_id,
        consumer_key: app.consumer_key,
        scope: get("scope").unwrap_or("api refresh_token").to_string(),
    };
    let code = state.sessions.issue_code(
        grant,
        redirect_uri,
        get("code_challenge").map(str::to_string),
    );
    redirect(with_query(
        redirect_uri,
        &[("code", &code), ("state", state_param)],
    ))
}

async fn token(
    req: HttpRequest,
    form: web::Form<Params>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    let base = origin(&req);
    let mut state = shared.lock();
    state.count("token");
    let form = form.into_inner();
    let host = hosts::of(&req, &state);
    let result = match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => authorization_code(&mut state, &base, host, &form),
        Some("refresh_token") => refresh(&mut state, &base, host, &form),
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
            jwt_bearer(&mut state, &base, host, &form)
        }
        _ => Err(("unsupported_grant_type", "grant type not supported")),
    };
    result.unwrap_or_else(|(error, description)| errors::oauth(error, description))
}

type OauthResult = Result<HttpResponse, (&'static str, &'static str)>;

/// The client's credentials: the secret must match when sent (and must be sent with a code).
fn client(
    state: &State,
    form: &Params,
    secret_required: bool,
) -> Result<super::ConnectedApp, (&'static str, &'static str)> {
    let app = form
        .get("client_id")
        .and_then(|id| state.apps.get(id))
        .cloned()
        .ok_or(("invalid_client_id", "client identifier invalid"))?;
    match form.get("client_secret") {
        Some(secret) if *secret != app.consumer_secret => {
            Err(("invalid_client", "invalid client credentials"))
        }
        None if secret_required => Err(("invalid_client", "invalid client credentials")),
        _ => Ok(app),
    }
}

/// A grant for an org that does not log in at this host fails as a wrong login would.
fn check_host(
    state: &State,
    host: Host,
    grant: &Grant,
) -> Result<(), (&'static str, &'static str)> {
    let admitted = state
        .orgs
        .get(&grant.org_id)
        .is_some_and(|org| host.admits(org));
    if admitted {
        Ok(())
    } else {
        Err(("invalid_grant", "authentication failure"))
    }
}

fn authorization_code(state: &mut State, base: &str, host: Host, form: &Params) -> OauthResult {
    let app = client(state, form, true)?;
    let pending = form
        .get("code")
        .and_then(|code| state.sessions.take_code(code))
        .filter(|pending| pending.grant.consumer_key == app.consumer_key)
        .ok_or(("invalid_grant", "invalid authorization code"))?;
    if form.get("redirect_uri") != Some(&pending.redirect_uri) {
        return Err((
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        ));
    }
    if let Some(challenge) = &pending.code_challenge {
        let verifier = form
            .get("code_verifier")
            .ok_or(("invalid_grant", "invalid code verifier"))?;
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
        if URL_SAFE_NO_PAD.encode(digest.as_ref()) != *challenge {
            return Err(("invalid_request", "invalid code verifier"));
        }
    }
    let grant = pending.grant;
    check_host(state, host, &grant)?;
    let refresh = wants_refresh(&grant.scope).then(|| state.sessions.issue_refresh(&grant));
    let access = state.sessions.issue_access(&grant, refresh.as_deref());
    Ok(token_response(
        base,
        &state.instance_url,
        &app.consumer_secret,
        &grant,
        &access,
        refresh.as_deref(),
    ))
}

fn wants_refresh(scope: &str) -> bool {
    scope
        .split(' ')
        .any(|s| matches!(s, "refresh_token" | "offline_access" | "full"))
}

fn refresh(state: &mut State, base: &str, host: Host, form: &Params) -> OauthResult {
    let app = client(state, form, false)?;
    let old = form
        .get("refresh_token")
        .ok_or(("invalid_grant", "expired access/refresh token"))?;
    let grant = state
        .sessions
        .refresh_grant(old)
        .filter(|grant| grant.consumer_key == app.consumer_key)
        .cloned()
        .ok_or(("invalid_grant", "expired access/refresh token"))?;
    check_host(state, host, &grant)?;
    let rotated = if app.rotate_refresh_tokens {
        state.sessions.rotate(old)
    } else {
        None
    };
    let minted_by = rotated.as_deref().unwrap_or(old);
    let access = state.sessions.issue_access(&grant, Some(minted_by));
    Ok(token_response(
        base,
        &state.instance_url,
        &app.consumer_secret,
        &grant,
        &access,
        rotated.as_deref(),
    ))
}

fn jwt_bearer(state: &mut State, base: &str, host: Host, form: &Params) -> OauthResult {
    let assertion = form
        .get("assertion")
        .ok_or(("invalid_grant", "invalid assertion"))?;
    let unverified = jsonwebtoken::dangerous::insecure_decode::<Value>(assertion)
        .map_err(|_| ("invalid_grant", "invalid assertion"))?
        .claims;
    let app = unverified["iss"]
        .as_str()
        .and_then(|iss| state.apps.get(iss))
        .cloned()
        .ok_or(("invalid_client_id", "client identifier invalid"))?;
    let certificate = app
        .jwt_certificate_pem
        .as_deref()
        .ok_or(("invalid_grant", "invalid assertion"))?;
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(certificate.as_bytes())
        .map_err(|_| ("invalid_grant", "invalid assertion"))?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_aud = false;
    validation.leeway = 0;
    let claims = jsonwebtoken::decode::<Value>(assertion, &key, &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                ("invalid_grant", "expired authorization code")
            }
            _ => ("invalid_grant", "invalid assertion"),
        })?
        .claims;
    if claims["aud"].as_str() != Some(base) {
        return Err(("invalid_grant", "audience is invalid"));
    }
    let exp = claims["exp"].as_i64().unwrap_or(0);
    if exp > crate::entra::tokens::unix_now() + 180 {
        return Err(("invalid_grant", "invalid assertion"));
    }
    let username = claims["sub"].as_str().unwrap_or_default();
    let user = state
        .users
        .values()
        .find(|u| u.username.eq_ignore_ascii_case(username))
        .cloned()
        .filter(|u| app.pre_authorized_users.contains(&u.id))
        .ok_or(("invalid_grant", "user hasn't approved this consumer"))?;
    let grant = Grant {
        user_id: user.id,
        org_id: user.org_id,
        consumer_key: app.consumer_key,
        scope: "api".into(),
    };
    check_host(state, host, &grant)?;
    let access = state.sessions.issue_access(&grant, None);
    Ok(token_response(
        base,
        &state.instance_url,
        &app.consumer_secret,
        &grant,
        &access,
        None,
    ))
}

/// The token response: no `expires_in`; `issued_at` in epoch milliseconds as a string;
/// `signature` = base64(HMAC-SHA256(client secret, id + issued_at)).
fn token_response(
    base: &str,
    instance_url: &str,
    secret: &str,
    grant: &Grant,
    access: &str,
    refresh: Option<&str>,
) -> HttpResponse {
    let id = format!("{base}/id/{}/{}", grant.org_id, grant.user_id);
    let issued_at = (crate::entra::tokens::unix_now() * 1000).to_string();
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
    let signature = STANDARD
        .encode(aws_lc_rs::hmac::sign(&key, format!("{id}{issued_at}").as_bytes()).as_ref());
    let mut body = json!({
        "access_token": access,
        "signature": signature,
        "scope": grant.scope,
        "instance_url": instance_url,
        "id": id,
        "token_type": "Bearer",
        "issued_at": issued_at,
    });
    if let Some(refresh) = refresh {
        body["refresh_token"] = json!(refresh);
    }
    errors::json(HttpResponse::Ok(), body)
}

async fn revoke_form(form: web::Form<Params>, shared: web::Data<Shared>) -> HttpResponse {
    revoke(form.get("token"), &shared)
}

async fn revoke_query(query: web::Query<Params>, shared: web::Data<Shared>) -> HttpResponse {
    revoke(query.get("token"), &shared)
}

fn revoke(token: Option<&String>, shared: &Shared) -> HttpResponse {
    let mut state = shared.lock();
    state.count("revoke");
    match token {
        Some(token) if state.sessions.revoke(token) => HttpResponse::Ok().finish(),
        Some(_) => errors::oauth("invalid_token", "invalid token"),
        None => errors::oauth("unsupported_token_type", "unsupported token type"),
    }
}
