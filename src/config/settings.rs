//! The typed settings tree, with its defaults. `outforce.example.toml` documents each setting.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

/// Every setting of the service. `outforce.example.toml` documents each one.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where the default SQLite file lives.
    pub data_dir: Option<PathBuf>,
    pub http: HttpSettings,
    pub database: DatabaseSettings,
    pub jobs: JobSettings,
    pub log: LogSettings,
    pub entra: EntraSettings,
    pub outbound: OutboundSettings,
    pub secrets: SecretsSettings,
    pub salesforce: SalesforceSettings,
    pub graph: GraphSettings,
    pub metrics: MetricsSettings,
    pub addin: AddinSettings,
    pub sync: ServerSyncSettings,
    /// Set by `outforce demo` only: the demo page, and a public URL on plain HTTP.
    #[serde(skip)]
    pub demo: bool,
}

/// How the sync spends an org's daily Salesforce API allowance (rule 9): it slows when little is
/// left, pauses when almost nothing is, and resumes by itself; no item fails for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSyncSettings {
    /// Below this share of the allowance left (percent), each sync waits `slow_delay_ms` first.
    pub slow_below_percent: u64,
    pub slow_delay_ms: u64,
    /// Below this share left (percent), syncs wait; the org's allowance is read again (one
    /// `/limits` call) once its last reading is `paused_recheck_secs` old, and the waiting
    /// syncs look again as often.
    pub pause_below_percent: u64,
    pub paused_recheck_secs: u64,
    /// How long after a write that used the pane's view of a meeting (an organizer's unsaved
    /// edits) the sync reads the meeting from Outlook again, so that Outlook's own version
    /// stands (rule 10).
    pub pane_confirm_secs: u64,
    /// How long a sync waits after Salesforce or Graph failed in passing (down, busy, a locked
    /// row, a timeout, a dropped connection) before it tries again; such a failure never uses
    /// up its retries.
    pub transient_retry_secs: u64,
    /// How often each watched mailbox is read for changes (a delta round), notifications or
    /// not; a sync configuration's `poll_interval_secs` overrides it.
    pub poll_interval_secs: u64,
    /// How often each process looks for polls and subscription renewals that are due.
    pub sweep_interval_secs: u64,
}

impl Default for ServerSyncSettings {
    fn default() -> Self {
        Self {
            slow_below_percent: 10,
            slow_delay_ms: 1000,
            pause_below_percent: 2,
            paused_recheck_secs: 60,
            pane_confirm_secs: 30,
            transient_retry_secs: 15,
            poll_interval_secs: 300,
            sweep_interval_secs: 30,
        }
    }
}

/// What the add-in manifests say about the add-in.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AddinSettings {
    /// The add-in's id, a GUID; keep it for the add-in's life (Office knows the add-in by it).
    pub id: String,
    /// `major.minor.build.revision`; raise it when the manifest changes.
    pub version: String,
    pub provider: String,
    pub name: String,
    /// Where reps find help; defaults to this service's own page.
    pub support_url: Option<String>,
    /// Origins the pane's windows may open besides the Salesforce login hosts (a My Domain
    /// login such as `https://contoso.my.salesforce.com`). Office allows no wildcards here.
    pub app_domains: Vec<String>,
    /// Where the pane and the Connect dialog load Office.js from: Microsoft's CDN, as the
    /// platform requires (the demo points it at its stand-in).
    pub office_js_url: String,
}

impl Default for AddinSettings {
    fn default() -> Self {
        Self {
            id: "4f1e9a2c-7b3d-4e8a-9c61-5d2f0b8e7a13".into(),
            version: "1.0.0.0".into(),
            provider: "outforce".into(),
            name: "outforce for Salesforce".into(),
            support_url: None,
            app_domains: Vec::new(),
            office_js_url: "https://appsforoffice.microsoft.com/lib/1/hosted/office.js".into(),
        }
    }
}

/// Who may read `/metrics`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    /// When set, `/metrics` answers only requests with `Authorization: Bearer <token>` (the
    /// scraper's `bearer_token`); unset, anyone who reaches the port may read it.
    pub token: Option<SecretString>,
}

/// Microsoft Graph: where it is, and how our app registration (`entra.client_id`) proves
/// itself to Entra for on-behalf-of and client-credentials tokens.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GraphSettings {
    pub base_url: String,
    /// The app registration's client secret.
    pub client_secret: Option<SecretString>,
    /// A certificate uploaded to the app registration (PEM) and its private key (PEM): used
    /// instead of the secret when both are set.
    pub certificate_file: Option<PathBuf>,
    pub private_key_file: Option<PathBuf>,
    /// The delegated permissions asked for on the rep's behalf.
    pub delegated_scopes: String,
}

impl Default for GraphSettings {
    fn default() -> Self {
        Self {
            base_url: "https://graph.microsoft.com".into(),
            client_secret: None,
            certificate_file: None,
            private_key_file: None,
            delegated_scopes: "https://graph.microsoft.com/Calendars.ReadWrite \
                               https://graph.microsoft.com/Contacts.ReadWrite \
                               https://graph.microsoft.com/MailboxSettings.ReadWrite \
                               offline_access"
                .into(),
        }
    }
}

/// The connected app reps sign in to Salesforce through.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SalesforceSettings {
    /// The connected app's consumer key; unset, reps cannot connect.
    pub consumer_key: Option<String>,
    pub consumer_secret: Option<SecretString>,
    /// Production and sandbox login hosts (the sandbox emulator's in the demo and tests).
    pub login_url: String,
    pub sandbox_login_url: String,
    /// Endings the host of a login URL chosen by a rep must have: My Domain and Experience
    /// Cloud sites.
    pub my_domain_suffixes: Vec<String>,
    pub api_version: String,
    /// The OAuth scopes asked for.
    pub scopes: String,
    /// The connected app's private key (PEM) for the org-wide JWT bearer mode; its certificate
    /// is uploaded to the connected app. Unset, admins cannot turn org-wide mode on.
    pub jwt_private_key_file: Option<PathBuf>,
    /// The External Id field (on Activity) that holds each synced meeting's key. An org that
    /// has it gets upserts, so a write repeated after a crash finds its Event by key; an org
    /// without it, a query on owner, start and subject.
    pub event_key_field: String,
}

impl Default for SalesforceSettings {
    fn default() -> Self {
        Self {
            consumer_key: None,
            consumer_secret: None,
            login_url: "https://login.salesforce.com".into(),
            sandbox_login_url: "https://test.salesforce.com".into(),
            my_domain_suffixes: vec![".my.salesforce.com".into(), ".my.site.com".into()],
            api_version: "64.0".into(),
            scopes: "api refresh_token".into(),
            jwt_private_key_file: None,
            event_key_field: "Outforce_Key__c".into(),
        }
    }
}

/// Encryption of tokens at rest.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsSettings {
    /// `id:base64-of-32-random-bytes` entries; the first seals, all open (rotation: put the new
    /// key first and keep the old ones until every token was sealed again).
    pub keys: Vec<SecretString>,
}

/// Sign-in: how the task pane's Entra ID access tokens for our API are checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EntraSettings {
    /// Entra's login host, whose JWKS and issuers tokens are checked against.
    pub authority: String,
    /// Our API's application (client) id: the audience of v2 tokens. Unset, every API call is
    /// refused with `sign_in_not_configured`.
    pub client_id: Option<String>,
    /// Our API's Application ID URI (`api://…`): the audience of v1 tokens.
    pub app_id_uri: Option<String>,
    /// The delegated scope a token must carry.
    pub scope: String,
    /// The app role that makes a user an outforce admin.
    pub admin_role: String,
    /// Tenants (ids) allowed to use this server; empty allows any work tenant.
    pub allowed_tenants: Vec<String>,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub clock_leeway_secs: u64,
    /// How long fetched signing keys are fresh; older ones are refreshed in the background.
    pub keys_refresh_secs: u64,
    /// The shortest interval between refetches caused by an unknown key id.
    pub unknown_key_refetch_secs: u64,
    /// How long one fetch of Entra's metadata and keys may take.
    pub keys_fetch_timeout_secs: u64,
    /// After a failed fetch, how long callers without usable keys get the failure at once
    /// before another fetch is tried.
    pub keys_retry_after_failure_secs: u64,
    /// The oldest keys ever served while Entra cannot be reached (stale-while-revalidate).
    pub keys_max_age_secs: u64,
}

impl Default for EntraSettings {
    fn default() -> Self {
        Self {
            authority: "https://login.microsoftonline.com".into(),
            client_id: None,
            app_id_uri: None,
            scope: "access_as_user".into(),
            admin_role: "Outforce.Admin".into(),
            allowed_tenants: Vec::new(),
            clock_leeway_secs: 60,
            keys_refresh_secs: 24 * 3600,
            unknown_key_refetch_secs: 60,
            keys_fetch_timeout_secs: 5,
            keys_retry_after_failure_secs: 30,
            keys_max_age_secs: 3 * 24 * 3600,
        }
    }
}

/// Outbound HTTPS (Entra, Graph, Salesforce): the system's roots plus these.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboundSettings {
    /// Extra CA certificates (PEM files) to trust: a corporate TLS proxy, the sandbox's CA.
    /// Certificate checks are never switched off.
    pub extra_ca_files: Vec<PathBuf>,
    pub timeout_secs: u64,
}

impl Default for OutboundSettings {
    fn default() -> Self {
        Self {
            extra_ca_files: Vec::new(),
            timeout_secs: 30,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    pub host: IpAddr,
    pub port: u16,
    /// The address reps and Office reach us at (manifest, OAuth redirects). Defaults to the
    /// bound address.
    pub public_url: Option<String>,
    /// The largest JSON body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// How long in-flight requests may take to finish after a stop signal.
    pub shutdown_timeout_secs: u64,
    /// The most task-pane waits for a meeting's sync (`GET …/link?wait=`) one instance holds
    /// open at once; past it a wait is answered 429 with `Retry-After`.
    pub max_link_waits: usize,
    /// Terminate TLS here (Office requires HTTPS); leave unset behind a TLS proxy.
    pub tls: Option<TlsSettings>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            public_url: None,
            body_limit_bytes: 256 * 1024,
            shutdown_timeout_secs: 30,
            max_link_waits: 10_000,
            tls: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    /// PEM file with the certificate chain, leaf first.
    pub cert_path: PathBuf,
    /// PEM file with the private key (PKCS#8, PKCS#1 or SEC1).
    pub key_path: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://path/to/file.db` or `postgres://user:password@host/db`. Defaults to a SQLite
    /// file in `data_dir`.
    pub url: Option<SecretString>,
    pub max_connections: u32,
    pub acquire_timeout_secs: u64,
    pub sqlite_busy_timeout_secs: u64,
    /// Apply pending migrations when the service starts (otherwise run `outforce migrate`).
    pub migrate_on_start: bool,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: 10,
            acquire_timeout_secs: 10,
            sqlite_busy_timeout_secs: 10,
            migrate_on_start: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobSettings {
    /// Worker tasks per process (`serve` and `worker`); 0 runs none in `serve`.
    pub workers: usize,
    /// How often an idle worker looks for due jobs queued by another instance.
    pub poll_interval_ms: u64,
    /// How long a claimed job is leased; a running job renews its lease, a crashed one is taken
    /// up again once it lapses.
    pub lease_secs: u64,
    pub max_attempts: i32,
    /// Retry delay after the first failure; doubles with every further failure.
    pub backoff_base_secs: u64,
    pub backoff_max_secs: u64,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            workers: 4,
            poll_interval_ms: 500,
            lease_secs: 60,
            max_attempts: 8,
            backoff_base_secs: 5,
            backoff_max_secs: 3600,
        }
    }
}

impl JobSettings {
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.lease_secs)
    }
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Readable lines on a terminal, JSON otherwise.
    #[default]
    Auto,
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A `tracing` filter, such as `info` or `outforce=debug,actix_web=info`.
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Auto,
            filter: "info".into(),
        }
    }
}

impl Settings {
    /// The SQLite file used when no database URL is set.
    pub fn default_database_url(&self) -> String {
        let dir = self
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("outforce-data"));
        format!("sqlite://{}", dir.join("outforce.db").display())
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The dialect of a database URL, or `None` for a scheme we do not support.
    pub fn of_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0;
        match scheme {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }
}
