//! A rep's way into their Salesforce org, whichever way the tenant connects: the rep's own
//! OAuth connection, or the org-wide JWT bearer grant acting as the matching Salesforce user.
//! A call that meets `INVALID_SESSION_ID` renews the session once and is tried again; a refused
//! refresh marks the connection "reconnect needed", so nothing retries a dead grant.
//!
//! [`Sessions`] holds what opening one needs (the Salesforce runtime, the org-wide grant, the
//! connection store, the database), owned, so a session lives as long as a sync job needs it,
//! outside any request.

mod error;

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use secrecy::{ExposeSecret as _, SecretString};
use serde::de::DeserializeOwned;

use super::Salesforce;
use super::org_wide::{Minted, OrgWideGrant};
use super::rest::{Page, Reply, Rest, query_path};
use crate::connections::{ConnectionStore, Established, Stored};
use crate::ids::{OrgId, SalesforceUserId, TenantId, UserId};
use crate::storage::connections::Provider;
use crate::storage::fresh::{self, FreshCache};
use crate::storage::org_wide::OrgWide;
use crate::storage::{self, Db, users};
pub use error::SessionError;

/// Who a connection acts as in Salesforce, and its tokens: what a rep's sign-in or an org-wide
/// mint gives.
pub struct ConnectedAs<'a> {
    pub instance_url: &'a str,
    pub org_id: &'a OrgId,
    pub salesforce_user_id: &'a SalesforceUserId,
    pub username: Option<&'a str>,
    pub access_token: &'a SecretString,
    /// A rep's own connection has one; an org-wide session is minted again instead.
    pub refresh_token: Option<&'a SecretString>,
}

/// How long another instance's change to a rep's connection may go unseen here.
const INPUTS_TTL: Duration = Duration::from_secs(5);

/// What opening a rep's session reads: the tenant's org-wide setup and the rep's connection.
type Inputs = (Option<OrgWide>, Option<Stored>);

/// Opens reps' sessions. Cheap to clone.
#[derive(Clone)]
pub struct Sessions {
    salesforce: Arc<Salesforce>,
    org_wide: OrgWideGrant,
    connections: ConnectionStore,
    db: Db,
    /// Each rep's inputs, kept while nothing of them was written ([`storage::fresh`]).
    inputs: FreshCache<UserId, Inputs>,
}

impl Sessions {
    pub fn new(salesforce: Arc<Salesforce>, connections: ConnectionStore, db: Db) -> Self {
        Self {
            org_wide: OrgWideGrant::new(Arc::clone(&salesforce), db.clone()),
            salesforce,
            connections,
            db,
            inputs: FreshCache::new(INPUTS_TTL, 100_000),
        }
    }

    pub fn salesforce(&self) -> &Salesforce {
        &self.salesforce
    }

    pub fn org_wide(&self) -> &OrgWideGrant {
        &self.org_wide
    }

    pub fn connections(&self) -> &ConnectionStore {
        &self.connections
    }

    /// The session of `user`: org-wide when the tenant chose it, otherwise the rep's own
    /// connection.
    pub async fn open(&self, user: &users::User) -> Result<Session, SessionError> {
        self.salesforce.oauth()?;
        let (setup, stored) = self.inputs(user).await?;
        if let Some(setup) = setup {
            return self.open_org_wide(user, &setup, stored).await;
        }
        let stored = stored.ok_or(SessionError::NotConnected)?;
        if !stored.is_connected() {
            return Err(SessionError::ReconnectNeeded);
        }
        let renewal = match stored.refresh_token()? {
            Some(token) => Renewal::Refresh(token),
            None => Renewal::None,
        };
        self.resume(user, &stored, renewal)?
            .ok_or(SessionError::NotConnected)
    }

    /// The org-wide setup and the rep's connection, as last read unless written since.
    async fn inputs(&self, user: &users::User) -> Result<Inputs, SessionError> {
        let generation = fresh::generation();
        if let Some(inputs) = self.inputs.get(&user.id, generation).await {
            return Ok(inputs);
        }
        let setup = self.org_wide.setup(&user.tenant_id).await?;
        let stored = self
            .connections
            .find(&user.id, Provider::Salesforce)
            .await?;
        let inputs = (setup, stored);
        self.inputs
            .insert(user.id.clone(), generation, inputs.clone())
            .await;
        Ok(inputs)
    }

    async fn open_org_wide(
        &self,
        user: &users::User,
        setup: &OrgWide,
        stored: Option<Stored>,
    ) -> Result<Session, SessionError> {
        if let Some(stored) = stored
            && stored.is_connected()
            && let Some(username) = stored.row.external_username.clone()
            && let Some(session) = self.resume(user, &stored, Renewal::OrgWide { username })?
        {
            return Ok(session);
        }
        let username = self.org_wide.username_for(setup, user).await?;
        let minted = self.org_wide.mint(setup, &username).await?;
        self.remember_minted(&user.id, &username, &minted).await?;
        Ok(Session::minted(self.clone(), user, minted, username))
    }

    /// A session from a stored, connected and complete connection; `None` when a part is
    /// missing.
    fn resume(
        &self,
        user: &users::User,
        stored: &Stored,
        renewal: Renewal,
    ) -> Result<Option<Session>, SessionError> {
        let row = &stored.row;
        let (Some(instance_url), Some(org_id), Some(salesforce_user_id), Some(access)) = (
            row.instance_url.clone(),
            row.external_org_id.clone(),
            row.external_user_id.clone(),
            stored.access_token()?,
        ) else {
            return Ok(None);
        };
        Ok(Some(Session {
            sessions: self.clone(),
            user_id: user.id.clone(),
            tenant_id: user.tenant_id.clone(),
            org_id: OrgId::from(org_id),
            salesforce_user_id: SalesforceUserId::from(salesforce_user_id),
            instance_url,
            access,
            renewal,
        }))
    }

    /// Stores a connection as the rep's (sealed), and the Salesforce user it acts as.
    pub async fn remember(
        &self,
        user_id: &UserId,
        connected: &ConnectedAs<'_>,
    ) -> Result<(), SessionError> {
        self.connections
            .establish(&Established {
                user_id,
                provider: Provider::Salesforce,
                instance_url: Some(connected.instance_url),
                external_user_id: Some(connected.salesforce_user_id.as_str()),
                external_org_id: Some(connected.org_id.as_str()),
                external_username: connected.username,
                access_token: connected.access_token,
                refresh_token: connected.refresh_token,
                access_expires_at: None,
            })
            .await?;
        users::set_salesforce_user(
            &self.db,
            user_id,
            Some(connected.salesforce_user_id),
            storage::now(),
        )
        .await?;
        Ok(())
    }

    /// Forgets the rep's connection and the Salesforce user it acted as; whether there was
    /// one.
    pub async fn forget(&self, user_id: &UserId) -> Result<bool, SessionError> {
        let forgotten = self
            .connections
            .forget(user_id, Provider::Salesforce)
            .await?;
        users::set_salesforce_user(&self.db, user_id, None, storage::now()).await?;
        Ok(forgotten)
    }

    async fn remember_minted(
        &self,
        user_id: &UserId,
        username: &str,
        minted: &Minted,
    ) -> Result<(), SessionError> {
        let connected = ConnectedAs {
            instance_url: &minted.instance_url,
            org_id: &minted.org_id,
            salesforce_user_id: &minted.user_id,
            username: Some(username),
            access_token: &minted.access_token,
            refresh_token: None,
        };
        self.remember(user_id, &connected).await
    }
}

/// How a session is renewed when its access token dies.
enum Renewal {
    /// The rep's refresh token.
    Refresh(SecretString),
    /// The org-wide grant, minted again for the same Salesforce user.
    OrgWide { username: String },
    /// Nothing to renew with.
    None,
}

pub struct Session {
    sessions: Sessions,
    user_id: UserId,
    tenant_id: TenantId,
    org_id: OrgId,
    salesforce_user_id: SalesforceUserId,
    instance_url: String,
    access: SecretString,
    renewal: Renewal,
}

impl Session {
    fn minted(sessions: Sessions, user: &users::User, minted: Minted, username: String) -> Self {
        Self {
            sessions,
            user_id: user.id.clone(),
            tenant_id: user.tenant_id.clone(),
            org_id: minted.org_id,
            salesforce_user_id: minted.user_id,
            instance_url: minted.instance_url,
            access: minted.access_token,
            renewal: Renewal::OrgWide { username },
        }
    }

    pub fn org_id(&self) -> &OrgId {
        &self.org_id
    }

    pub fn salesforce(&self) -> &Salesforce {
        &self.sessions.salesforce
    }

    /// The Salesforce user the session acts as.
    pub fn salesforce_user_id(&self) -> &SalesforceUserId {
        &self.salesforce_user_id
    }

    pub fn is_org_wide(&self) -> bool {
        matches!(self.renewal, Renewal::OrgWide { .. })
    }

    fn rest(&self) -> Rest<'_> {
        self.sessions
            .salesforce
            .rest(&self.instance_url, &self.org_id)
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

    /// The full path of a resource below the versioned root, as Composite subrequests name it
    /// (`/services/data/v64.0/query?q=…`).
    pub fn data_path(&self, relative: &str) -> String {
        format!(
            "/services/data/v{}/{}",
            self.sessions.salesforce.settings().api_version,
            relative.trim_start_matches('/')
        )
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
            Renewal::Refresh(token) => self.refresh(token).await,
            Renewal::OrgWide { username } => {
                let org_wide = &self.sessions.org_wide;
                let setup = org_wide.current_setup(&self.tenant_id).await?;
                let minted = org_wide.mint(&setup, &username).await?;
                self.sessions
                    .remember_minted(&self.user_id, &username, &minted)
                    .await?;
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

    async fn refresh(&mut self, token: SecretString) -> Result<(), SessionError> {
        let oauth = self.sessions.salesforce.oauth()?;
        let tokens = match oauth.refresh(&self.instance_url, &token).await {
            Ok(tokens) => tokens,
            Err(error) if error.is_invalid_grant() => {
                // Another worker may have rotated the refresh token a moment ago: take theirs.
                if let Some((access, refresh)) = self.renewed_elsewhere(&token).await? {
                    self.access = access;
                    self.renewal = Renewal::Refresh(refresh);
                    return Ok(());
                }
                tracing::info!(user = %self.user_id, "Salesforce refused the refresh token; reconnect needed");
                self.mark_reconnect_needed("invalid_grant").await?;
                return Err(SessionError::ReconnectNeeded);
            }
            Err(error) => return Err(error.into()),
        };
        self.sessions
            .connections
            .renewed(
                &self.user_id,
                Provider::Salesforce,
                &tokens.access_token,
                tokens.refresh_token.as_ref(),
                None,
            )
            .await?;
        self.access = tokens.access_token;
        self.renewal = Renewal::Refresh(tokens.refresh_token.unwrap_or(token));
        Ok(())
    }

    /// The stored tokens, if the stored refresh token is no longer the one this session used.
    async fn renewed_elsewhere(
        &self,
        used: &SecretString,
    ) -> Result<Option<(SecretString, SecretString)>, SessionError> {
        let Some(stored) = self
            .sessions
            .connections
            .find(&self.user_id, Provider::Salesforce)
            .await?
        else {
            return Ok(None);
        };
        if !stored.is_connected() {
            return Ok(None);
        }
        match (stored.access_token()?, stored.refresh_token()?) {
            (Some(access), Some(refresh)) if refresh.expose_secret() != used.expose_secret() => {
                Ok(Some((access, refresh)))
            }
            _ => Ok(None),
        }
    }

    async fn mark_reconnect_needed(&self, code: &str) -> Result<(), SessionError> {
        self.sessions
            .connections
            .mark_reconnect_needed(&self.user_id, Provider::Salesforce, code)
            .await?;
        Ok(())
    }
}
