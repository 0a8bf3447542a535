//! The error responses the handlers' annotations name: each is the one error envelope, with the
//! codes its status carries.

use utoipa::ToResponse;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

/// Declares a reusable response: the error envelope, with a description naming the codes.
macro_rules! error_response {
    ($(#[doc = $doc:literal])+ $name:ident) => {
        $(#[doc = $doc])+
        pub struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                let description = [$($doc.trim()),+].join(" ");
                let body = ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                    .build();
                let response = ResponseBuilder::new()
                    .description(description)
                    .content("application/json", body)
                    .build();
                (stringify!($name), response.into())
            }
        }
    };
}

error_response! {
    /// The request is malformed or names something not allowed (`invalid_json`,
    /// `login_host_not_allowed`, …). A wrong field is `invalid_field` (or the Salesforce rule
    /// it breaks: `too_many_contacts`, `lead_not_alone`, `lead_with_what`, `invalid_who`,
    /// `invalid_what`), with the field's path in `field`.
    BadRequest
}

error_response! {
    /// The bearer token is missing or refused (`token_missing`, `token_expired`, `token_audience`,
    /// …; the same code is in `WWW-Authenticate`): sign in again. Or Conditional Access wants a
    /// fresh sign-in for Microsoft Graph (`graph_interaction_required`, the claims challenge in
    /// `WWW-Authenticate`, for `getAccessToken({authChallenge})`).
    Unauthorized
}

error_response! {
    /// Signed in, but not allowed (`not_admin`, `graph_consent_required`).
    Forbidden
}

error_response! {
    /// Nothing to act on (`not_found`).
    NotFound
}

error_response! {
    /// Salesforce's duplicate rule matched a record that already exists (`duplicate_record`,
    /// its Id in `existing_id`): relate that one instead; or the rep's connection forbids the
    /// call now (the codes of a 409 precondition).
    Duplicate
}

error_response! {
    /// The rep's connection forbids it now (`salesforce_not_connected`,
    /// `salesforce_reconnect_needed`, `salesforce_user_not_approved`, `graph_reconnect_needed`,
    /// `extra_email_field_invalid`, …):
    /// the code says what to do.
    Precondition
}

error_response! {
    /// Salesforce or Microsoft 365 did not answer as expected (`salesforce_unavailable`,
    /// `graph_unavailable`): try again shortly.
    Upstream
}

error_response! {
    /// The server lacks a setting this needs (`salesforce_not_configured`, `graph_not_configured`,
    /// `salesforce_org_wide_no_key`), or Entra's signing keys are unavailable.
    NotConfigured
}

error_response! {
    /// The service is not ready (`unavailable`).
    Unavailable
}

error_response! {
    /// Too many waits open at once, for the rep (`too_many_waits`) or the instance
    /// (`instance_busy`): ask again after `Retry-After` seconds.
    TooMany
}
