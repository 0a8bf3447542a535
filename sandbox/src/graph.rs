//! The Microsoft Graph emulator (v1.0, Outlook): users' calendars (events, series with their
//! occurrences and exceptions, `calendarView`, `instances`, `calendarView/delta`), extended
//! properties and categories, contacts and contact folders with delta, `$batch`, subscriptions
//! with the validation handshake and change notifications, throttling, and Graph's error
//! envelope. Tokens are the Entra emulator's; tests drive it through [`Graph`] (`seed`).

mod api;
mod auth;
mod batch;
mod contacts;
mod delta;
mod errors;
mod event_writes;
mod events;
mod mailbox;
mod normalize;
pub mod notices;
mod notify;
mod recurrence;
mod seed;
mod subscriptions;
mod throttle;
pub mod time;
mod views;

use std::collections::HashMap;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use crate::entra::Entra;
use crate::server::{self, Running};
use crate::tls::Authority;
use api::{Call, Caller, Change, Env, Prefer, Reply};
pub use subscriptions::Delivery;
pub use throttle::GraphFault;

pub(crate) struct State {
    mailboxes: HashMap<String, mailbox::Mailbox>,
    policies: HashMap<String, Vec<String>>,
    cursors: HashMap<String, delta::Cursor>,
    subscriptions: Vec<subscriptions::Subscription>,
    deliveries: Vec<Delivery>,
    retry_delays: Vec<Duration>,
    allow_http_webhooks: bool,
    /// Change notifications are lost on the way (recorded, never sent).
    losing_notifications: bool,
    /// How long the answer to a subscription's creation takes once the subscription exists
    /// (Graph under load): its first notifications may come before its creator hears of it.
    subscription_answer_delay: Duration,
    throttle: throttle::Throttle,
    faults: throttle::Faults,
    calls: HashMap<&'static str, u64>,
    clock_offset: chrono::Duration,
}

impl State {
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + self.clock_offset
    }
}

/// What the handlers share: the state, the token check and the webhook client.
pub(crate) struct Inner {
    shared: server::Shared<State>,
    check: auth::TokenCheck,
    webhooks: reqwest::Client,
}

/// A request from the wire or from a `$batch` item.
pub(crate) struct Request {
    method: String,
    path: Vec<String>,
    query: Vec<(String, String)>,
    body: Option<Value>,
    prefer: Prefer,
    if_match: Option<String>,
}

/// A running Graph emulator.
/// The pseudo-endpoint [`Graph::calls`] counts requests refused for running beyond a mailbox's
/// 4 concurrent requests under.
pub const OVER_CONCURRENCY: &str = "429 over concurrency";

pub struct Graph {
    server: Running,
    inner: web::Data<Inner>,
}

impl Graph {
    /// Starts the emulator; it accepts the tokens `entra` issues for Graph.
    pub fn start(authority: &Authority, entra: &Entra) -> anyhow::Result<Self> {
        let ca = reqwest::Certificate::from_pem(authority.pem().as_bytes())?;
        let webhooks = reqwest::Client::builder()
            .add_root_certificate(ca)
            .build()?;
        let inner = web::Data::new(Inner {
            shared: server::Shared::new(State {
                mailboxes: HashMap::new(),
                policies: HashMap::new(),
                cursors: HashMap::new(),
                subscriptions: Vec::new(),
                deliveries: Vec::new(),
                retry_delays: vec![
                    Duration::from_secs(1),
                    Duration::from_secs(5),
                    Duration::from_secs(30),
                ],
                allow_http_webhooks: false,
                losing_notifications: false,
                subscription_answer_delay: Duration::ZERO,
                throttle: throttle::Throttle::default(),
                faults: throttle::Faults::default(),
                calls: HashMap::new(),
                clock_offset: chrono::Duration::zero(),
            }),
            check: auth::TokenCheck::new(entra),
            webhooks,
        });
        let server = server::start(authority, inner.clone(), configure)?;
        Ok(Self { server, inner })
    }

    /// `https://127.0.0.1:<port>`, standing for `https://graph.microsoft.com`.
    pub fn base_url(&self) -> &str {
        &self.server.base_url
    }

    pub async fn stop(&self) {
        self.server.stop().await;
    }
}

fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1.0/{tail:.*}", web::route().to(handle));
}

async fn handle(
    req: HttpRequest,
    tail: web::Path<String>,
    body: web::Bytes,
    inner: web::Data<Inner>,
) -> HttpResponse {
    let base = format!("https://{}/v1.0", req.connection_info().host());
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let bearer =
        header("authorization").and_then(|h| h.strip_prefix("Bearer ").map(str::to_string));
    let client_request_id =
        header("client-request-id").unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let reply = match parse_body(&body) {
        Ok(body) => {
            let request = Request {
                method: req.method().as_str().to_string(),
                path: tail
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                query: serde_urlencoded::from_str(req.query_string()).unwrap_or_default(),
                body,
                prefer: Prefer::parse(
                    req.headers()
                        .get_all("prefer")
                        .filter_map(|v| v.to_str().ok()),
                ),
                if_match: header("if-match"),
            };
            let caller = inner.check.caller(bearer.as_deref());
            serve(&inner, caller, request, &base, None).await
        }
        Err(reply) => reply,
    };
    let mut response = HttpResponse::build(
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    );
    response.insert_header(("request-id", uuid::Uuid::new_v4().to_string()));
    response.insert_header(("client-request-id", client_request_id));
    for (name, value) in reply.headers {
        response.insert_header((name, value));
    }
    match reply.body {
        Some(body) => response.content_type(JSON).body(body.to_string()),
        None => response.finish(),
    }
}

/// The media type Graph answers JSON with, parameters without spaces, as Graph writes it.
pub(crate) const JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

fn parse_body(body: &[u8]) -> Result<Option<Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|_| Reply::error(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."))
}

/// Serves one request: authentication, scripted faults, then `$batch`, subscriptions or a
/// mailbox resource under the mailbox's limits. `batch_rank` is an item's place among the
/// parallel items of its batch that target the same mailbox.
pub(crate) async fn serve(
    inner: &web::Data<Inner>,
    caller: Result<Caller, Reply>,
    request: Request,
    base: &str,
    batch_rank: Option<usize>,
) -> Reply {
    let path = format!("/v1.0/{}", request.path.join("/"));
    let fault = {
        let mut state = inner.shared.lock();
        *state.calls.entry(api::endpoint(&request.path)).or_default() += 1;
        state.faults.next(&path)
    };
    let caller = match caller {
        Ok(caller) => caller,
        Err(reply) => return reply,
    };
    if let Some(fault) = fault {
        return fault.reply();
    }
    let call = Call {
        method: &request.method,
        path: request.path.clone(),
        query: request.query,
        body: request.body,
        prefer: request.prefer,
        if_match: request.if_match,
        base,
    };
    match request.path.first().map(String::as_str) {
        Some("$batch") if batch_rank.is_none() && call.method == "POST" => {
            Box::pin(batch::run(inner, &caller, &call)).await
        }
        Some("subscriptions") => subscriptions::route(inner, &caller, &call).await,
        _ => mailbox_call(inner, &caller, &call, batch_rank).await,
    }
}

/// Leaves the mailbox's concurrency count however the request ends.
struct InFlight<'a> {
    inner: &'a Inner,
    mailbox: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.inner.shared.lock().throttle.leave(&self.mailbox);
    }
}

async fn mailbox_call(
    inner: &web::Data<Inner>,
    caller: &Caller,
    call: &Call<'_>,
    batch_rank: Option<usize>,
) -> Reply {
    let user = match call.path.as_slice() {
        [me, ..] if me == "me" => caller.user.clone(),
        [users, user, ..] if users == "users" => Some(user.clone()),
        _ => None,
    };
    let (mailbox, latency) = {
        let mut state = inner.shared.lock();
        let mailbox = user.and_then(|u| auth::resolve(&state.mailboxes, &u));
        if let Some(mailbox) = &mailbox {
            if batch_rank.is_some_and(|rank| {
                state.throttle.running(mailbox) + rank >= state.throttle.limits.concurrency
            }) {
                *state.calls.entry(OVER_CONCURRENCY).or_default() += 1;
                return throttle::over_concurrency();
            }
            if let Err(reply) = state.throttle.spend(&caller.app_id, mailbox) {
                return reply;
            }
            if let Err(reply) = state.throttle.enter(mailbox) {
                *state.calls.entry(OVER_CONCURRENCY).or_default() += 1;
                return reply;
            }
        }
        (mailbox, state.throttle.limits.latency)
    };
    let _in_flight = mailbox.map(|mailbox| InFlight { inner, mailbox });
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (reply, changes) = {
        let mut guard = inner.shared.lock();
        let state = &mut *guard;
        let now = state.now();
        let mut changes: Vec<Change> = Vec::new();
        let mut env = Env {
            mailboxes: &mut state.mailboxes,
            caller,
            now,
            changes: &mut changes,
            cursors: &mut state.cursors,
            policies: &state.policies,
        };
        (api::dispatch(&mut env, call), changes)
    };
    notify::deliver(inner, changes);
    reply
}
