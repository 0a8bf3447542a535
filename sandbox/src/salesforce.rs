//! The Salesforce emulator: orgs with users and connected apps, OAuth 2.0 (web server flow with
//! PKCE, refresh with optional rotation, JWT bearer, revoke, userinfo, identity URL), sessions
//! that expire, and the REST API: SOQL queries with paging, SOSL and parameterized search,
//! sObject rows, upsert by external id, Collections, Composite, getUpdated/getDeleted, describe
//! and list views, over an in-memory store with Salesforce's validation and activity rules.
//!
//! One server plays the login host and every org's instance; tests drive it through
//! [`Salesforce`] and seed and inspect data through its methods in `seed`.

mod api;
mod dml;
mod errors;
pub mod faults;
mod hosts;
mod identity;
pub mod ids;
mod oauth;
mod record_page;
mod rest;
pub mod schema;
mod seed;
mod sessions;
mod soql;
mod sosl;
mod store;
pub mod values;

use std::collections::HashMap;
use std::time::Duration;

use actix_web::web;

use crate::server::{self, Running};
use crate::tls::Authority;
use faults::{Fault, FaultPlan};
use ids::IdGenerator;
use sessions::Sessions;
pub use store::DuplicateRule;

/// An org, as seeded by a test.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub name: String,
    /// Calls left in the rolling 24 hours, and the org's allocation.
    pub api_remaining: u64,
    pub api_max: u64,
    /// A sandbox org logs in at the sandbox login host (test.salesforce.com).
    pub sandbox: bool,
}

/// A Salesforce user.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub org_id: String,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

/// A user's address, as its User record holds it (`Street`, `City`, `State`, `PostalCode`,
/// `Country`) and the identity URL shows it (`addr_*`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserAddress {
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// A connected app (OAuth client) of an org.
#[derive(Debug, Clone)]
pub struct ConnectedApp {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub callback_urls: Vec<String>,
    /// Refresh-token rotation: each refresh returns a new refresh token and voids the old one.
    pub rotate_refresh_tokens: bool,
    /// The PEM certificate uploaded for the JWT bearer flow.
    pub jwt_certificate_pem: Option<String>,
    /// Users pre-authorized for the JWT bearer flow ("admin approved users are pre-authorized").
    pub pre_authorized_users: Vec<String>,
}

/// What the login page does when a browser arrives at `/services/oauth2/authorize`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginPage {
    /// Logs in as this user (by id) and approves the app.
    Approve(String),
    /// The user clicks "Deny".
    Deny,
}

pub(crate) struct State {
    ids: IdGenerator,
    orgs: HashMap<String, Org>,
    users: HashMap<String, User>,
    apps: HashMap<String, ConnectedApp>,
    login_page: LoginPage,
    sessions: Sessions,
    faults: FaultPlan,
    calls: HashMap<&'static str, u64>,
    data: HashMap<String, store::OrgData>,
    /// Added to the wall clock, so tests can move time forward.
    clock_offset: chrono::Duration,
    /// Which listener (by port) plays which host.
    hosts: HashMap<u16, hosts::Host>,
    /// The instance (and My Domain) URL that token responses name.
    instance_url: String,
}

impl State {
    pub(crate) fn count(&mut self, endpoint: &'static str) {
        *self.calls.entry(endpoint).or_default() += 1;
    }

    /// The org's time, to the millisecond.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        values::truncate_ms(chrono::Utc::now() + self.clock_offset)
    }
}

pub(crate) type Shared = server::Shared<State>;

/// A running Salesforce emulator: the instance (My Domain) and the two login hosts.
pub struct Salesforce {
    server: Running,
    login: Running,
    test: Running,
    shared: web::Data<Shared>,
}

impl Salesforce {
    pub fn start(authority: &Authority) -> anyhow::Result<Self> {
        let shared = web::Data::new(Shared::new(State {
            ids: IdGenerator::default(),
            orgs: HashMap::new(),
            users: HashMap::new(),
            apps: HashMap::new(),
            login_page: LoginPage::Deny,
            sessions: Sessions::new(Duration::from_secs(2 * 3600)),
            faults: FaultPlan::default(),
            calls: HashMap::new(),
            data: HashMap::new(),
            clock_offset: chrono::Duration::zero(),
            hosts: HashMap::new(),
            instance_url: String::new(),
        }));
        let server = server::start(authority, shared.clone(), configure)?;
        let login = server::start(authority, shared.clone(), configure)?;
        let test = server::start(authority, shared.clone(), configure)?;
        {
            let mut state = shared.lock();
            state.instance_url = server.base_url.clone();
            for (running, host) in [
                (&server, hosts::Host::Instance),
                (&login, hosts::Host::Production),
                (&test, hosts::Host::Sandbox),
            ] {
                if let Some(port) = running.port() {
                    state.hosts.insert(port, host);
                }
            }
        }
        Ok(Self {
            server,
            login,
            test,
            shared,
        })
    }

    /// `https://127.0.0.1:<port>`: every org's instance URL and My Domain, where any org's
    /// users log in and where the REST API answers.
    pub fn base_url(&self) -> &str {
        &self.server.base_url
    }

    /// The production login host (login.salesforce.com): production orgs' users only.
    pub fn login_url(&self) -> &str {
        &self.login.base_url
    }

    /// The sandbox login host (test.salesforce.com): sandbox orgs' users only.
    pub fn test_login_url(&self) -> &str {
        &self.test.base_url
    }

    /// Creates a production org with a daily API allocation.
    pub fn add_org(&self, name: &str, api_max: u64) -> Org {
        self.new_org(name, api_max, false)
    }

    /// Creates a sandbox org, whose users log in at the sandbox login host.
    pub fn add_sandbox_org(&self, name: &str, api_max: u64) -> Org {
        self.new_org(name, api_max, true)
    }

    fn new_org(&self, name: &str, api_max: u64, sandbox: bool) -> Org {
        let mut state = self.shared.lock();
        let org = Org {
            id: state.ids.next("00D"),
            name: name.into(),
            api_remaining: api_max,
            api_max,
            sandbox,
        };
        state.orgs.insert(org.id.clone(), org.clone());
        state
            .data
            .insert(org.id.clone(), store::OrgData::new(false));
        org
    }

    /// Creates a user in an org.
    pub fn add_user(
        &self,
        org_id: &str,
        username: &str,
        first_name: &str,
        last_name: &str,
    ) -> User {
        self.add_user_at(
            org_id,
            username,
            first_name,
            last_name,
            &UserAddress::default(),
        )
    }

    /// [`Self::add_user`], the user living at `address`.
    pub fn add_user_at(
        &self,
        org_id: &str,
        username: &str,
        first_name: &str,
        last_name: &str,
        address: &UserAddress,
    ) -> User {
        let mut state = self.shared.lock();
        let user = User {
            id: state.ids.next("005"),
            org_id: org_id.into(),
            username: username.into(),
            email: username.into(),
            first_name: first_name.into(),
            last_name: last_name.into(),
        };
        state.users.insert(user.id.clone(), user.clone());
        let now = state.now();
        if let Some(data) = state.data.get_mut(org_id) {
            data.insert(seed::user_record(&user, address, now));
        }
        user
    }

    pub fn add_connected_app(&self, app: ConnectedApp) {
        self.shared
            .lock()
            .apps
            .insert(app.consumer_key.clone(), app);
    }

    /// A live session for a user, as if they had connected through `consumer_key`: for tests
    /// whose subject is not the OAuth flow itself.
    pub fn issue_session(&self, user_id: &str, consumer_key: &str) -> Option<String> {
        let mut state = self.shared.lock();
        let user = state.users.get(user_id)?.clone();
        let grant = sessions::Grant {
            user_id: user.id,
            org_id: user.org_id,
            consumer_key: consumer_key.into(),
            scope: "api refresh_token".into(),
        };
        Some(state.sessions.issue_access(&grant, None))
    }

    /// Decides what the next browser at the login page does.
    pub fn set_login_page(&self, page: LoginPage) {
        self.shared.lock().login_page = page;
    }

    /// How long a session lasts from its issue (the org's session timeout).
    pub fn set_session_timeout(&self, timeout: Duration) {
        self.shared.lock().sessions.set_timeout(timeout);
    }

    /// Ends every access token of a user at once, as a timeout would (refresh tokens live on).
    pub fn expire_sessions(&self, user_id: &str) {
        self.shared.lock().sessions.expire_access_of(user_id);
    }

    /// Revokes every refresh token of a user, as an admin does under "Connected Apps OAuth Usage".
    pub fn revoke_refresh_tokens(&self, user_id: &str) {
        self.shared.lock().sessions.revoke_refresh_of(user_id);
    }

    /// Sets an org's remaining daily API calls (at most its allocation).
    pub fn set_api_remaining(&self, org_id: &str, remaining: u64) {
        if let Some(org) = self.shared.lock().orgs.get_mut(org_id) {
            org.api_remaining = remaining.min(org.api_max);
        }
    }

    /// The next calls whose path starts with `path_prefix` meet `faults`, one each, in order.
    pub fn script_faults(&self, path_prefix: &str, faults: Vec<Fault>) {
        self.shared.lock().faults.script(path_prefix, faults);
    }

    /// From now on each call meets one of `faults` with probability `rate`, drawn from a
    /// generator seeded with `seed` (the same seed gives the same faults in the same order).
    pub fn randomize_faults(&self, seed: u64, rate: f64, faults: Vec<Fault>) {
        self.shared.lock().faults.randomize(seed, rate, faults);
    }

    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// How many times an endpoint was called: `authorize`, `token`, `revoke`, `userinfo`,
    /// `identity`, and under `/services/data/vNN.N/`: `limits`, `query`, `queryAll`, `search`,
    /// `parameterizedSearch`, `sobjects`, `describe`, `updated`, `deleted`, `listviews`,
    /// `composite`, `composite/sobjects`, `composite/batch`.
    pub fn calls(&self, endpoint: &str) -> u64 {
        self.shared.lock().calls.get(endpoint).copied().unwrap_or(0)
    }

    /// Every endpoint's call count, by name.
    pub fn all_calls(&self) -> std::collections::BTreeMap<String, u64> {
        crate::server::counts(&self.shared.lock().calls)
    }

    /// The orgs, in the order they were created (by Id).
    pub fn orgs(&self) -> Vec<Org> {
        let mut orgs: Vec<Org> = self.shared.lock().orgs.values().cloned().collect();
        orgs.sort_by(|a, b| a.id.cmp(&b.id));
        orgs
    }

    /// An org's users, by Id.
    pub fn users_of(&self, org_id: &str) -> Vec<User> {
        let mut users: Vec<User> = self
            .shared
            .lock()
            .users
            .values()
            .filter(|u| u.org_id == org_id)
            .cloned()
            .collect();
        users.sort_by(|a, b| a.id.cmp(&b.id));
        users
    }

    pub async fn stop(&self) {
        self.server.stop().await;
        self.login.stop().await;
        self.test.stop().await;
    }
}

fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(oauth::configure)
        .configure(identity::configure)
        .service(
            web::scope("/services/data")
                .wrap(actix_web::middleware::from_fn(inject_faults))
                .configure(rest::configure),
        )
        .configure(record_page::configure);
}

/// Applies the fault plan to REST calls (OAuth is left alone: its failures are scripted
/// through the login page, sessions and revocation instead).
async fn inject_faults(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<actix_web::body::BoxBody>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let fault = req
        .app_data::<web::Data<Shared>>()
        .and_then(|shared| shared.lock().faults.next(req.path()));
    if let Some(Fault::Latency(delay)) = &fault {
        tokio::time::sleep(*delay).await;
    }
    if let Some(Fault::LostAnswer) = &fault {
        let done = next.call(req).await?;
        let (request, _) = done.into_parts();
        return Ok(actix_web::dev::ServiceResponse::new(
            request,
            faults::dropped(),
        ));
    }
    match fault.as_ref().and_then(Fault::response) {
        Some(response) => Ok(req.into_response(response)),
        None => next.call(req).await,
    }
}
