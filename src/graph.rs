//! Microsoft Graph access for a rep's mailbox, in the mode the tenant's admin chose: delegated
//! (on-behalf-of the rep, the refresh token kept sealed so that sync runs while they are away)
//! or application (client credentials, mailboxes scoped by the tenant's RBAC for
//! Applications). [`Graph`] is this process's way in: [`access`] hands out its tokens per
//! mailbox, [`probe`] checks what a token may really do.

pub mod access;
pub mod categories;
pub mod contacts;
pub mod credential;
pub mod delta;
pub mod directory;
pub mod error;
pub mod event_writes;
pub mod events;
pub mod probe;
pub mod subscriptions;
pub mod tokens;

use std::time::Duration;

use secrecy::SecretString;

use crate::config::{EntraSettings, GraphSettings};
use crate::connections::ConnectionStore;
use credential::Credential;
pub use error::GraphError;

/// The longest `Retry-After` taken as Graph asked; a longer one waits this long.
pub const MAX_WAIT: Duration = Duration::from_secs(300);

/// What every Graph call of this process shares: the outbound client, our app registration
/// and its credential, the application tokens per tenant, and the store that keeps delegated
/// grants. One per process.
pub struct Graph {
    http: reqwest::Client,
    settings: GraphSettings,
    /// Entra's login host, for the token endpoint.
    authority: String,
    /// Our app registration (`entra.client_id`).
    client_id: Option<String>,
    credential: Option<Credential>,
    app_tokens: moka::future::Cache<String, (SecretString, chrono::DateTime<chrono::Utc>)>,
    connections: ConnectionStore,
    /// Per mailbox owner, the slots for requests running at once (`events::MAILBOX_CONCURRENCY`).
    mailbox_slots: moka::future::Cache<String, std::sync::Arc<tokio::sync::Semaphore>>,
    /// Per mailbox owner, when Graph's last `Retry-After` runs out: Graph throttles an app per
    /// mailbox, so until then no request of this process is sent to that mailbox.
    mailbox_holds: moka::future::Cache<String, tokio::time::Instant>,
    /// Per rep (and per tenant, for application tokens), one token fetched at a time: calls that
    /// need it at once (a pane call and the grant it starts in the background) share one
    /// exchange with Entra.
    delegated_turns: moka::future::Cache<String, std::sync::Arc<tokio::sync::Mutex<()>>>,
    /// Per rep, the fingerprint of the pane token whose call last saw to their grant and watch
    /// (`sync::watch::grant`); forgotten when the grant dies, so the next pane call mends it.
    pane_grants: moka::future::Cache<String, String>,
}

impl Graph {
    pub fn new(
        settings: &GraphSettings,
        entra: &EntraSettings,
        http: reqwest::Client,
        connections: ConnectionStore,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            http,
            settings: settings.clone(),
            authority: entra.authority.clone(),
            client_id: entra.client_id.clone(),
            credential: Credential::from_settings(settings)?,
            app_tokens: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(3600))
                .build(),
            connections,
            // A mailbox idle for a minute gives its slots back (none can be taken then).
            mailbox_slots: moka::future::Cache::builder()
                .time_to_idle(Duration::from_secs(60))
                .build(),
            // A hold outlives no wait we accept.
            mailbox_holds: moka::future::Cache::builder()
                .time_to_live(MAX_WAIT)
                .build(),
            delegated_turns: moka::future::Cache::builder()
                .time_to_idle(Duration::from_secs(60))
                .build(),
            pane_grants: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(3600))
                .build(),
        })
    }

    /// Whether the server can get Graph tokens at all (a secret or a certificate).
    pub fn is_configured(&self) -> bool {
        self.credential.is_some()
    }
}
