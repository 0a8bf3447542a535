//! The org-wide connection: the connected app's JWT bearer grant, acting as the Salesforce user
//! that matches a rep (by username, the rep's sign-in name plus an optional sandbox suffix, or
//! by email, looked up as the admin's integration user). Failures are kept on the tenant's
//! setup so that the admin sees them, and named so that the admin knows what to fix.

use secrecy::SecretString;
use serde::Deserialize;

use super::SalesforceError;
use super::rest::{Page, Rest, query_path, soql_escape};
use super::session::client;
use crate::state::AppState;
use crate::storage::org_wide::OrgWide;
use crate::storage::{self, StorageError, tenants, users};

#[derive(Debug, thiserror::Error)]
pub enum OrgWideError {
    #[error("the server has no private key for the JWT bearer grant")]
    NoKey,
    #[error("the tenant does not use the org-wide connection")]
    Off,
    #[error("the Salesforce user has not been pre-authorized for the connected app")]
    UserNotApproved,
    #[error("no active Salesforce user matches the rep")]
    UserNotFound,
    #[error("more than one active Salesforce user matches the rep")]
    UserAmbiguous,
    #[error("Salesforce refused the JWT bearer grant: {0}")]
    Refused(String),
    #[error(transparent)]
    Salesforce(SalesforceError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl OrgWideError {
    /// The stable code an admin and the task pane see.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoKey => "salesforce_org_wide_no_key",
            Self::Off => "salesforce_org_wide_off",
            Self::UserNotApproved => "salesforce_user_not_approved",
            Self::UserNotFound => "salesforce_user_not_found",
            Self::UserAmbiguous => "salesforce_user_ambiguous",
            Self::Refused(_) => "salesforce_org_wide_refused",
            Self::Salesforce(_) | Self::Storage(_) => "salesforce_unavailable",
        }
    }

    /// What the admin should do about it.
    pub fn advice(&self) -> &'static str {
        match self {
            Self::NoKey => "Configure salesforce.jwt_private_key_file on the server.",
            Self::Off => "Turn the org-wide connection on first.",
            Self::UserNotApproved => {
                "In Salesforce Setup, open the connected app, choose \"Admin approved users are pre-authorized\" and add the user's profile or permission set."
            }
            Self::UserNotFound => {
                "Give the rep an active Salesforce user whose username (or email) matches their Microsoft 365 sign-in name, or change the matching rule."
            }
            Self::UserAmbiguous => {
                "Several active Salesforce users share this email: match by username instead."
            }
            Self::Refused(_) => {
                "Check the connected app's consumer key, its uploaded certificate and the login host."
            }
            Self::Salesforce(_) | Self::Storage(_) => "Try again in a few minutes.",
        }
    }
}

/// An access token the JWT bearer grant gave, and whom it is for.
pub struct Minted {
    pub access_token: SecretString,
    pub instance_url: String,
    pub org_id: String,
    pub user_id: String,
}

/// The tenant's org-wide setup, read afresh (a renewal must notice that the admin changed it or
/// turned it off).
pub async fn setup_of(state: &AppState, tenant_id: &str) -> Result<OrgWide, OrgWideError> {
    storage::org_wide::find(&state.db, tenant_id)
        .await?
        .ok_or(OrgWideError::Off)
}

/// Mints a session for `username` under the tenant's org-wide setup; a failure is recorded on
/// the setup for the admin, success clears it.
pub async fn mint(
    state: &AppState,
    setup: &OrgWide,
    username: &str,
) -> Result<Minted, OrgWideError> {
    let tenant_id = setup.tenant_id.as_str();
    let result = mint_unrecorded(state, setup, username).await;
    let now = storage::now();
    let code = result.as_ref().err().map(OrgWideError::code);
    if code != setup.last_error_code.as_deref() {
        storage::org_wide::set_error(&state.db, tenant_id, code, now).await?;
    }
    if let Ok(minted) = &result {
        let tenant = tenants::find(&state.db, tenant_id).await?;
        if tenant.is_some_and(|t| t.salesforce_org_id.is_none()) {
            tenants::set_salesforce_org(
                &state.db,
                tenant_id,
                &minted.org_id,
                &setup.login_url,
                now,
            )
            .await?;
        }
    }
    result
}

async fn mint_unrecorded(
    state: &AppState,
    setup: &OrgWide,
    username: &str,
) -> Result<Minted, OrgWideError> {
    let key = state
        .salesforce
        .jwt_key
        .as_ref()
        .ok_or(OrgWideError::NoKey)?;
    let client = client(state).map_err(|_| OrgWideError::NoKey)?;
    let tokens = client
        .jwt_bearer(&setup.login_url, username, key)
        .await
        .map_err(|error| match error {
            SalesforceError::OAuth { error, description } if error == "invalid_grant" => {
                if description.contains("approved") {
                    OrgWideError::UserNotApproved
                } else if description.contains("authentication failure") {
                    OrgWideError::UserNotFound
                } else {
                    OrgWideError::Refused(description)
                }
            }
            SalesforceError::OAuth { error, .. } => OrgWideError::Refused(error),
            other => OrgWideError::Salesforce(other),
        })?;
    // `id` is `https://login.salesforce.com/id/{org id}/{user id}`.
    let mut ids = tokens.id.rsplit('/');
    let (Some(user_id), Some(org_id)) = (ids.next(), ids.next()) else {
        return Err(OrgWideError::Refused("no identity in the token".into()));
    };
    Ok(Minted {
        user_id: user_id.to_string(),
        org_id: org_id.to_string(),
        access_token: tokens.access_token,
        instance_url: tokens.instance_url,
    })
}

/// The Salesforce username the rep acts as.
pub async fn username_for(
    state: &AppState,
    setup: &OrgWide,
    user: &users::User,
) -> Result<String, OrgWideError> {
    let sign_in = user.email.as_deref().ok_or(OrgWideError::UserNotFound)?;
    if setup.user_match != "email" {
        return Ok(format!(
            "{sign_in}{}",
            setup.username_suffix.as_deref().unwrap_or_default()
        ));
    }
    let integration = setup
        .integration_username
        .as_deref()
        .ok_or(OrgWideError::Refused(
            "no integration user to look reps up as".into(),
        ))?;
    let lookup = mint(state, setup, integration).await?;
    let rest = Rest {
        http: &state.http,
        instance_url: &lookup.instance_url,
        api_version: &state.settings.salesforce.api_version,
        org_id: &lookup.org_id,
        limits: &state.salesforce.limits,
    };
    let soql = format!(
        "SELECT Username FROM User WHERE Email = '{}' AND IsActive = true LIMIT 2",
        soql_escape(sign_in)
    );
    let found: Page<UserRow> = async {
        let path = query_path(&soql)?;
        rest.send(&lookup.access_token, reqwest::Method::GET, &path, None)
            .await?
            .json()
    }
    .await
    .map_err(OrgWideError::Salesforce)?;
    match found.records.as_slice() {
        [only] => Ok(only.username.clone()),
        [] => Err(OrgWideError::UserNotFound),
        _ => Err(OrgWideError::UserAmbiguous),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserRow {
    username: String,
}
