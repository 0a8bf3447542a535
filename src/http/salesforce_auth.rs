//! Connecting a rep to Salesforce from the Office dialog (which cannot send our bearer token):
//! `POST /api/v1/salesforce/connect-ticket` (authenticated) gives a short-lived single-use
//! ticket; the dialog opens `GET /auth/salesforce/start?ticket=…`, which sets a cookie binding
//! the sign-in to this browser and redirects to the org's login host (PKCE S256);
//! `GET /auth/salesforce/callback` checks state and cookie, exchanges the code, reads userinfo,
//! stores the connection with its tokens sealed, and answers a page that tells the task pane
//! the outcome through `Office.context.ui.messageParent`. `DELETE /api/v1/salesforce/connection`
//! revokes the token at Salesforce and forgets it.

use std::time::Duration;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use aws_lc_rs::digest;
use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use serde_json::json;

use super::ApiError;
use crate::identity::Rep;
use crate::salesforce::{login_host, session};
use crate::state::AppState;
use crate::storage::connections::{self, NewConnection, Provider};
use crate::storage::salesforce_logins::{self, LoginKind, NewLogin};
use crate::storage::{self, tenants, users};

const TICKET_LIFETIME: Duration = Duration::from_secs(120);
const STATE_LIFETIME: Duration = Duration::from_secs(600);
const COOKIE: &str = "outforce_sf_login";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/salesforce/connect-ticket", web::post().to(ticket))
        .route(
            "/api/v1/salesforce/connection",
            web::delete().to(disconnect),
        )
        .route("/auth/salesforce/start", web::get().to(start))
        .route("/auth/salesforce/callback", web::get().to(callback));
}

/// 256 random bits, base64url: tickets, states, PKCE verifiers and browser nonces.
fn random_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("the system's random generator failed")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn hash(value: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, value.as_bytes()).as_ref())
}

#[derive(Deserialize, Default)]
struct TicketRequest {
    /// `production` (default), `sandbox`, or a My Domain or Experience Cloud site URL.
    login: Option<String>,
}

async fn ticket(
    Rep(caller): Rep,
    body: Option<web::Json<TicketRequest>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    session::client(&state)?;
    let request = body.map(web::Json::into_inner).unwrap_or_default();
    let login_url = login_host::resolve(&state.settings.salesforce, request.login.as_deref())
        .map_err(|e| ApiError::bad_request("login_host_not_allowed", e.to_string()))?;
    let (_, user) = super::me::known(&state, &caller).await?;
    let ticket = random_token()?;
    let now = storage::now();
    // Abandoned sign-ins are forgotten as new ones begin.
    salesforce_logins::purge_expired(&state.db, now).await?;
    let login = NewLogin {
        kind: LoginKind::Ticket,
        secret_hash: &hash(&ticket),
        user_id: &user.id,
        login_url: &login_url,
        verifier_sealed: None,
        browser_hash: None,
        expires_at: now + TICKET_LIFETIME,
    };
    salesforce_logins::insert(&state.db, &login).await?;
    Ok(HttpResponse::Created().json(json!({
        "ticket": ticket,
        "start_url": format!("/auth/salesforce/start?ticket={ticket}"),
        "expires_in": TICKET_LIFETIME.as_secs(),
    })))
}

fn callback_url(req: &HttpRequest, state: &AppState) -> String {
    let base = match &state.settings.http.public_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    };
    format!("{base}/auth/salesforce/callback")
}

#[derive(Deserialize)]
struct StartQuery {
    ticket: Option<String>,
}

async fn start(
    req: HttpRequest,
    query: web::Query<StartQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let client = session::client(&state)?;
    let now = storage::now();
    let Some(ticket) = query.ticket.as_deref() else {
        return Ok(page::failure("ticket_invalid"));
    };
    let Some(login) =
        salesforce_logins::spend(&state.db, LoginKind::Ticket, &hash(ticket), now).await?
    else {
        return Ok(page::failure("ticket_invalid"));
    };
    let oauth_state = random_token()?;
    let verifier = random_token()?;
    let browser = random_token()?;
    let sealed = state
        .sealer
        .seal(&verifier)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let step = NewLogin {
        kind: LoginKind::State,
        secret_hash: &hash(&oauth_state),
        user_id: &login.user_id,
        login_url: &login.login_url,
        verifier_sealed: Some(&sealed),
        browser_hash: Some(&hash(&browser)),
        expires_at: now + STATE_LIFETIME,
    };
    salesforce_logins::insert(&state.db, &step).await?;
    let challenge =
        URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()).as_ref());
    let query = serde_urlencoded::to_string([
        ("response_type", "code"),
        ("client_id", client.consumer_key),
        ("redirect_uri", &callback_url(&req, &state)),
        ("scope", &state.settings.salesforce.scopes),
        ("state", &oauth_state),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ])
    .map_err(|e| ApiError::Internal(e.into()))?;
    let cookie = Cookie::build(COOKIE, browser)
        .path("/auth/salesforce")
        .http_only(true)
        .secure(req.connection_info().scheme() == "https")
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::seconds(
            STATE_LIFETIME.as_secs() as i64,
        ))
        .finish();
    Ok(HttpResponse::Found()
        .insert_header((
            header::LOCATION,
            format!("{}/services/oauth2/authorize?{query}", login.login_url),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(cookie)
        .finish())
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    req: HttpRequest,
    query: web::Query<CallbackQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let client = session::client(&state)?;
    let now = storage::now();
    let Some(oauth_state) = query.state.as_deref() else {
        return Ok(page::failure("state_invalid"));
    };
    let Some(login) =
        salesforce_logins::spend(&state.db, LoginKind::State, &hash(oauth_state), now).await?
    else {
        return Ok(page::failure("state_invalid"));
    };
    let browser = req.cookie(COOKIE).map(|c| hash(c.value()));
    if browser.is_none() || browser != login.browser_hash {
        tracing::warn!("Salesforce callback from a browser that did not start the sign-in");
        return Ok(page::failure("state_mismatch"));
    }
    if let Some(error) = &query.error {
        let code = if error == "access_denied" {
            "salesforce_denied"
        } else {
            "salesforce_error"
        };
        return Ok(page::failure(code));
    }
    let (Some(code), Some(verifier)) = (query.code.as_deref(), login.verifier_sealed.as_deref())
    else {
        return Ok(page::failure("salesforce_error"));
    };
    let verifier = state
        .sealer
        .open(verifier)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let tokens = match client
        .exchange_code(
            &login.login_url,
            code,
            &callback_url(&req, &state),
            verifier.expose_secret(),
        )
        .await
    {
        Ok(tokens) => tokens,
        Err(error) => {
            tracing::warn!(error = %error, "Salesforce code exchange failed");
            return Ok(page::failure("salesforce_exchange_failed"));
        }
    };
    let info = match client
        .userinfo(&tokens.instance_url, &tokens.access_token)
        .await
    {
        Ok(info) => info,
        Err(error) => {
            tracing::warn!(error = %error, "Salesforce userinfo failed");
            return Ok(page::failure("salesforce_exchange_failed"));
        }
    };
    let user = users::find(&state.db, &login.user_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("the rep is gone".into()))?;
    let tenant = tenants::find(&state.db, &user.tenant_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("the tenant is gone".into()))?;
    match &tenant.salesforce_org_id {
        Some(org) if !org.eq_ignore_ascii_case(&info.organization_id) => {
            // Revoke what we were given: we will not keep it.
            let _ = client
                .revoke(&tokens.instance_url, &tokens.access_token)
                .await;
            return Ok(page::failure("org_mismatch"));
        }
        Some(_) => {}
        None => {
            tenants::set_salesforce_org(
                &state.db,
                &tenant.id,
                &info.organization_id,
                &login.login_url,
                now,
            )
            .await?
        }
    }
    let seal = |token: &SecretString| {
        state
            .sealer
            .seal(token.expose_secret())
            .map_err(|e| ApiError::Internal(e.into()))
    };
    let access = seal(&tokens.access_token)?;
    let refresh = tokens.refresh_token.as_ref().map(seal).transpose()?;
    let connection = NewConnection {
        user_id: &user.id,
        provider: Provider::Salesforce,
        instance_url: Some(&tokens.instance_url),
        external_user_id: Some(&info.user_id),
        external_org_id: Some(&info.organization_id),
        external_username: info.preferred_username.as_deref(),
        access_token_sealed: Some(&access),
        refresh_token_sealed: refresh.as_deref(),
        access_expires_at: None,
    };
    connections::upsert(&state.db, &connection, now).await?;
    users::set_salesforce_user(&state.db, &user.id, Some(&info.user_id), now).await?;
    Ok(page::success())
}

async fn disconnect(
    Rep(caller): Rep,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let client = session::client(&state)?;
    let (_, user) = super::me::known(&state, &caller).await?;
    let Some(connection) = connections::find(&state.db, &user.id, Provider::Salesforce).await?
    else {
        return Err(ApiError::NotFound("no Salesforce connection".into()));
    };
    let token = connection
        .refresh_token_sealed
        .as_deref()
        .or(connection.access_token_sealed.as_deref());
    if let (Some(sealed), Some(instance)) = (token, connection.instance_url.as_deref()) {
        match state.sealer.open(sealed) {
            Ok(token) => {
                if let Err(error) = client.revoke(instance, &token).await {
                    // Forgotten either way: a token Salesforce no longer knows is no loss.
                    tracing::warn!(error = %error, "revoking the Salesforce token failed");
                }
            }
            Err(error) => {
                tracing::warn!(error = %error, "a sealed Salesforce token could not be opened")
            }
        }
    }
    connections::delete(&state.db, &user.id, Provider::Salesforce).await?;
    users::set_salesforce_user(&state.db, &user.id, None, storage::now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

mod page;
