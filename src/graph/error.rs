//! What went wrong reaching a mailbox, with the stable code and the advice an admin sees.

use crate::connections::StoreError;

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

impl From<StoreError> for GraphError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Storage(cause) => Self::Storage(cause),
            StoreError::Secrets(cause) => Self::Secrets(cause),
        }
    }
}

impl GraphError {
    /// Entra failed in passing (unreachable, timed out, an answer that is no Entra error):
    /// asking again later can succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Status(_) | Self::Transport(_))
    }

    /// The stable code the task pane and the admin see.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotConfigured => "graph_not_configured",
            Self::NotConnected => "graph_not_connected",
            Self::ReconnectNeeded => "graph_reconnect_needed",
            Self::InteractionRequired { .. } => "graph_interaction_required",
            Self::ConsentRequired => "graph_consent_required",
            Self::Refused { .. } | Self::InvalidGrant { .. } => "graph_token_refused",
            Self::Status(_) | Self::Transport(_) => "graph_unavailable",
            Self::Credential(_) | Self::Storage(_) | Self::Secrets(_) => "internal",
        }
    }

    /// What an admin should do about it.
    pub fn advice(&self) -> &'static str {
        match self {
            Self::NotConfigured => {
                "Set graph.client_secret, or graph.certificate_file and graph.private_key_file, on the server."
            }
            Self::NotConnected => {
                "The rep has not opened the outforce pane since delegated access was chosen."
            }
            Self::ReconnectNeeded => {
                "The rep's grant was revoked or expired; it renews the next time they open the pane."
            }
            Self::InteractionRequired { .. } => {
                "A Conditional Access policy wants the rep to sign in again (MFA)."
            }
            Self::ConsentRequired => {
                "Grant admin consent to outforce's Graph permissions in the Entra admin center."
            }
            Self::Refused { .. } | Self::InvalidGrant { .. } => {
                "Entra refused outforce's credential: check the client secret or certificate and that outforce is consented in this tenant."
            }
            Self::Status(_) | Self::Transport(_) => {
                "Microsoft 365 could not be reached; try again."
            }
            Self::Credential(_) | Self::Storage(_) | Self::Secrets(_) => {
                "An internal error; the server's log has the cause."
            }
        }
    }
}
