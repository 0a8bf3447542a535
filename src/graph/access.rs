//! A Graph token for a rep's mailbox. Delegated: the stored access token while it lasts, then
//! the sealed refresh token (Entra hands a new one back each time, which replaces the old),
//! then on-behalf-of the rep's own token when they are in the task pane. A refused refresh
//! marks the grant "reconnect needed" until the rep is back. Application: one client-credentials
//! token per tenant, cached until shortly before it expires.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret as _, SecretString};

use super::GraphError;
use super::tokens::{TokenClient, Tokens};
use crate::state::AppState;
use crate::storage::connections::{self, ConnectionStatus, NewConnection, Provider};
use crate::storage::tenants::{GraphAccessMode, Tenant};
use crate::storage::{self, users::User};

/// A token is renewed this long before it expires, so that a call never starts with one that
/// dies in flight.
const MARGIN: chrono::Duration = chrono::Duration::minutes(5);

/// A token and the mailbox path it reaches the rep's mailbox by.
pub struct MailboxToken {
    pub token: SecretString,
    /// `me` (delegated) or `users/{object id}` (application).
    pub mailbox: String,
    pub mode: GraphAccessMode,
}

pub fn mode_of(tenant: &Tenant) -> GraphAccessMode {
    if tenant.graph_access_mode == GraphAccessMode::Application.as_str() {
        GraphAccessMode::Application
    } else {
        GraphAccessMode::Delegated
    }
}

fn token_client(state: &AppState) -> Result<TokenClient<'_>, GraphError> {
    let client_id = state
        .settings
        .entra
        .client_id
        .as_deref()
        .ok_or(GraphError::NotConfigured)?;
    let credential = state
        .graph
        .credential
        .as_ref()
        .ok_or(GraphError::NotConfigured)?;
    Ok(TokenClient {
        http: &state.http,
        authority: &state.settings.entra.authority,
        client_id,
        credential,
    })
}

/// A token for `user`'s mailbox under the tenant's mode. `rep_token` is the rep's own token
/// for our API when they are calling (it allows on-behalf-of); background work has none.
pub async fn for_rep(
    state: &AppState,
    tenant: &Tenant,
    user: &User,
    rep_token: Option<&SecretString>,
) -> Result<MailboxToken, GraphError> {
    match mode_of(tenant) {
        GraphAccessMode::Application => Ok(MailboxToken {
            token: application(state, &tenant.entra_tenant_id).await?,
            mailbox: format!("users/{}", user.entra_object_id),
            mode: GraphAccessMode::Application,
        }),
        GraphAccessMode::Delegated => Ok(MailboxToken {
            token: delegated(state, tenant, user, rep_token).await?,
            mailbox: "me".into(),
            mode: GraphAccessMode::Delegated,
        }),
    }
}

/// The tenant's application token.
pub async fn application(
    state: &AppState,
    entra_tenant_id: &str,
) -> Result<SecretString, GraphError> {
    let now = Utc::now();
    if let Some((token, expires_at)) = state.graph.app_tokens.get(entra_tenant_id).await
        && expires_at - MARGIN > now
    {
        return Ok(token);
    }
    let tokens = token_client(state)?
        .client_credentials(entra_tenant_id)
        .await?;
    let expires_at = now + chrono::Duration::seconds(tokens.expires_in);
    state
        .graph
        .app_tokens
        .insert(
            entra_tenant_id.to_string(),
            (tokens.access_token.clone(), expires_at),
        )
        .await;
    Ok(tokens.access_token)
}

async fn delegated(
    state: &AppState,
    tenant: &Tenant,
    user: &User,
    rep_token: Option<&SecretString>,
) -> Result<SecretString, GraphError> {
    let now = Utc::now();
    let scopes = &state.settings.graph.delegated_scopes;
    let stored = connections::find(&state.db, &user.id, Provider::Graph).await?;
    if let Some(connection) = &stored
        && connection.status == ConnectionStatus::Connected.as_str()
    {
        if let (Some(sealed), Some(expires_at)) = (
            &connection.access_token_sealed,
            connection.access_expires_at,
        ) && expires_at - MARGIN > now
        {
            return Ok(state.sealer.open(sealed)?);
        }
        if let Some(sealed) = &connection.refresh_token_sealed {
            let refresh = state.sealer.open(sealed)?;
            match token_client(state)?
                .refresh(&tenant.entra_tenant_id, &refresh, scopes)
                .await
            {
                Ok(tokens) => return store_refreshed(state, user, tokens, now).await,
                Err(GraphError::InvalidGrant { aadsts }) => {
                    tracing::info!(user = %user.id, aadsts, "Entra refused the Graph refresh token; reconnect needed");
                    connections::set_status(
                        &state.db,
                        &user.id,
                        Provider::Graph,
                        ConnectionStatus::ReconnectNeeded,
                        Some(&format!("AADSTS{aadsts}")),
                        storage::now(),
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
    let tokens = token_client(state)?
        .on_behalf_of(&tenant.entra_tenant_id, rep_token, scopes)
        .await?;
    let access = state.sealer.seal(tokens.access_token.expose_secret())?;
    let refresh = tokens
        .refresh_token
        .as_ref()
        .map(|t| state.sealer.seal(t.expose_secret()))
        .transpose()?;
    let connection = NewConnection {
        user_id: &user.id,
        provider: Provider::Graph,
        instance_url: None,
        external_user_id: Some(&user.entra_object_id),
        external_org_id: Some(&tenant.entra_tenant_id),
        external_username: None,
        access_token_sealed: Some(&access),
        refresh_token_sealed: refresh.as_deref(),
        access_expires_at: Some(expiry(now, &tokens)),
    };
    connections::upsert(&state.db, &connection, storage::now()).await?;
    Ok(tokens.access_token)
}

fn expiry(now: DateTime<Utc>, tokens: &Tokens) -> DateTime<Utc> {
    now + chrono::Duration::seconds(tokens.expires_in)
}

async fn store_refreshed(
    state: &AppState,
    user: &User,
    tokens: Tokens,
    now: DateTime<Utc>,
) -> Result<SecretString, GraphError> {
    let access = state.sealer.seal(tokens.access_token.expose_secret())?;
    let rotated = tokens
        .refresh_token
        .as_ref()
        .map(|t| state.sealer.seal(t.expose_secret()))
        .transpose()?;
    connections::set_tokens(
        &state.db,
        &user.id,
        Provider::Graph,
        &access,
        rotated.as_deref(),
        Some(expiry(now, &tokens)),
        storage::now(),
    )
    .await?;
    Ok(tokens.access_token)
}
