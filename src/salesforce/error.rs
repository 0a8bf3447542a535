//! What went wrong talking to Salesforce, for every call of the module.

use super::codes::ErrorCode;

/// What went wrong talking to Salesforce. Never carries a token.
#[derive(Debug, thiserror::Error)]
pub enum SalesforceError {
    /// An OAuth error body (`{"error","error_description"}`): `invalid_grant` and the like.
    #[error("Salesforce refused: {error} ({description})")]
    OAuth { error: String, description: String },
    /// A REST error array: the first entry's code and message.
    #[error("Salesforce answered {status} {code}")]
    Api {
        status: u16,
        code: ErrorCode,
        message: String,
    },
    /// A duplicate rule blocked the save; `existing` is the record it matched, when named.
    #[error("a Salesforce duplicate rule ({rule}) blocked the save")]
    Duplicate {
        rule: String,
        existing: Option<String>,
    },
    #[error("Salesforce answered {0}")]
    Status(u16),
    #[error("the token response's signature does not match")]
    Signature,
    #[error("the JWT bearer assertion could not be signed")]
    Assertion,
    #[error("the request could not be encoded: {0}")]
    Encode(#[source] serde_urlencoded::ser::Error),
    #[error("Salesforce's answer could not be read: {0}")]
    Decode(#[source] serde_json::Error),
    #[error("Salesforce could not be reached")]
    Transport(#[source] reqwest::Error),
}

impl SalesforceError {
    /// The session (access token) is no longer valid: refresh and try once more.
    pub fn is_invalid_session(&self) -> bool {
        matches!(
            self,
            Self::Api {
                code: ErrorCode::InvalidSessionId,
                ..
            }
        )
    }

    /// Worth trying again later, unchanged: Salesforce down or busy (5xx), a locked row, a
    /// connection that failed or dropped before the answer was read. (Whether such a write
    /// took effect is unknown: the sync's intent and key cover that.)
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Api { status, code, .. } => *status >= 500 || code.is_transient(),
            Self::Status(status) => *status >= 500,
            Self::Transport(_) | Self::Decode(_) => true,
            _ => false,
        }
    }

    /// The grant behind a connection is gone (refresh token revoked or expired, user not
    /// approved): only the rep or the admin can mend it.
    pub fn is_invalid_grant(&self) -> bool {
        matches!(self, Self::OAuth { error, .. } if error == "invalid_grant")
    }
}
