//! The REST API's front door: versions, the session check, the daily allowance with
//! `Sforce-Limit-Info` on every response, and `/limits`.

use actix_web::http::header::HeaderValue;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::errors;
use super::oauth::bearer;
use super::{Shared, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Mounted under the `/services/data` scope.
    cfg.route("", web::get().to(versions))
        .route("/", web::get().to(versions))
        .route("/v{version}/limits", web::get().to(limits));
}

/// Every version from 31.0 to 64.0, as `/services/data` lists them.
async fn versions() -> HttpResponse {
    let list: Vec<_> = (31..=64)
        .map(|v| json!({ "label": format!("Release {v}"), "url": format!("/services/data/v{v}.0"), "version": format!("{v}.0") }))
        .collect();
    HttpResponse::Ok().json(list)
}

/// Why a REST call is turned away before it reaches its resource.
pub(crate) enum Refusal {
    InvalidSession,
    LimitExceeded { max: u64 },
}

impl Refusal {
    pub(crate) fn response(&self) -> HttpResponse {
        match self {
            Self::InvalidSession => errors::invalid_session(),
            Self::LimitExceeded { max } => {
                let mut refused = errors::rest(
                    403,
                    "REQUEST_LIMIT_EXCEEDED",
                    "TotalRequests Limit exceeded.",
                );
                refused
                    .headers_mut()
                    .insert(limit_header_name(), limit_header(*max, *max));
                refused
            }
        }
    }
}

/// A REST call's org and its `Sforce-Limit-Info` value, after the session check and the
/// allowance: each call costs one.
pub(crate) fn admit(
    req: &HttpRequest,
    state: &mut State,
) -> Result<(String, HeaderValue), Refusal> {
    let grant = bearer(req)
        .and_then(|token| state.sessions.session(token))
        .cloned()
        .ok_or(Refusal::InvalidSession)?;
    let org = state
        .orgs
        .get_mut(&grant.org_id)
        .ok_or(Refusal::InvalidSession)?;
    if org.api_remaining == 0 {
        return Err(Refusal::LimitExceeded { max: org.api_max });
    }
    org.api_remaining -= 1;
    Ok((
        grant.org_id,
        limit_header(org.api_max - org.api_remaining, org.api_max),
    ))
}

fn limit_header_name() -> actix_web::http::header::HeaderName {
    actix_web::http::header::HeaderName::from_static("sforce-limit-info")
}

fn limit_header(used: u64, max: u64) -> actix_web::http::header::HeaderValue {
    actix_web::http::header::HeaderValue::from_str(&format!("api-usage={used}/{max}")).unwrap_or(
        actix_web::http::header::HeaderValue::from_static("api-usage=0/0"),
    )
}

fn valid_version(version: &str) -> bool {
    version
        .split_once('.')
        .and_then(|(major, _)| major.parse::<u32>().ok())
        .is_some_and(|v| (31..=64).contains(&v))
}

async fn limits(
    req: HttpRequest,
    version: web::Path<String>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    let mut state = shared.lock();
    state.count("limits");
    if !valid_version(&version) {
        return errors::rest(404, "NOT_FOUND", "The requested resource does not exist");
    }
    let (org_id, usage) = match admit(&req, &mut state) {
        Ok(admitted) => admitted,
        Err(refusal) => return refusal.response(),
    };
    let org = &state.orgs[&org_id];
    HttpResponse::Ok()
        .insert_header((limit_header_name(), usage))
        .json(json!({
            "DailyApiRequests": { "Max": org.api_max, "Remaining": org.api_remaining },
            "DailyBulkApiBatches": { "Max": 15000, "Remaining": 15000 },
            "DataStorageMB": { "Max": 1024, "Remaining": 1000 },
        }))
}
