//! The one error type of the HTTP layer and its JSON envelope:
//!
//! ```json
//! {"error": {"code": "not_found", "message": "…", "request_id": "…"}}
//! ```
//!
//! `code` is stable and meant for programs (the task pane switches on it); `message` is for
//! people. A 5xx never says more than "internal error": its cause goes to the log, under the
//! same request id.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use base64::Engine as _;
use serde::Serialize;
use utoipa::ToSchema;

use super::request_id;
use crate::connections::StoreError;
use crate::salesforce::org_wide::OrgWideError;
use crate::salesforce::session::SessionError;
use crate::salesforce::sign_in::SignInError;
use crate::salesforce::{NotConfigured, SalesforceError};
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// One field of the request is wrong: 400, naming the field by its path
    /// (`attendees[3].email`) so the pane can point at it. `code` is `invalid_field`, or the
    /// name of the Salesforce rule the value breaks (`too_many_contacts`).
    #[error("{field}: {message}")]
    InvalidField {
        code: &'static str,
        field: String,
        message: String,
    },
    /// Salesforce's duplicate rule matched an existing record: 409 `duplicate_record`, naming
    /// it so the pane can offer it instead.
    #[error("Salesforce already holds this person ({existing}); relate that record instead")]
    Duplicate { existing: String },
    #[error("{0}")]
    Unauthorized(#[from] crate::identity::TokenError),
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The request is fine but the caller's state forbids it now (not connected, reconnect
    /// needed): 409 with a code the task pane acts on.
    #[error("{message}")]
    Precondition { code: &'static str, message: String },
    /// Salesforce or Microsoft answered with a failure we cannot mend here; the message names
    /// the service, never the cause (which is logged).
    #[error("{message}")]
    Upstream { code: &'static str, message: String },
    /// Entra wants the rep to sign in again satisfying `claims` (Conditional Access): 401 with
    /// the claims in `WWW-Authenticate`, for the task pane to pass to `getAccessToken`.
    #[error("sign in again to satisfy your organization's access policy")]
    ClaimsChallenge { claims: String },
    /// The caller holds too much at once (waits for a meeting's sync): 429, with when to ask
    /// again in `Retry-After`.
    #[error("{message}")]
    TooMany {
        code: &'static str,
        message: String,
        retry_after_secs: u32,
    },
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    #[error("{message}")]
    NotConfigured { code: &'static str, message: String },
    #[error("the service is not ready")]
    Unavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// Every error body.
#[derive(Serialize, ToSchema)]
pub struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, for programs: the task pane switches on it.
    #[schema(example = "salesforce_reconnect_needed")]
    code: String,
    /// For people. A 5xx says only "internal error".
    message: String,
    /// The same id as the `X-Request-Id` header and the log lines of the request.
    request_id: String,
    /// With `invalid_field`: the path of the field at fault (`attendees[3].email`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "attendees[3].email")]
    field: Option<String>,
    /// With `duplicate_record`: the Id of the Salesforce record the duplicate rule matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    existing_id: Option<String>,
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::broken_rule("invalid_field", field, message)
    }

    /// A field whose value breaks a named rule of the platform.
    pub fn broken_rule(
        code: &'static str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::InvalidField {
            code,
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. } => code,
            Self::InvalidField { code, .. } => code,
            Self::Duplicate { .. } => "duplicate_record",
            Self::Unauthorized(reason) => reason.code(),
            Self::Forbidden { code, .. } => code,
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Precondition { code, .. } | Self::Upstream { code, .. } => code,
            Self::ClaimsChallenge { .. } => "graph_interaction_required",
            Self::TooMany { code, .. } => code,
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::NotConfigured { code, .. } => code,
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::NotFound => Self::NotFound("no such resource".into()),
            StorageError::Conflict(what) => Self::Conflict(format!("a {what} already exists")),
            other => Self::Internal(other.into()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Storage(cause) => cause.into(),
            StoreError::Secrets(cause) => Self::Internal(cause.into()),
        }
    }
}

impl From<NotConfigured> for ApiError {
    fn from(_: NotConfigured) -> Self {
        Self::NotConfigured {
            code: "salesforce_not_configured",
            message: "this server has no Salesforce connected app (salesforce.consumer_key)".into(),
        }
    }
}

impl From<SalesforceError> for ApiError {
    fn from(cause: SalesforceError) -> Self {
        if let SalesforceError::Duplicate {
            existing: Some(existing),
            ..
        } = cause
        {
            return Self::Duplicate { existing };
        }
        tracing::warn!(error = %cause, "a Salesforce call failed");
        Self::Upstream {
            code: "salesforce_unavailable",
            message: "Salesforce did not answer as expected; try again shortly".into(),
        }
    }
}

impl From<OrgWideError> for ApiError {
    fn from(error: OrgWideError) -> Self {
        match error {
            OrgWideError::Storage(cause) => cause.into(),
            OrgWideError::Salesforce(cause) => cause.into(),
            OrgWideError::NoKey => Self::NotConfigured {
                code: error.code(),
                message: error.advice().into(),
            },
            other => Self::Precondition {
                code: other.code(),
                message: other.advice().into(),
            },
        }
    }
}

impl From<SessionError> for ApiError {
    fn from(error: SessionError) -> Self {
        match error {
            SessionError::NotConfigured(cause) => cause.into(),
            SessionError::NotConnected => Self::Precondition {
                code: "salesforce_not_connected",
                message: "connect Salesforce first".into(),
            },
            SessionError::ReconnectNeeded => Self::Precondition {
                code: "salesforce_reconnect_needed",
                message: "Salesforce no longer accepts this connection: connect again".into(),
            },
            // A session that cannot be minted is the admin's to fix, and the rep's to hear of.
            SessionError::OrgWide(OrgWideError::NoKey) => Self::Precondition {
                code: OrgWideError::NoKey.code(),
                message: OrgWideError::NoKey.advice().into(),
            },
            SessionError::OrgWide(cause) => cause.into(),
            SessionError::Salesforce(cause) => cause.into(),
            SessionError::Storage(cause) => cause.into(),
            SessionError::Secrets(cause) => Self::Internal(cause.into()),
        }
    }
}

impl From<SignInError> for ApiError {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::NotConfigured(cause) => cause.into(),
            SignInError::LoginHost(cause) => {
                Self::bad_request("login_host_not_allowed", cause.to_string())
            }
            SignInError::Storage(cause) => cause.into(),
            SignInError::Session(cause) => cause.into(),
            other => Self::Internal(other.into()),
        }
    }
}

impl From<crate::graph::GraphError> for ApiError {
    fn from(error: crate::graph::GraphError) -> Self {
        use crate::graph::GraphError as E;
        let code = error.code();
        match error {
            E::NotConfigured => Self::NotConfigured {
                code,
                message: error.advice().into(),
            },
            E::NotConnected | E::ReconnectNeeded => Self::Precondition {
                code: "graph_reconnect_needed",
                message: "open the outforce pane in Outlook to renew access to your mailbox".into(),
            },
            E::InteractionRequired { claims } => Self::ClaimsChallenge { claims },
            E::ConsentRequired => Self::Forbidden {
                code,
                message: "an admin must grant consent to outforce's Microsoft Graph permissions"
                    .into(),
            },
            E::Storage(cause) => cause.into(),
            E::Secrets(cause) => Self::Internal(cause.into()),
            E::Credential(cause) => Self::Internal(cause),
            other => {
                tracing::warn!(error = %other, "a Microsoft Entra token request failed");
                Self::Upstream {
                    code: "graph_unavailable",
                    message: "Microsoft 365 did not grant access; try again shortly".into(),
                }
            }
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } | Self::InvalidField { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(crate::identity::TokenError::KeysUnavailable(_)) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Unauthorized(_) | Self::ClaimsChallenge { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) | Self::Precondition { .. } | Self::Duplicate { .. } => {
                StatusCode::CONFLICT
            }
            Self::Upstream { .. } => StatusCode::BAD_GATEWAY,
            Self::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotConfigured { .. } | Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let request_id = request_id::current();
        let cause = match self {
            Self::Unavailable(cause)
            | Self::Internal(cause)
            | Self::Unauthorized(crate::identity::TokenError::KeysUnavailable(cause)) => {
                Some(cause)
            }
            _ => None,
        };
        if let Some(cause) = cause {
            // Logged once, here, where the error turns into a response.
            tracing::error!(request_id = %request_id, error = format!("{cause:#}"), code = self.code(), "request failed");
        }
        let message = match self {
            Self::Internal(_) => "internal error".to_string(),
            other => other.to_string(),
        };
        let mut body = ErrorBody::new(self.code(), &message, &request_id);
        match self {
            Self::InvalidField { field, .. } => body.field = Some(field.clone()),
            Self::Duplicate { existing } => body.existing_id = Some(existing.clone()),
            _ => {}
        }
        let mut response =
            HttpResponse::build(self.status_code()).json(ErrorEnvelope { error: body });
        if let Self::TooMany {
            retry_after_secs, ..
        } = self
        {
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(*retry_after_secs),
            );
        }
        if let Some(challenge) = self.challenge()
            && let Ok(value) = actix_web::http::header::HeaderValue::from_str(&challenge)
        {
            response
                .headers_mut()
                .insert(actix_web::http::header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

impl ApiError {
    /// The `WWW-Authenticate` challenge of a 401 or 403 (RFC 6750): `invalid_token` with the
    /// reason's code, so the task pane can tell "sign in again" from "not allowed".
    fn challenge(&self) -> Option<String> {
        match self {
            Self::Unauthorized(crate::identity::TokenError::KeysUnavailable(_)) => None,
            Self::Unauthorized(crate::identity::TokenError::Missing) => {
                Some("Bearer realm=\"outforce\"".into())
            }
            Self::Unauthorized(reason) => Some(format!(
                "Bearer realm=\"outforce\", error=\"invalid_token\", error_description=\"{}\"",
                reason.code()
            )),
            Self::ClaimsChallenge { claims } => Some(format!(
                "Bearer realm=\"outforce\", error=\"insufficient_claims\", claims=\"{}\"",
                base64::engine::general_purpose::STANDARD.encode(claims)
            )),
            Self::Forbidden { code, .. } => Some(format!(
                "Bearer realm=\"outforce\", error=\"insufficient_scope\", error_description=\"{code}\""
            )),
            _ => None,
        }
    }
}

/// An error body in the one shape every error has.
pub fn envelope(status: StatusCode, code: &str, message: &str, request_id: &str) -> HttpResponse {
    HttpResponse::build(status).json(ErrorEnvelope {
        error: ErrorBody::new(code, message, request_id),
    })
}

impl ErrorBody {
    fn new(code: &str, message: &str, request_id: &str) -> Self {
        Self {
            code: code.to_string(),
            message: message.to_string(),
            request_id: request_id.to_string(),
            field: None,
            existing_id: None,
        }
    }
}

/// The stable code for an error actix produced itself (routing, extractors), by status.
pub fn code_for_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_ACCEPTABLE => "not_acceptable",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}
