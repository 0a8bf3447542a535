//! Salesforce: the OAuth endpoints ([`oauth`]), the REST API ([`rest`]) with its error codes,
//! date-times and limit header, and a rep's session ([`session`]) that renews itself.

pub mod codes;
pub mod datetime;
pub mod limits;
pub mod login_host;
pub mod oauth;
pub mod org_wide;
pub mod rest;
pub mod session;

pub use codes::ErrorCode;
pub use datetime::SfDateTime;
pub use oauth::Client;

/// What every Salesforce call of this process shares: the orgs' API usage and the connected
/// app's JWT signing key.
pub struct Runtime {
    pub limits: limits::OrgLimits,
    pub jwt_key: Option<jsonwebtoken::EncodingKey>,
}

impl Runtime {
    pub fn new(settings: &crate::config::SalesforceSettings) -> anyhow::Result<Self> {
        use anyhow::Context as _;
        let jwt_key =
            match &settings.jwt_private_key_file {
                Some(path) => {
                    let pem = std::fs::read(path).with_context(|| {
                        format!("reading salesforce.jwt_private_key_file {}", path.display())
                    })?;
                    Some(jsonwebtoken::EncodingKey::from_rsa_pem(&pem).with_context(|| {
                    format!(
                        "salesforce.jwt_private_key_file {} is not an RSA private key in PEM",
                        path.display()
                    )
                })?)
                }
                None => None,
            };
        Ok(Self {
            limits: limits::OrgLimits::default(),
            jwt_key,
        })
    }
}

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

    /// The grant behind a connection is gone (refresh token revoked or expired, user not
    /// approved): only the rep or the admin can mend it.
    pub fn is_invalid_grant(&self) -> bool {
        matches!(self, Self::OAuth { error, .. } if error == "invalid_grant")
    }
}
