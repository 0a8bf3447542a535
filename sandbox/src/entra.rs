//! The Entra ID emulator: OpenID metadata (v2 and v1), signing keys with rotation, the
//! authorization endpoint (a login page for the seeded users, the code flow with PKCE) and the
//! token endpoint for authorization codes, client credentials (secret or certificate
//! assertion), on-behalf-of and refresh tokens, with Entra's error bodies.
//!
//! Tests drive it through [`Entra`]: register apps and their redirect URIs, seed users, mint
//! tokens for our API (and hostile ones), rotate keys, make a user's on-behalf-of exchange fail,
//! and count calls per endpoint.

mod assertions;
mod authorize;
mod code_grant;
mod errors;
mod grants;
mod keys;
mod refresh;
mod routes;
pub mod tokens;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use actix_web::web;

use crate::server::{self, Running};
use crate::tls::Authority;
use keys::SigningKey;
pub use tokens::{MSA_TENANT, Signing, TokenSpec, TokenVersion};

/// An app registration in a tenant.
#[derive(Debug, Clone)]
pub struct AppRegistration {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// The Application ID URI (`api://…`), the audience of v1 tokens for this API.
    pub app_id_uri: String,
    /// Graph application permissions granted to the app (the `roles` of its app-only tokens).
    pub application_permissions: Vec<String>,
}

/// An outage of the key endpoints (`/discovery/keys`, `/discovery/v2.0/keys`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeysOutage {
    /// Requests are accepted and never answered (a minute, then dropped).
    Hang,
    /// 503, as a failing front end answers.
    Fail,
}

/// What goes wrong with one call to the token endpoint (scripted, in order, whatever the grant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFault {
    /// 503 `temporarily_unavailable` (AADSTS90033, "a transient error"): retry shortly.
    TemporarilyUnavailable,
    /// 500 `server_error`, as a failing front end answers.
    ServerError,
    /// The answer comes after this long (a client with a shorter timeout gives up first).
    Latency(std::time::Duration),
}

/// Why a user's on-behalf-of exchange fails, as Entra reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OboFailure {
    /// Conditional Access wants MFA: `interaction_required` with a `claims` challenge.
    InteractionRequired { claims: String },
    /// Nobody consented to the Graph permissions: `invalid_grant`, AADSTS65001.
    ConsentRequired,
}

/// A user of a tenant, who can sign in at the login page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    pub tenant_id: String,
    pub object_id: String,
    pub username: String,
    pub name: String,
}

/// The platform a redirect URI is registered under, which decides how its codes are redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectKind {
    /// A web app: the code is redeemed with the app's credential.
    Web,
    /// A single-page app: PKCE required, redeemed without a secret from a browser (`Origin`).
    Spa,
    /// A mobile or desktop (public) client: no secret; `http://localhost` matches any port.
    Public,
}

/// What a refresh token stands for: Graph permissions, or the scopes of one of the tenant's
/// APIs (`api`), granted to `client_id`; `public` grants are refreshed without a secret.
#[derive(Debug, Clone)]
pub(crate) struct RefreshGrant {
    client_id: String,
    user: grants::DelegatedUser,
    scopes: Vec<String>,
    api: Option<String>,
    public: bool,
    /// When it was issued, and last redeemed (Entra's clock): idle past the inactivity
    /// lifetime, it is refused.
    issued: chrono::DateTime<chrono::Utc>,
    last_used: chrono::DateTime<chrono::Utc>,
}

/// How long a refresh token may go unused before Entra refuses it (AADSTS700082): 90 days,
/// Entra's default for the tokens of confidential and native clients.
pub const REFRESH_INACTIVITY: chrono::TimeDelta = chrono::TimeDelta::days(90);

pub(crate) struct State {
    current: Arc<SigningKey>,
    /// A key published only for the personal-account tenant (its JWK `issuer` is concrete).
    msa_key: Arc<SigningKey>,
    apps: HashMap<String, AppRegistration>,
    users: Vec<DirectoryUser>,
    redirect_uris: HashMap<String, Vec<(String, RedirectKind)>>,
    codes: HashMap<String, authorize::PendingCode>,
    redeemed_codes: HashSet<String>,
    obo_failures: HashMap<String, OboFailure>,
    refresh_tokens: HashMap<String, RefreshGrant>,
    revoked_refresh_tokens: HashSet<String>,
    app_certificates: HashMap<String, Vec<assertions::AppCertificate>>,
    calls: HashMap<&'static str, u64>,
    /// The v1 issuer, `{tenantid}` standing for the tenant: the public cloud's by default.
    v1_issuer: String,
    keys_outage: Option<KeysOutage>,
    /// How far Entra's own clock is ahead of the machine's (`advance_clock`): it decides what
    /// Entra decides (a refresh token's inactivity). Our choice: the tokens it signs keep the
    /// machine's time, as every relying party compares them with its own clock.
    clock_offset: chrono::TimeDelta,
    refresh_inactivity: chrono::TimeDelta,
    /// Faults for the next calls to the token endpoint, first first.
    token_faults: std::collections::VecDeque<TokenFault>,
}

pub(crate) type Shared = server::Shared<State>;

impl State {
    pub(crate) fn count(&mut self, endpoint: &'static str) {
        *self.calls.entry(endpoint).or_default() += 1;
    }

    /// Entra's clock: the machine's, moved by `advance_clock`.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + self.clock_offset
    }
}

/// A running Entra ID emulator.
pub struct Entra {
    server: Running,
    shared: web::Data<Shared>,
}

impl Entra {
    pub fn start(authority: &Authority) -> anyhow::Result<Self> {
        let shared = web::Data::new(Shared::new(State {
            current: Arc::new(SigningKey::generate()?),
            msa_key: Arc::new(SigningKey::generate()?),
            apps: HashMap::new(),
            users: Vec::new(),
            redirect_uris: HashMap::new(),
            codes: HashMap::new(),
            redeemed_codes: HashSet::new(),
            obo_failures: HashMap::new(),
            refresh_tokens: HashMap::new(),
            revoked_refresh_tokens: HashSet::new(),
            app_certificates: HashMap::new(),
            calls: HashMap::new(),
            v1_issuer: "https://sts.windows.net/{tenantid}/".into(),
            keys_outage: None,
            clock_offset: chrono::TimeDelta::zero(),
            refresh_inactivity: REFRESH_INACTIVITY,
            token_faults: std::collections::VecDeque::new(),
        }));
        let server = server::start(authority, shared.clone(), routes::configure)?;
        Ok(Self { server, shared })
    }

    /// `https://127.0.0.1:<port>`, standing for `https://login.microsoftonline.com`.
    pub fn base_url(&self) -> &str {
        &self.server.base_url
    }

    /// The authority of a tenant, as MSAL takes it.
    pub fn authority(&self, tenant: &str) -> String {
        format!("{}/{tenant}", self.server.base_url)
    }

    pub fn register_app(&self, app: AppRegistration) {
        self.shared.lock().apps.insert(app.client_id.clone(), app);
    }

    /// Registers a redirect URI for an app, under a platform (web, SPA, mobile and desktop).
    pub fn add_redirect_uri(&self, client_id: &str, uri: &str, kind: RedirectKind) {
        self.shared
            .lock()
            .redirect_uris
            .entry(client_id.to_string())
            .or_default()
            .push((uri.to_string(), kind));
    }

    /// Seeds a user who can sign in at the login page.
    pub fn add_user(&self, user: DirectoryUser) {
        let mut state = self.shared.lock();
        state.users.retain(|u| u.object_id != user.object_id);
        state.users.push(user);
    }

    /// Uploads a certificate to an app registration, for certificate credentials (client
    /// assertions): its DER (thumbprints are taken from it) and its public key.
    pub fn add_app_certificate(
        &self,
        client_id: &str,
        certificate_der: &[u8],
        public_key_pem: &str,
    ) -> anyhow::Result<()> {
        let certificate = assertions::AppCertificate::new(certificate_der, public_key_pem)?;
        self.shared
            .lock()
            .app_certificates
            .entry(client_id.to_string())
            .or_default()
            .push(certificate);
        Ok(())
    }

    /// A token as Entra would issue it for `spec` (or the hostile variant it asks for).
    pub fn mint(&self, spec: &TokenSpec) -> anyhow::Result<String> {
        let mut claims = spec.claims(&self.server.base_url);
        let (current, v1_issuer) = {
            let state = self.shared.lock();
            (Arc::clone(&state.current), state.v1_issuer.clone())
        };
        if spec.version == TokenVersion::V1 && spec.issuer.is_none() {
            claims["iss"] = serde_json::json!(v1_issuer.replace("{tenantid}", &spec.tenant_id));
        }
        let v1 = spec.version == TokenVersion::V1;
        match spec.signing {
            Signing::Published => tokens::sign(&claims, &current.kid, &current.encoding, v1),
            Signing::UnpublishedKey => {
                let stranger = SigningKey::generate()?;
                tokens::sign(&claims, &stranger.kid, &stranger.encoding, v1)
            }
            Signing::UnpublishedKeyPublishedKid => {
                let stranger = SigningKey::generate()?;
                tokens::sign(&claims, &current.kid, &stranger.encoding, v1)
            }
            Signing::None => Ok(tokens::unsigned(&claims, &current.kid)),
            Signing::PublishedWithCriticalHeader => {
                let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
                header.kid = Some(current.kid.clone());
                header.crit = Some(vec!["urn:outforce:must-understand".into()]);
                Ok(jsonwebtoken::encode(&header, &claims, &current.encoding)?)
            }
            Signing::Hs256WithPublicKey => {
                let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
                header.kid = Some(current.kid.clone());
                let key = jsonwebtoken::EncodingKey::from_secret(&current.public_key_der);
                Ok(jsonwebtoken::encode(&header, &claims, &key)?)
            }
        }
    }

    /// A token signed with the personal-account tenant's own key.
    pub fn mint_with_msa_key(&self, spec: &TokenSpec) -> anyhow::Result<String> {
        let claims = spec.claims(&self.server.base_url);
        let key = Arc::clone(&self.shared.lock().msa_key);
        tokens::sign(
            &claims,
            &key.kid,
            &key.encoding,
            spec.version == TokenVersion::V1,
        )
    }

    /// Faults for the next calls to the token endpoint, in order, after those already queued;
    /// an empty list clears the queue.
    pub fn script_token_faults(&self, faults: Vec<TokenFault>) {
        let mut state = self.shared.lock();
        if faults.is_empty() {
            state.token_faults.clear();
        }
        state.token_faults.extend(faults);
    }

    /// Moves Entra's clock forward (refresh tokens age with it).
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.shared.lock().clock_offset += chrono::TimeDelta::from_std(by).unwrap_or_default();
    }

    /// How long a refresh token may go unused ([`REFRESH_INACTIVITY`] unless set: a tenant's
    /// token lifetime policy can shorten it).
    pub fn set_refresh_inactivity(&self, lifetime: std::time::Duration) {
        self.shared.lock().refresh_inactivity =
            chrono::TimeDelta::from_std(lifetime).unwrap_or(REFRESH_INACTIVITY);
    }

    /// Makes the key endpoints hang or fail (`None` ends the outage); metadata still answers.
    pub fn set_keys_outage(&self, outage: Option<KeysOutage>) {
        self.shared.lock().keys_outage = outage;
    }

    /// Plays another cloud's issuer for v1 tokens (a sovereign cloud's `https://sts.chinacloudapi.cn/{tenantid}/`):
    /// the v1 metadata and v1 tokens minted from then on name it.
    pub fn set_v1_issuer(&self, template: &str) {
        self.shared.lock().v1_issuer = template.to_string();
    }

    /// Publishes a new signing key and withdraws the current one: tokens it signed stop validating.
    pub fn rotate_keys(&self) -> anyhow::Result<()> {
        let fresh = Arc::new(SigningKey::generate()?);
        self.shared.lock().current = fresh;
        Ok(())
    }

    /// The current signing key's `kid` and public key, read afresh at each call, for the Graph
    /// emulator to check the tokens this emulator issued.
    pub(crate) fn published_key(
        &self,
    ) -> impl Fn() -> (String, jsonwebtoken::DecodingKey) + Send + Sync + 'static {
        let shared = self.shared.clone();
        move || {
            let current = Arc::clone(&shared.lock().current);
            let key = jsonwebtoken::DecodingKey::from_rsa_der(&current.public_key_der);
            (current.kid.clone(), key)
        }
    }

    /// The `kid` of the key that signs new tokens.
    pub fn current_kid(&self) -> String {
        self.shared.lock().current.kid.clone()
    }

    /// Makes the on-behalf-of exchange fail for one user (by object id), or succeed again.
    pub fn set_obo_failure(&self, object_id: &str, failure: Option<OboFailure>) {
        let mut state = self.shared.lock();
        match failure {
            Some(failure) => state.obo_failures.insert(object_id.to_string(), failure),
            None => state.obo_failures.remove(object_id),
        };
    }

    /// Revokes every refresh token of a user (a password reset, an admin's "revoke sessions"):
    /// using one then fails with AADSTS50173.
    pub fn revoke_refresh_tokens(&self, object_id: &str) {
        let mut state = self.shared.lock();
        let revoked: Vec<String> = state
            .refresh_tokens
            .iter()
            .filter(|(_, grant)| grant.user.object_id == object_id)
            .map(|(token, _)| token.clone())
            .collect();
        for token in revoked {
            state.refresh_tokens.remove(&token);
            state.revoked_refresh_tokens.insert(token);
        }
    }

    /// How many times an endpoint was called: `openid_configuration_v2`, `openid_configuration_v1`,
    /// `keys_v2`, `keys_v1`, `authorize`, `token`.
    pub fn calls(&self, endpoint: &str) -> u64 {
        self.shared.lock().calls.get(endpoint).copied().unwrap_or(0)
    }

    /// Every endpoint's call count, by name.
    pub fn all_calls(&self) -> std::collections::BTreeMap<String, u64> {
        crate::server::counts(&self.shared.lock().calls)
    }

    pub async fn stop(&self) {
        self.server.stop().await;
    }
}
