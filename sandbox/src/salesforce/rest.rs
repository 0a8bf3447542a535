//! The REST API's front door: versions, the session check, the daily allowance with
//! `Sforce-Limit-Info` on every response; then the call goes to its resource in `api`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::api::{self, Call, Env, Headers, Reply};
use super::errors;
use super::hosts;
use super::oauth::bearer;
use super::sessions::Grant;
use super::{Shared, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Mounted under the `/services/data` scope.
    cfg.route("", web::get().to(versions))
        .route("/", web::get().to(versions))
        .route("/v{version}/{tail:.*}", web::route().to(resource));
}

/// The versions served: 31.0 up to the newest the references name (68.0, Winter '27 preview).
const VERSIONS: std::ops::RangeInclusive<u32> = 31..=68;

/// Every version served, as `/services/data` lists them.
async fn versions() -> HttpResponse {
    let list: Vec<_> = VERSIONS
        .map(|v| json!({ "label": format!("Release {v}"), "url": format!("/services/data/v{v}.0"), "version": format!("{v}.0") }))
        .collect();
    errors::json(HttpResponse::Ok(), list)
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

/// A REST call's grant and its `Sforce-Limit-Info` value, after the session check and the
/// allowance: each call costs one.
pub(crate) fn admit(req: &HttpRequest, state: &mut State) -> Result<(Grant, HeaderValue), Refusal> {
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
    let usage = limit_header(org.api_max - org.api_remaining, org.api_max);
    Ok((grant, usage))
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
        .is_some_and(|v| VERSIONS.contains(&v))
}

async fn resource(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    shared: web::Data<Shared>,
) -> HttpResponse {
    let (version, tail) = path.into_inner();
    let segments: Vec<&str> = tail.split('/').filter(|s| !s.is_empty()).collect();
    let mut state = shared.lock();
    state.count(api::endpoint(&segments));
    if hosts::of(&req, &state) != hosts::Host::Instance {
        return errors::rest(
            404,
            "NOT_FOUND",
            "The REST API is served on the org's instance_url, not on the login host",
        );
    }
    if !valid_version(&version) {
        return errors::rest(404, "NOT_FOUND", "The requested resource does not exist");
    }
    let (grant, usage) = match admit(&req, &mut state) {
        Ok(admitted) => admitted,
        Err(refusal) => return refusal.response(),
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    if !body.is_empty() && !content_type.contains("json") {
        let message = format!("Content type '{content_type}' not supported");
        return errors::rest(415, "UNSUPPORTED_MEDIA_TYPE", &message);
    }
    let reply = match parse_body(&body) {
        Ok(body) => {
            let call = Call {
                method: req.method().as_str(),
                version: &version,
                path: segments,
                query: serde_urlencoded::from_str(req.query_string()).unwrap_or_default(),
                body,
                headers: headers(&req),
            };
            let now = state.now();
            let State {
                ids, data, orgs, ..
            } = &mut *state;
            let api = orgs
                .get(&grant.org_id)
                .map_or((0, 0), |o| (o.api_max, o.api_remaining));
            match data.get_mut(&grant.org_id) {
                Some(org) => {
                    let mut env = Env {
                        org,
                        ids,
                        user_id: &grant.user_id,
                        now,
                        api,
                    };
                    api::dispatch(&mut env, &call, api::Within::Request)
                }
                None => Reply::not_found(),
            }
        }
        Err(reply) => reply,
    };
    let mut response = HttpResponse::build(
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    );
    response.insert_header((limit_header_name(), usage));
    if let Some(location) = reply.location {
        response.insert_header((header::LOCATION, location));
    }
    match reply.body {
        Some(body) => errors::json(response, body),
        None => response.finish(),
    }
}

fn parse_body(body: &[u8]) -> Result<Option<serde_json::Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(body).map(Some).map_err(|e| {
        Reply::error(
            400,
            "JSON_PARSER_ERROR",
            &format!("Unexpected character in the request body: {e}"),
        )
    })
}

/// Headers the resources look at: the query batch size and the conditional-request dates.
fn headers(req: &HttpRequest) -> Headers {
    let get = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let date = |name: &str| {
        get(name)
            .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
            .map(|t| t.with_timezone(&chrono::Utc))
    };
    Headers {
        batch_size: get("Sforce-Query-Options")
            .and_then(|v| {
                v.split(';')
                    .find_map(|p| p.trim().strip_prefix("batchSize="))
            })
            .and_then(|n| n.parse().ok()),
        if_modified_since: date("If-Modified-Since"),
        if_unmodified_since: date("If-Unmodified-Since"),
    }
}
