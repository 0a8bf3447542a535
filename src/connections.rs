//! The one place where a rep's connection tokens are sealed and opened: a sign-in or a mint
//! establishes a connection, a renewal stores the new tokens (a rotated refresh token in the
//! same statement as the access token, so the old one is never dropped first), a refused grant
//! marks it "reconnect needed". Salesforce sessions and Graph access both go through it, so no
//! token is ever written to the database unsealed.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret as _, SecretString};

use crate::ids::UserId;
use crate::secrets::{Sealer, SecretsError};
use crate::storage::connections::{self, Connection, ConnectionStatus, NewConnection, Provider};
use crate::storage::{self, Db, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Secrets(#[from] SecretsError),
}

/// What a sign-in (or an org-wide mint) established.
pub struct Established<'a> {
    pub user_id: &'a UserId,
    pub provider: Provider,
    pub instance_url: Option<&'a str>,
    pub external_user_id: Option<&'a str>,
    pub external_org_id: Option<&'a str>,
    pub external_username: Option<&'a str>,
    pub access_token: &'a SecretString,
    pub refresh_token: Option<&'a SecretString>,
    pub access_expires_at: Option<DateTime<Utc>>,
}

/// A stored connection, its tokens still sealed until asked for.
#[derive(Clone)]
pub struct Stored {
    pub row: Connection,
    sealer: Arc<Sealer>,
}

impl Stored {
    pub fn is_connected(&self) -> bool {
        self.row.status == ConnectionStatus::Connected
    }

    pub fn access_token(&self) -> Result<Option<SecretString>, SecretsError> {
        self.open(self.row.access_token_sealed.as_deref())
    }

    pub fn refresh_token(&self) -> Result<Option<SecretString>, SecretsError> {
        self.open(self.row.refresh_token_sealed.as_deref())
    }

    fn open(&self, sealed: Option<&[u8]>) -> Result<Option<SecretString>, SecretsError> {
        sealed.map(|sealed| self.sealer.open(sealed)).transpose()
    }
}

/// Seals, stores, opens and marks connections. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ConnectionStore {
    db: Db,
    sealer: Arc<Sealer>,
}

impl ConnectionStore {
    pub fn new(db: Db, sealer: Arc<Sealer>) -> Self {
        Self { db, sealer }
    }

    /// Stores a fresh connection, replacing the user's earlier one for the provider; it is
    /// `connected` with no error.
    pub async fn establish(&self, new: &Established<'_>) -> Result<(), StoreError> {
        let access = self.sealer.seal(new.access_token.expose_secret())?;
        let refresh = new
            .refresh_token
            .map(|token| self.sealer.seal(token.expose_secret()))
            .transpose()?;
        let row = NewConnection {
            user_id: new.user_id,
            provider: new.provider,
            instance_url: new.instance_url,
            external_user_id: new.external_user_id,
            external_org_id: new.external_org_id,
            external_username: new.external_username,
            access_token_sealed: Some(&access),
            refresh_token_sealed: refresh.as_deref(),
            access_expires_at: new.access_expires_at,
        };
        connections::upsert(&self.db, &row, storage::now()).await?;
        Ok(())
    }

    /// The user's connection to `provider`, if there is one.
    pub async fn find(
        &self,
        user_id: &UserId,
        provider: Provider,
    ) -> Result<Option<Stored>, StoreError> {
        let row = connections::find(&self.db, user_id, provider).await?;
        Ok(row.map(|row| Stored {
            row,
            sealer: Arc::clone(&self.sealer),
        }))
    }

    /// Stores renewed tokens. `rotated_refresh` replaces the refresh token when the provider
    /// handed out a new one; otherwise the stored one stays.
    pub async fn renewed(
        &self,
        user_id: &UserId,
        provider: Provider,
        access: &SecretString,
        rotated_refresh: Option<&SecretString>,
        access_expires_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let access = self.sealer.seal(access.expose_secret())?;
        let rotated = rotated_refresh
            .map(|token| self.sealer.seal(token.expose_secret()))
            .transpose()?;
        connections::set_tokens(
            &self.db,
            user_id,
            provider,
            &access,
            rotated.as_deref(),
            access_expires_at,
            storage::now(),
        )
        .await?;
        Ok(())
    }

    /// The grant was refused for good: only the rep (or an admin) can mend it. `code` says why,
    /// for the pane and the admin.
    pub async fn mark_reconnect_needed(
        &self,
        user_id: &UserId,
        provider: Provider,
        code: &str,
    ) -> Result<(), StoreError> {
        connections::set_status(
            &self.db,
            user_id,
            provider,
            ConnectionStatus::ReconnectNeeded,
            Some(code),
            storage::now(),
        )
        .await?;
        Ok(())
    }

    /// Forgets a connection and its tokens; whether there was one.
    pub async fn forget(&self, user_id: &UserId, provider: Provider) -> Result<bool, StoreError> {
        Ok(connections::delete(&self.db, user_id, provider).await?)
    }
}
