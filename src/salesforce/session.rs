//! A rep's way into their Salesforce org, whichever way the tenant connects: the rep's own
//! OAuth connection, or the org-wide JWT bearer grant acting as the matching Salesforce user.
//! A call that meets `INVALID_SESSION_ID` renews the session once and is tried again; a refused
//! refresh marks the connection "reconnect needed", so nothing retries a dead grant.

use reqwest::Method;
use secrecy::{ExposeSecret as _, SecretString};
use serde::de::DeserializeOwned;

use super::org_wide::{self, OrgWideError};
use super::rest::{Page, Reply, Rest, query_path};
use super::{Client, SalesforceError};
use crate::secrets::SecretsError;
use crate::state::AppState;
use crate::storage::connections::{self, ConnectionStatus, NewConnection, Provider};
use crate::storage::{self, StorageError, users};

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("this server has no Salesforce connected app")]
    NotConfigured,
    #[error("the rep has not connected Salesforce")]
    NotConnected,
    #[error("the rep's Salesforce connection must be made again")]
    ReconnectNeeded,
    #[error(transparent)]
    OrgWide(#[from] OrgWideError),
    #[error(transparent)]
    Salesforce(#[from] SalesforceError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Secrets(#[from] SecretsError),
}

/// How a session is renewed when its access token dies.
enum Renewal {
    /// The rep's refresh token, and the sealed form it was read in (to notice a rotation by
    /// another worker).
    Refresh {
        token: SecretString,
        sealed: Vec<u8>,
    },
    /// The org-wide grant, minted again for the same Salesforce user.
    OrgWide { username: String },
    /// Nothing to renew with.
    None,
}

/// What a session needs from a stored connection that is connected and complete.
struct Live {
    instance_url: String,
    org_id: String,
    salesforce_user_id: String,
    access_sealed: Vec<u8>,
    refresh_sealed: Option<Vec<u8>>,
    username: Option<String>,
}

impl Live {
    fn of(connection: connections::Connection) -> Option<Self> {
        if connection.status != ConnectionStatus::Connected.as_str() {
            return None;
        }
        Some(Self {
            instance_url: connection.instance_url?,
            org_id: connection.external_org_id?,
            salesforce_user_id: connection.external_user_id?,
            access_sealed: connection.access_token_sealed?,
            refresh_sealed: connection.refresh_token_sealed,
            username: connection.external_username,
        })
    }
}

pub struct Session<'a> {
    state: &'a AppState,
    user: users::User,
    org_id: String,
    salesforce_user_id: String,
    instance_url: String,
    access: SecretString,
    renewal: Renewal,
}

pub(crate) fn client(state: &AppState) -> Result<Client<'_>, SessionError> {
    let settings = &state.settings.salesforce;
    match (&settings.consumer_key, &settings.consumer_secret) {
        (Some(key), Some(secret)) => Ok(Client {
            http: &state.http,
            consumer_key: key,
            consumer_secret: secret,
        }),
        _ => Err(SessionError::NotConfigured),
    }
}

impl<'a> Session<'a> {
    /// The session of `user`: org-wide when the tenant chose it, otherwise the rep's own
    /// connection.
    pub async fn open(state: &'a AppState, user: users::User) -> Result<Self, SessionError> {
        client(state)?;
        if let Some(setup) = storage::org_wide::find(&state.db, &user.tenant_id).await? {
            return Self::open_org_wide(state, user, &setup).await;
        }
        let connection = connections::find(&state.db, &user.id, Provider::Salesforce)
            .await?
            .ok_or(SessionError::NotConnected)?;
        if connection.status != ConnectionStatus::Connected.as_str() {
            return Err(SessionError::ReconnectNeeded);
        }
        let live = Live::of(connection).ok_or(SessionError::NotConnected)?;
        let renewal = match &live.refresh_sealed {
            Some(sealed) => Renewal::Refresh {
                token: state.sealer.open(sealed)?,
                sealed: sealed.clone(),
            },
            None => Renewal::None,
        };
        Self::resume(state, user, live, renewal)
    }

    async fn open_org_wide(
        state: &'a AppState,
        user: users::User,
        setup: &storage::org_wide::OrgWide,
    ) -> Result<Self, SessionError> {
        let stored = connections::find(&state.db, &user.id, Provider::Salesforce).await?;
        if let Some(live) = stored.and_then(Live::of)
            && let Some(username) = live.username.clone()
        {
            return Self::resume(state, user, live, Renewal::OrgWide { username });
        }
        let username = org_wide::username_for(state, setup, &user).await?;
        let minted = org_wide::mint(state, setup, &username).await?;
        store_minted(state, &user, &username, &minted).await?;
        Ok(Self {
            state,
            user,
            org_id: minted.org_id,
            salesforce_user_id: minted.user_id,
            instance_url: minted.instance_url,
            access: minted.access_token,
            renewal: Renewal::OrgWide { username },
        })
    }

    fn resume(
        state: &'a AppState,
        user: users::User,
        live: Live,
        renewal: Renewal,
    ) -> Result<Self, SessionError> {
        Ok(Self {
            access: state.sealer.open(&live.access_sealed)?,
            state,
            user,
            org_id: live.org_id,
            salesforce_user_id: live.salesforce_user_id,
            instance_url: live.instance_url,
            renewal,
        })
    }

    pub fn org_id(&self) -> &str {
        &self.org_id
    }

    /// The Salesforce user the session acts as.
    pub fn salesforce_user_id(&self) -> &str {
        &self.salesforce_user_id
    }

    pub fn is_org_wide(&self) -> bool {
        matches!(self.renewal, Renewal::OrgWide { .. })
    }

    fn rest(&self) -> Rest<'_> {
        Rest {
            http: &self.state.http,
            instance_url: &self.instance_url,
            api_version: &self.state.settings.salesforce.api_version,
            org_id: &self.org_id,
            limits: &self.state.salesforce.limits,
        }
    }

    /// One REST call; a dead session is renewed and the call tried once more.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, SessionError> {
        match self
            .rest()
            .send(&self.access, method.clone(), path, body)
            .await
        {
            Err(error) if error.is_invalid_session() => {
                self.renew().await?;
                Ok(self.rest().send(&self.access, method, path, body).await?)
            }
            other => Ok(other?),
        }
    }

    pub async fn get<T: DeserializeOwned>(&mut self, path: &str) -> Result<T, SessionError> {
        Ok(self.send(Method::GET, path, None).await?.json()?)
    }

    /// The first page of a SOQL query.
    pub async fn query<T: DeserializeOwned>(
        &mut self,
        soql: &str,
    ) -> Result<Page<T>, SessionError> {
        self.get(&query_path(soql)?).await
    }

    async fn renew(&mut self) -> Result<(), SessionError> {
        match std::mem::replace(&mut self.renewal, Renewal::None) {
            Renewal::Refresh { token, sealed } => self.refresh(token, sealed).await,
            Renewal::OrgWide { username } => {
                let setup = org_wide::setup_of(self.state, &self.user.tenant_id).await?;
                let minted = org_wide::mint(self.state, &setup, &username).await?;
                store_minted(self.state, &self.user, &username, &minted).await?;
                self.access = minted.access_token;
                self.instance_url = minted.instance_url;
                self.org_id = minted.org_id;
                self.salesforce_user_id = minted.user_id;
                self.renewal = Renewal::OrgWide { username };
                Ok(())
            }
            Renewal::None => {
                self.mark_reconnect_needed("no_refresh_token").await?;
                Err(SessionError::ReconnectNeeded)
            }
        }
    }

    async fn refresh(&mut self, token: SecretString, sealed: Vec<u8>) -> Result<(), SessionError> {
        let client = client(self.state)?;
        let tokens = match client.refresh(&self.instance_url, &token).await {
            Ok(tokens) => tokens,
            Err(error) if error.is_invalid_grant() => {
                // Another worker may have rotated the refresh token a moment ago: take theirs.
                if let Some(renewed) = self.renewed_elsewhere(&sealed).await? {
                    return self.adopt(renewed);
                }
                tracing::info!(user = %self.user.id, "Salesforce refused the refresh token; reconnect needed");
                self.mark_reconnect_needed("invalid_grant").await?;
                return Err(SessionError::ReconnectNeeded);
            }
            Err(error) => return Err(error.into()),
        };
        let access = self
            .state
            .sealer
            .seal(tokens.access_token.expose_secret())?;
        let rotated = tokens
            .refresh_token
            .as_ref()
            .map(|t| self.state.sealer.seal(t.expose_secret()))
            .transpose()?;
        connections::set_tokens(
            &self.state.db,
            &self.user.id,
            Provider::Salesforce,
            &access,
            rotated.as_deref(),
            None,
            storage::now(),
        )
        .await?;
        self.access = tokens.access_token;
        self.renewal = match (tokens.refresh_token, rotated) {
            (Some(token), Some(sealed)) => Renewal::Refresh { token, sealed },
            _ => Renewal::Refresh { token, sealed },
        };
        Ok(())
    }

    /// The stored connection, if its refresh token is no longer the one this session read.
    async fn renewed_elsewhere(
        &self,
        sealed: &[u8],
    ) -> Result<Option<connections::Connection>, SessionError> {
        let stored = connections::find(&self.state.db, &self.user.id, Provider::Salesforce).await?;
        Ok(stored.filter(|c| {
            c.status == ConnectionStatus::Connected.as_str()
                && c.refresh_token_sealed
                    .as_deref()
                    .is_some_and(|s| s != sealed)
        }))
    }

    fn adopt(&mut self, connection: connections::Connection) -> Result<(), SessionError> {
        let (Some(access), Some(sealed)) = (
            connection.access_token_sealed,
            connection.refresh_token_sealed,
        ) else {
            return Err(SessionError::ReconnectNeeded);
        };
        self.access = self.state.sealer.open(&access)?;
        self.renewal = Renewal::Refresh {
            token: self.state.sealer.open(&sealed)?,
            sealed,
        };
        Ok(())
    }

    async fn mark_reconnect_needed(&self, code: &str) -> Result<(), SessionError> {
        connections::set_status(
            &self.state.db,
            &self.user.id,
            Provider::Salesforce,
            ConnectionStatus::ReconnectNeeded,
            Some(code),
            storage::now(),
        )
        .await?;
        Ok(())
    }
}

/// An org-wide session just minted for `username`, stored (sealed) as the rep's connection.
async fn store_minted(
    state: &AppState,
    user: &users::User,
    username: &str,
    minted: &org_wide::Minted,
) -> Result<(), SessionError> {
    let access = state.sealer.seal(minted.access_token.expose_secret())?;
    let connection = NewConnection {
        user_id: &user.id,
        provider: Provider::Salesforce,
        instance_url: Some(&minted.instance_url),
        external_user_id: Some(&minted.user_id),
        external_org_id: Some(&minted.org_id),
        external_username: Some(username),
        access_token_sealed: Some(&access),
        refresh_token_sealed: None,
        access_expires_at: None,
    };
    let now = storage::now();
    connections::upsert(&state.db, &connection, now).await?;
    users::set_salesforce_user(&state.db, &user.id, Some(&minted.user_id), now).await?;
    Ok(())
}
