//! The Office dialog's Salesforce sign-in, under `/auth/salesforce` (the dialog cannot send our
//! bearer token: a ticket from [`super::api::salesforce`] and a cookie stand in for it).
//! `GET /start?ticket=…` sets a cookie binding the sign-in to this browser and redirects to the
//! org's login host; `GET /callback` finishes it and answers a page that tells the task pane the
//! outcome through `Office.context.ui.messageParent`. The flow itself is
//! [`crate::salesforce::sign_in`].

mod page;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::ApiError;
use super::extract::public_base;
use crate::salesforce::sign_in::{Callback, Failure, STATE_LIFETIME};
use crate::state::AppState;

const COOKIE: &str = "outforce_sf_login";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/start", web::get().to(start))
        .route("/callback", web::get().to(callback));
}

/// Where Salesforce sends the browser back: on the configured public URL, else on the host the
/// dialog reached us by.
fn callback_url(req: &HttpRequest, state: &AppState) -> String {
    let base = public_base(req, &state.settings);
    format!("{base}/auth/salesforce/callback")
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StartQuery {
    /// The ticket from `POST /api/v1/salesforce/connect-ticket`.
    ticket: Option<String>,
}

/// The Office dialog's first page: spends the ticket and redirects to Salesforce's login.
#[utoipa::path(
    get,
    path = "/auth/salesforce/start",
    operation_id = "start_salesforce_sign_in",
    tag = "dialog",
    params(StartQuery),
    responses(
        (status = 302, description = "to the org's login host, with the browser's cookie set"),
        (status = 200, description = "an HTML page that hands `{status, code}` to the task pane \
            (`ticket_invalid`)", content_type = "text/html"),
        (status = 503, response = crate::http::openapi::responses::NotConfigured),
    )
)]
pub async fn start(
    req: HttpRequest,
    query: web::Query<StartQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let started = state
        .sign_in
        .start(query.ticket.as_deref(), &callback_url(&req, &state))
        .await?;
    let started = match started {
        Ok(started) => started,
        Err(failure) => return page::failure(&state.settings, failure.code()),
    };
    let cookie = Cookie::build(COOKIE, started.browser_nonce)
        .path("/auth/salesforce")
        .http_only(true)
        .secure(req.connection_info().scheme() == "https")
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::seconds(
            STATE_LIFETIME.as_secs() as i64,
        ))
        .finish();
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, started.authorize_url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(cookie)
        .finish())
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    /// Salesforce's error (`access_denied` when the rep chose Deny).
    error: Option<String>,
}

impl CallbackQuery {
    /// The query as Salesforce sends it: each parameter at most once. Anything else (a repeated
    /// `state`, a query that does not parse) is `None`, answered with the result page like any
    /// other failed callback, so the task pane always learns the outcome.
    fn parse(query: &str) -> Option<Self> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
        let mut parsed = Self::default();
        for (key, value) in pairs {
            let slot = match key.as_str() {
                "code" => &mut parsed.code,
                "state" => &mut parsed.state,
                "error" => &mut parsed.error,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return None;
            }
        }
        Some(parsed)
    }
}

/// Salesforce's redirect: stores the rep's connection, and tells the task pane.
#[utoipa::path(
    get,
    path = "/auth/salesforce/callback",
    operation_id = "finish_salesforce_sign_in",
    tag = "dialog",
    params(CallbackQuery),
    responses(
        (status = 200, description = "an HTML page that hands `{status, code}` to the task pane: \
            `connected`, or `state_invalid`, `state_mismatch`, `salesforce_denied`, \
            `salesforce_error`, `salesforce_exchange_failed`, `org_mismatch`, `org_not_bound`",
            content_type = "text/html"),
        (status = 503, response = crate::http::openapi::responses::NotConfigured),
    )
)]
pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Some(query) = CallbackQuery::parse(req.query_string()) else {
        return page::failure(&state.settings, Failure::StateInvalid.code());
    };
    let browser = req.cookie(COOKIE);
    let callback = Callback {
        state: query.state.as_deref(),
        code: query.code.as_deref(),
        error: query.error.as_deref(),
        browser_nonce: browser.as_ref().map(Cookie::value),
    };
    match state
        .sign_in
        .finish(&callback, &callback_url(&req, &state))
        .await?
    {
        Ok(user_id) => {
            // What waited for this connection syncs now, and the rep's calendar is watched (the
            // category selects meetings without the pane).
            crate::sync::to_salesforce::resume_parked(&state.db, &state.queue, &user_id).await?;
            crate::sync::watch::start_watching(&state, &user_id).await?;
            page::success(&state.settings)
        }
        Err(failure) => page::failure(&state.settings, failure.code()),
    }
}
