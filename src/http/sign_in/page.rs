//! The page the dialog ends on: it tells the task pane the outcome and closes nothing itself.

use actix_web::HttpResponse;
use askama::Template;
use serde::Serialize;

use crate::config::Settings;
use crate::http::error::ApiError;

fn message(code: &str) -> &'static str {
    match code {
        "connected" => "Salesforce is connected. You can close this window.",
        "salesforce_denied" => "Salesforce access was not allowed. Try again and choose Allow.",
        "state_invalid" | "ticket_invalid" => {
            "This sign-in link has expired or was already used. Start again from the task pane."
        }
        "state_mismatch" => {
            "This sign-in was started in another window. Start again from the task pane."
        }
        "org_mismatch" => {
            "Your team already uses another Salesforce org. Sign in to that org, or ask your admin."
        }
        "org_not_bound" => {
            "Your admin has not chosen your team's Salesforce org yet. Ask them to connect first."
        }
        _ => "Salesforce sign-in failed. Try again from the task pane.",
    }
}

/// What the dialog hands the pane.
#[derive(Serialize)]
struct Outcome<'a> {
    status: &'a str,
    code: &'a str,
}

/// `templates/dialog_end.html`; Office.js comes from where the configuration says (Microsoft's
/// CDN; the demo's stand-in).
#[derive(Template)]
#[template(path = "dialog_end.html")]
struct DialogEnd<'a> {
    office_js: &'a str,
    message: &'a str,
    result: Outcome<'a>,
}

fn render(settings: &Settings, status: &str, code: &str) -> Result<HttpResponse, ApiError> {
    let page = DialogEnd {
        office_js: &settings.addin.office_js_url,
        message: message(code),
        result: Outcome { status, code },
    };
    let body = page
        .render()
        .map_err(|error| ApiError::Internal(error.into()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Cross-Origin-Opener-Policy", "unsafe-none"))
        .body(body))
}

pub fn success(settings: &Settings) -> Result<HttpResponse, ApiError> {
    render(settings, "ok", "connected")
}

pub fn failure(settings: &Settings, code: &str) -> Result<HttpResponse, ApiError> {
    render(settings, "error", code)
}
