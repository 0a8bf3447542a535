//! The record pages a browser opens from a link to a record: Lightning's
//! `/lightning/r/{sObject}/{id}/view` and Classic's `/{id}`. A minimal page that names the
//! record, its type and org, so that the links outforce's pane and console show lead somewhere
//! in the demo.
//!
//! Our choice: the page is shown without a browser session. A real org first sends a browser
//! without its session cookie to the login page; the emulator's pages are for looking only.

use actix_web::{HttpResponse, web};

use super::{Shared, State};
use crate::server::escape_html;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/lightning/r/{sobject}/{id}/view", web::get().to(lightning))
        .route(
            "/{id:[a-zA-Z0-9]{15}|[a-zA-Z0-9]{18}}",
            web::get().to(classic),
        );
}

async fn lightning(path: web::Path<(String, String)>, shared: web::Data<Shared>) -> HttpResponse {
    let (sobject, id) = path.into_inner();
    page(&shared.lock(), &id, Some(&sobject))
}

async fn classic(path: web::Path<String>, shared: web::Data<Shared>) -> HttpResponse {
    page(&shared.lock(), &path, None)
}

/// The record's page, or a page saying that it cannot be shown (a record page answers 200
/// either way; the page says what happened).
fn page(state: &State, id: &str, sobject: Option<&str>) -> HttpResponse {
    let found = state.data.iter().find_map(|(org_id, data)| {
        let record = data.record(id)?;
        let org = state.orgs.get(org_id)?;
        Some((record.clone(), org.name.clone()))
    });
    let body = match found {
        Some((record, _)) if sobject.is_some_and(|s| !s.eq_ignore_ascii_case(&record.sobject)) => {
            missing()
        }
        Some((record, org)) if record.deleted.is_none() => {
            let name = match record.sobject.as_str() {
                "Case" => format!(
                    "{} {}",
                    record.get("CaseNumber").as_text().unwrap_or_default(),
                    record.get("Subject").as_text().unwrap_or_default()
                ),
                "Event" | "Task" => record
                    .get("Subject")
                    .as_text()
                    .unwrap_or_default()
                    .to_string(),
                _ => record
                    .get("Name")
                    .as_text()
                    .map(str::to_string)
                    .unwrap_or_else(|| {
                        format!(
                            "{} {}",
                            record.get("FirstName").as_text().unwrap_or_default(),
                            record.get("LastName").as_text().unwrap_or_default()
                        )
                    }),
            };
            format!(
                "<title>{name} | {sobject} | Salesforce</title></head><body><main>\
                 <p>{sobject}</p><h1>{name}</h1><p>{id} · {org}</p></main>",
                name = escape_html(name.trim()),
                sobject = escape_html(&record.sobject),
                id = escape_html(&record.id),
                org = escape_html(&org),
            )
        }
        _ => missing(),
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">{body}</body></html>"
        ))
}

fn missing() -> String {
    "<title>Salesforce</title></head><body><main><h1>Record unavailable</h1>\
     <p>This record was deleted, or it is not yours to see.</p></main>"
        .to_string()
}
