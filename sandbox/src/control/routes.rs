//! The control API's endpoints: thin handlers over the emulators' Rust API. Errors are
//! `{"error": "…"}` with 400 (a request that cannot be applied) or 404 (nothing there).

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::{Switches, entra, graph, salesforce};
use crate::Sandbox;

pub(super) type Data = web::Data<Sandbox>;

pub fn configure(cfg: &mut web::ServiceConfig) {
    // A body or query that does not parse (an unknown switch, a wrong type) is answered in the
    // same shape.
    cfg.app_data(web::JsonConfig::default().error_handler(|error, _req| refused(error)))
        .app_data(web::QueryConfig::default().error_handler(|error, _req| refused(error)))
        .default_service(web::to(|| async { missing("endpoint (GET / lists them)") }))
        .route("/", web::get().to(index))
        .route("/switches", web::post().to(switches))
        .configure(salesforce::configure)
        .configure(graph::configure)
        .configure(entra::configure);
}

fn refused(error: impl actix_web::ResponseError + 'static) -> actix_web::Error {
    let response = bad(&error);
    actix_web::error::InternalError::from_response(error, response).into()
}

pub(super) fn bad(error: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": format!("{error:#}") }))
}

pub(super) fn missing(what: &str) -> HttpResponse {
    HttpResponse::NotFound().json(json!({ "error": format!("no such {what}") }))
}

async fn index(sandbox: Data) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "emulators": {
            "entra": sandbox.entra.base_url(),
            "graph": sandbox.graph.base_url(),
            "salesforce": sandbox.salesforce.base_url(),
            "salesforce_login": sandbox.salesforce.login_url(),
            "salesforce_test_login": sandbox.salesforce.test_login_url(),
        },
        "endpoints": [
            "POST /switches  (custom fields, duplicate rules, faults, throttling, OBO and Conditional Access failures, clock…; see the README)",
            "GET|POST /salesforce/orgs", "POST /salesforce/orgs/{org}/users",
            "POST /salesforce/orgs/{org}/records", "GET|PATCH|DELETE /salesforce/orgs/{org}/records/{id}",
            "GET /salesforce/orgs/{org}/query?q=SOQL", "POST /salesforce/connected-apps",
            "POST /salesforce/sessions", "GET /salesforce/calls",
            "POST /graph/mailboxes", "POST /graph/mailboxes/{user}/requests",
            "GET /graph/subscriptions", "POST /graph/subscriptions/{id}/lifecycle",
            "GET /graph/deliveries", "GET /graph/calls",
            "POST /entra/apps", "POST /entra/tokens", "GET /entra/calls",
        ],
    }))
}

async fn switches(sandbox: Data, body: web::Json<Switches>) -> HttpResponse {
    match body.apply(&sandbox) {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(error) => bad(error),
    }
}
