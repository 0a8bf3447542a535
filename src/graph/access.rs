//! A Graph token for a rep's mailbox. Delegated: the stored access token while it lasts, then
//! the sealed refresh token (Entra hands a new one back each time, which replaces the old),
//! then on-behalf-of the rep's own token when they are in the task pane. A refused refresh
//! marks the grant "reconnect needed" until the rep is back. Application: one client-credentials
//! token per tenant, cached until shortly before it expires.

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use super::Graph;
use super::error::GraphError;
use super::tokens::{TokenClient, Tokens};
use crate::connections::Established;
use crate::ids::EntraTenantId;
use crate::storage::connections::Provider;
use crate::storage::tenants::{GraphAccessMode, Tenant};
use crate::storage::users::User;

/// A token is renewed this long before it expires, so that a call never starts with one that
/// dies in flight.
const MARGIN: chrono::Duration = chrono::Duration::minutes(5);

/// A token and the mailbox path it reaches the rep's mailbox by.
pub struct MailboxToken {
    pub token: SecretString,
    /// `me` (delegated) or `users/{object id}` (application).
    pub mailbox: String,
    pub mode: GraphAccessMode,
    /// The mailbox's owner (their Entra object id), whichever path reaches it.
    pub owner: String,
}

impl Graph {
    fn token_client(&self) -> Result<TokenClient<'_>, GraphError> {
        let client_id = self.client_id.as_deref().ok_or(GraphError::NotConfigured)?;
        let credential = self.credential.as_ref().ok_or(GraphError::NotConfigured)?;
        Ok(TokenClient {
            http: &self.http,
            authority: &self.authority,
            client_id,
            credential,
        })
    }

    /// A token for `user`'s mailbox under the tenant's mode. `rep_token` is the rep's own token
    /// for our API when they are calling (it allows on-behalf-of); background work has none.
    pub async fn for_rep(
        &self,
        tenant: &Tenant,
        user: &User,
        rep_token: Option<&SecretString>,
    ) -> Result<MailboxToken, GraphError> {
        match tenant.graph_access_mode {
            GraphAccessMode::Application => Ok(MailboxToken {
                token: self.application(&tenant.entra_tenant_id).await?,
                mailbox: format!("users/{}", user.entra_object_id),
                mode: GraphAccessMode::Application,
                owner: user.entra_object_id.to_string(),
            }),
            GraphAccessMode::Delegated => Ok(MailboxToken {
                token: self.delegated(tenant, user, rep_token).await?,
                mailbox: "me".into(),
                mode: GraphAccessMode::Delegated,
                owner: user.entra_object_id.to_string(),
            }),
        }
    }

    /// The tenant's application token.
    pub async fn application(
        &self,
        entra_tenant_id: &EntraTenantId,
    ) -> Result<SecretString, GraphError> {
        // One fetch at a time per tenant: callers at once share it.
        let turn = self
            .delegated_turns
            .get_with(format!("app/{entra_tenant_id}"), async {
                Default::default()
            })
            .await;
        let _turn = turn.lock().await;
        let now = Utc::now();
        if let Some((token, expires_at)) = self.app_tokens.get(entra_tenant_id.as_str()).await
            && expires_at - MARGIN > now
        {
            return Ok(token);
        }
        let tokens = self
            .token_client()?
            .client_credentials(entra_tenant_id.as_str())
            .await?;
        let expires_at = now + chrono::Duration::seconds(tokens.expires_in);
        self.app_tokens
            .insert(
                entra_tenant_id.to_string(),
                (tokens.access_token.clone(), expires_at),
            )
            .await;
        Ok(tokens.access_token)
    }

    async fn delegated(
        &self,
        tenant: &Tenant,
        user: &User,
        rep_token: Option<&SecretString>,
    ) -> Result<SecretString, GraphError> {
        let turn = self
            .delegated_turns
            .get_with(user.id.to_string(), async { Default::default() })
            .await;
        let _turn = turn.lock().await;
        let now = Utc::now();
        let scopes = &self.settings.delegated_scopes;
        let entra_tenant = tenant.entra_tenant_id.as_str();
        let stored = self.connections.find(&user.id, Provider::Graph).await?;
        if let Some(stored) = stored.as_ref().filter(|s| s.is_connected()) {
            if let Some(expires_at) = stored.row.access_expires_at
                && expires_at - MARGIN > now
                && let Some(access) = stored.access_token()?
            {
                return Ok(access);
            }
            if let Some(refresh) = stored.refresh_token()? {
                match self
                    .token_client()?
                    .refresh(entra_tenant, &refresh, scopes)
                    .await
                {
                    Ok(tokens) => {
                        self.connections
                            .renewed(
                                &user.id,
                                Provider::Graph,
                                &tokens.access_token,
                                tokens.refresh_token.as_ref(),
                                Some(expiry(now, &tokens)),
                            )
                            .await?;
                        return Ok(tokens.access_token);
                    }
                    Err(GraphError::InvalidGrant { aadsts }) => {
                        tracing::info!(user = %user.id, aadsts, "Entra refused the Graph refresh token; reconnect needed");
                        self.pane_grants.invalidate(user.id.as_str()).await;
                        self.connections
                            .mark_reconnect_needed(
                                &user.id,
                                Provider::Graph,
                                &format!("AADSTS{aadsts}"),
                            )
                            .await?;
                    }
                    Err(other) => return Err(other),
                }
            }
        }
        let Some(rep_token) = rep_token else {
            return Err(if stored.is_some() {
                GraphError::ReconnectNeeded
            } else {
                GraphError::NotConnected
            });
        };
        let tokens = self
            .token_client()?
            .on_behalf_of(entra_tenant, rep_token, scopes)
            .await?;
        self.connections
            .establish(&Established {
                user_id: &user.id,
                provider: Provider::Graph,
                instance_url: None,
                external_user_id: Some(user.entra_object_id.as_str()),
                external_org_id: Some(entra_tenant),
                external_username: None,
                access_token: &tokens.access_token,
                refresh_token: tokens.refresh_token.as_ref(),
                access_expires_at: Some(expiry(now, &tokens)),
            })
            .await?;
        Ok(tokens.access_token)
    }
}

impl Graph {
    /// Whether the pane call of `user` with the token of fingerprint `token` has seen to their
    /// grant already.
    pub async fn pane_grant_seen(&self, user: &User, token: &str) -> bool {
        self.pane_grants.get(user.id.as_str()).await.as_deref() == Some(token)
    }

    /// The pane call with the token of fingerprint `token` saw to `user`'s grant (or met what
    /// only another token can mend).
    pub async fn remember_pane_grant(&self, user: &User, token: &str) {
        self.pane_grants
            .insert(user.id.to_string(), token.to_string())
            .await;
    }
}

fn expiry(now: DateTime<Utc>, tokens: &Tokens) -> DateTime<Utc> {
    now + chrono::Duration::seconds(tokens.expires_in)
}
