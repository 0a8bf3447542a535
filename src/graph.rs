//! Microsoft Graph access for a rep's mailbox, in the mode the tenant's admin chose: delegated
//! (on-behalf-of the rep, the refresh token kept sealed so that sync runs while they are away)
//! or application (client credentials, mailboxes scoped by the tenant's RBAC for
//! Applications). [`access`] hands out tokens; [`probe`] checks what a token may really do.

pub mod access;
pub mod credential;
pub mod probe;
pub mod tokens;

use std::time::Duration;

use secrecy::SecretString;

use crate::config::GraphSettings;
use credential::Credential;

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("this server has no Graph credential (graph.client_secret or certificate)")]
    NotConfigured,
    #[error("the rep has not given access to their mailbox yet")]
    NotConnected,
    #[error("the mailbox grant was revoked or expired; the rep must open the task pane")]
    ReconnectNeeded,
    /// Conditional Access (MFA, a new location) wants the rep to sign in again with `claims`.
    #[error("Entra wants the rep to sign in interactively")]
    InteractionRequired { claims: String },
    #[error("nobody consented to outforce's Graph permissions in this tenant")]
    ConsentRequired,
    #[error("Entra refused the grant (AADSTS{aadsts})")]
    InvalidGrant { aadsts: u32 },
    #[error("Entra refused: {error} (AADSTS{aadsts})")]
    Refused { error: String, aadsts: u32 },
    #[error("Entra answered {0}")]
    Status(u16),
    #[error("the client assertion could not be made: {0:#}")]
    Credential(#[source] anyhow::Error),
    #[error("Entra could not be reached")]
    Transport(#[source] reqwest::Error),
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretsError),
}

/// What every Graph call of this process shares: the credential and the application tokens
/// per tenant.
pub struct Runtime {
    pub credential: Option<Credential>,
    app_tokens: moka::future::Cache<String, (SecretString, chrono::DateTime<chrono::Utc>)>,
}

impl Runtime {
    pub fn new(settings: &GraphSettings) -> anyhow::Result<Self> {
        Ok(Self {
            credential: Credential::from_settings(settings)?,
            app_tokens: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(3600))
                .build(),
        })
    }
}
