//! The page the dialog ends on: it tells the task pane the outcome and closes nothing itself.

use actix_web::HttpResponse;
use serde_json::json;

use crate::config::Settings;
use crate::manifest::xml_escape;

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

/// Office.js comes from where the configuration says (Microsoft's CDN; the demo's stand-in).
fn render(settings: &Settings, status: &str, code: &str) -> HttpResponse {
    let result = json!({ "status": status, "code": code })
        .to_string()
        .replace("</", "<\\/");
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>outforce · Salesforce</title>\
         <script src=\"{office_js}\"></script></head>\
         <body><p id=\"message\">{}</p><script>\
         var result = {result};\
         if (window.Office) {{ Office.onReady(function () {{ Office.context.ui.messageParent(JSON.stringify(result)); }}); }}\
         </script></body></html>",
        message(code),
        office_js = xml_escape(&settings.addin.office_js_url),
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Cross-Origin-Opener-Policy", "unsafe-none"))
        .body(body)
}

pub fn success(settings: &Settings) -> HttpResponse {
    render(settings, "ok", "connected")
}

pub fn failure(settings: &Settings, code: &str) -> HttpResponse {
    render(settings, "error", code)
}
