//! The org-wide connection: the connected app's JWT bearer grant, acting as the Salesforce user
//! that matches a rep (by username, the rep's sign-in name plus an optional sandbox suffix, or
//! by email, looked up as the admin's integration user). Failures are kept on the tenant's
//! setup so that the admin sees them, and named so that the admin knows what to fix.

use std::sync::Arc;

use secrecy::SecretString;
use serde::Deserialize;

use super::Salesforce;
use super::error::SalesforceError;
use super::rest::{Page, query_path, soql_escape};
use crate::ids::{OrgId, SalesforceUserId, TenantId};
use crate::storage::org_wide::{OrgWide, OrgWideSetup, UserMatch};
use crate::storage::{self, Db, StorageError, connections, tenants, users};

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
    pub org_id: OrgId,
    pub user_id: SalesforceUserId,
}

/// The org-wide grant: turned on and off by an admin, and minting sessions for reps. Uses the
/// connected app and the REST API, and nothing that uses it. Cheap to clone.
#[derive(Clone)]
pub struct OrgWideGrant {
    salesforce: Arc<Salesforce>,
    db: Db,
}

impl OrgWideGrant {
    pub fn new(salesforce: Arc<Salesforce>, db: Db) -> Self {
        Self { salesforce, db }
    }

    /// The tenant's setup, if the admin turned the grant on.
    pub async fn setup(&self, tenant_id: &TenantId) -> Result<Option<OrgWide>, StorageError> {
        storage::org_wide::find(&self.db, tenant_id).await
    }

    /// The tenant's setup, read afresh (a renewal must notice that the admin changed it or
    /// turned it off).
    pub async fn current_setup(&self, tenant_id: &TenantId) -> Result<OrgWide, OrgWideError> {
        self.setup(tenant_id).await?.ok_or(OrgWideError::Off)
    }

    /// Turns the grant on, or changes its rule. Sessions minted under an earlier rule act as
    /// whoever that rule chose, so they are forgotten.
    pub async fn turn_on(&self, setup: &OrgWideSetup<'_>) -> Result<OrgWide, OrgWideError> {
        if self.salesforce.jwt_key().is_none() {
            return Err(OrgWideError::NoKey);
        }
        let stored = storage::org_wide::upsert(&self.db, setup, storage::now()).await?;
        connections::delete_minted_for_tenant(&self.db, setup.tenant_id).await?;
        Ok(stored)
    }

    /// Back to each rep connecting; minted sessions are forgotten (reps' own connections stay).
    /// `false` when it was not on.
    pub async fn turn_off(&self, tenant_id: &TenantId) -> Result<bool, StorageError> {
        if !storage::org_wide::delete(&self.db, tenant_id).await? {
            return Ok(false);
        }
        connections::delete_minted_for_tenant(&self.db, tenant_id).await?;
        Ok(true)
    }

    /// Tries the grant for one rep: the Salesforce user it would act as.
    pub async fn check(
        &self,
        setup: &OrgWide,
        user: &users::User,
    ) -> Result<SalesforceUserId, OrgWideError> {
        let username = self.username_for(setup, user).await?;
        Ok(self.mint(setup, &username).await?.user_id)
    }

    /// Mints a session for `username` under the tenant's setup; a failure is recorded on the
    /// setup for the admin, success clears it.
    pub async fn mint(&self, setup: &OrgWide, username: &str) -> Result<Minted, OrgWideError> {
        let tenant_id = &setup.tenant_id;
        let result = self.mint_unrecorded(setup, username).await;
        let now = storage::now();
        let code = result.as_ref().err().map(OrgWideError::code);
        if code != setup.last_error_code.as_deref() {
            storage::org_wide::set_error(&self.db, tenant_id, code, now).await?;
        }
        if let Ok(minted) = &result {
            // An admin turned the grant on: it ties an untied tenant to the org it mints for
            // (a tenant tied elsewhere stays so).
            tenants::bind_salesforce_org(
                &self.db,
                tenant_id,
                &minted.org_id,
                Some(&setup.login_url),
                now,
            )
            .await?;
        }
        result
    }

    async fn mint_unrecorded(
        &self,
        setup: &OrgWide,
        username: &str,
    ) -> Result<Minted, OrgWideError> {
        let key = self.salesforce.jwt_key().ok_or(OrgWideError::NoKey)?;
        let oauth = self.salesforce.oauth().map_err(|_| OrgWideError::NoKey)?;
        let tokens = oauth
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
            user_id: SalesforceUserId::from(user_id),
            org_id: OrgId::from(org_id),
            access_token: tokens.access_token,
            instance_url: tokens.instance_url,
        })
    }

    /// The Salesforce username the rep acts as.
    pub async fn username_for(
        &self,
        setup: &OrgWide,
        user: &users::User,
    ) -> Result<String, OrgWideError> {
        let sign_in = user.email.as_deref().ok_or(OrgWideError::UserNotFound)?;
        let integration = match setup.user_match {
            UserMatch::Username => {
                return Ok(format!(
                    "{sign_in}{}",
                    setup.username_suffix.as_deref().unwrap_or_default()
                ));
            }
            UserMatch::Email => {
                setup
                    .integration_username
                    .as_deref()
                    .ok_or(OrgWideError::Refused(
                        "no integration user to look reps up as".into(),
                    ))?
            }
        };
        let lookup = self.mint(setup, integration).await?;
        let rest = self.salesforce.rest(&lookup.instance_url, &lookup.org_id);
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
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserRow {
    username: String,
}
