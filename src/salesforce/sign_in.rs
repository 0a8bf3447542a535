//! A rep connecting their own Salesforce user from the Office dialog, which cannot send our
//! bearer token: the pane asks for a short-lived single-use ticket; the dialog spends it to
//! start the OAuth web server flow (PKCE S256, a nonce bound to the dialog's browser); the
//! callback spends the OAuth state, checks the browser, exchanges the code, reads userinfo and
//! stores the connection. Tickets and states are kept as hashes only, so any instance can
//! finish a sign-in another one started. Disconnecting revokes the token at Salesforce.

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret as _;

use super::NotConfigured;
use super::error::SalesforceError;
use super::login_host::{self, LoginHostError};
use super::session::{ConnectedAs, SessionError, Sessions};
use crate::connections::StoreError;
use crate::ids::{OrgId, SalesforceUserId, UserId};
use crate::secrets::{self, Sealer, SecretsError, fingerprint};
use crate::storage::connections::Provider;
use crate::storage::salesforce_logins::{self, LoginKind, NewLogin};
use crate::storage::{self, Db, StorageError, tenants, users};

pub const TICKET_LIFETIME: Duration = Duration::from_secs(120);
/// How long the dialog has from opening the login page to coming back.
pub const STATE_LIFETIME: Duration = Duration::from_secs(600);

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    NotConfigured(#[from] NotConfigured),
    #[error(transparent)]
    LoginHost(#[from] LoginHostError),
    #[error("the authorize URL could not be encoded")]
    Encode(#[source] serde_urlencoded::ser::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    #[error(transparent)]
    Session(#[from] SessionError),
}

impl From<StoreError> for SignInError {
    fn from(error: StoreError) -> Self {
        Self::Session(error.into())
    }
}

/// Why a sign-in did not connect, as the dialog's page tells the task pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The ticket is unknown, spent or expired.
    TicketInvalid,
    /// The OAuth state is unknown, spent or expired.
    StateInvalid,
    /// The callback reached a browser that did not start the sign-in.
    StateMismatch,
    /// The rep chose "Deny".
    Denied,
    /// Salesforce reported another error on the redirect.
    ProviderError,
    /// The code exchange or userinfo failed.
    ExchangeFailed,
    /// The rep signed in to another org than the tenant's.
    OrgMismatch,
    /// The tenant has no Salesforce org yet, and only an admin may choose it.
    OrgNotBound,
}

impl Failure {
    pub fn code(self) -> &'static str {
        match self {
            Self::TicketInvalid => "ticket_invalid",
            Self::StateInvalid => "state_invalid",
            Self::StateMismatch => "state_mismatch",
            Self::Denied => "salesforce_denied",
            Self::ProviderError => "salesforce_error",
            Self::ExchangeFailed => "salesforce_exchange_failed",
            Self::OrgMismatch => "org_mismatch",
            Self::OrgNotBound => "org_not_bound",
        }
    }
}

/// A ticket for the dialog.
pub struct Ticket {
    pub value: String,
    pub expires_in: Duration,
}

/// A started sign-in: where to send the browser, and the nonce its cookie must carry back.
pub struct Started {
    pub authorize_url: String,
    pub browser_nonce: String,
}

/// What Salesforce's redirect brought back.
pub struct Callback<'a> {
    pub state: Option<&'a str>,
    pub code: Option<&'a str>,
    pub error: Option<&'a str>,
    /// The nonce from the cookie of the browser the callback reached.
    pub browser_nonce: Option<&'a str>,
}

/// Sign-ins and disconnections. Cheap to clone.
#[derive(Clone)]
pub struct SignIn {
    sessions: Sessions,
    db: Db,
    sealer: Arc<Sealer>,
}

impl SignIn {
    pub fn new(sessions: Sessions, db: Db, sealer: Arc<Sealer>) -> Self {
        Self {
            sessions,
            db,
            sealer,
        }
    }

    /// A ticket for `user` to sign in at `login` (`production` when none: see
    /// [`login_host::resolve`]). With `binds_org` (an admin), the sign-in may tie a tenant
    /// that has no Salesforce org yet to the org it reaches; a rep's never does.
    pub async fn ticket(
        &self,
        user: &users::User,
        login: Option<&str>,
        binds_org: bool,
    ) -> Result<Ticket, SignInError> {
        let salesforce = self.sessions.salesforce();
        salesforce.oauth()?;
        let login_url = login_host::resolve(salesforce.settings(), login)?;
        let ticket = secrets::random_token()?;
        let now = storage::now();
        // Abandoned sign-ins are forgotten as new ones begin.
        salesforce_logins::purge_expired(&self.db, now).await?;
        let login = NewLogin {
            kind: LoginKind::Ticket,
            secret_hash: &fingerprint(&ticket),
            user_id: &user.id,
            login_url: &login_url,
            verifier_sealed: None,
            browser_hash: None,
            binds_org,
            expires_at: now + TICKET_LIFETIME,
        };
        salesforce_logins::insert(&self.db, &login).await?;
        Ok(Ticket {
            value: ticket,
            expires_in: TICKET_LIFETIME,
        })
    }

    /// Spends a ticket and starts the OAuth flow, Salesforce sending the browser back to
    /// `redirect_uri`.
    pub async fn start(
        &self,
        ticket: Option<&str>,
        redirect_uri: &str,
    ) -> Result<Result<Started, Failure>, SignInError> {
        let salesforce = self.sessions.salesforce();
        let oauth = salesforce.oauth()?;
        let now = storage::now();
        let Some(ticket) = ticket else {
            return Ok(Err(Failure::TicketInvalid));
        };
        let Some(login) =
            salesforce_logins::spend(&self.db, LoginKind::Ticket, &fingerprint(ticket), now)
                .await?
        else {
            return Ok(Err(Failure::TicketInvalid));
        };
        let oauth_state = secrets::random_token()?;
        let verifier = secrets::random_token()?;
        let browser_nonce = secrets::random_token()?;
        let step = NewLogin {
            kind: LoginKind::State,
            secret_hash: &fingerprint(&oauth_state),
            user_id: &login.user_id,
            login_url: &login.login_url,
            verifier_sealed: Some(&self.sealer.seal(&verifier)?),
            browser_hash: Some(&fingerprint(&browser_nonce)),
            binds_org: login.binds_org,
            expires_at: now + STATE_LIFETIME,
        };
        salesforce_logins::insert(&self.db, &step).await?;
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", oauth.consumer_key),
            ("redirect_uri", redirect_uri),
            ("scope", &salesforce.settings().scopes),
            ("state", &oauth_state),
            ("code_challenge", &fingerprint(&verifier)),
            ("code_challenge_method", "S256"),
        ])
        .map_err(SignInError::Encode)?;
        Ok(Ok(Started {
            authorize_url: format!("{}/services/oauth2/authorize?{query}", login.login_url),
            browser_nonce,
        }))
    }

    /// Ends a sign-in: the rep whose connection was stored, or why there is none.
    pub async fn finish(
        &self,
        callback: &Callback<'_>,
        redirect_uri: &str,
    ) -> Result<Result<UserId, Failure>, SignInError> {
        let oauth = self.sessions.salesforce().oauth()?;
        let now = storage::now();
        let Some(oauth_state) = callback.state else {
            return Ok(Err(Failure::StateInvalid));
        };
        let Some(login) =
            salesforce_logins::spend(&self.db, LoginKind::State, &fingerprint(oauth_state), now)
                .await?
        else {
            return Ok(Err(Failure::StateInvalid));
        };
        let browser = callback.browser_nonce.map(fingerprint);
        if browser.is_none() || browser != login.browser_hash {
            tracing::warn!("Salesforce callback from a browser that did not start the sign-in");
            return Ok(Err(Failure::StateMismatch));
        }
        if let Some(error) = callback.error {
            return Ok(Err(if error == "access_denied" {
                Failure::Denied
            } else {
                Failure::ProviderError
            }));
        }
        let (Some(code), Some(verifier)) = (callback.code, login.verifier_sealed.as_deref()) else {
            return Ok(Err(Failure::ProviderError));
        };
        let verifier = self.sealer.open(verifier)?;
        let exchanged = async {
            let tokens = oauth
                .exchange_code(
                    &login.login_url,
                    code,
                    redirect_uri,
                    verifier.expose_secret(),
                )
                .await
                .inspect_err(
                    |error| tracing::warn!(error = %error, "Salesforce code exchange failed"),
                )?;
            let info = oauth
                .userinfo(&tokens.instance_url, &tokens.access_token)
                .await
                .inspect_err(
                    |error| tracing::warn!(error = %error, "Salesforce userinfo failed"),
                )?;
            Ok::<_, SalesforceError>((tokens, info))
        }
        .await;
        let Ok((tokens, info)) = exchanged else {
            return Ok(Err(Failure::ExchangeFailed));
        };
        let user = users::find(&self.db, &login.user_id)
            .await?
            .ok_or(StorageError::NotFound)?;
        let tenant = tenants::find(&self.db, &user.tenant_id)
            .await?
            .ok_or(StorageError::NotFound)?;
        let org_id = OrgId::from(info.organization_id);
        match &tenant.salesforce_org_id {
            Some(org) if !org.as_str().eq_ignore_ascii_case(org_id.as_str()) => {
                refuse(&oauth, &tokens).await;
                return Ok(Err(Failure::OrgMismatch));
            }
            Some(_) => {}
            None if login.binds_org => {
                let login_url = Some(login.login_url.as_str());
                if !tenants::bind_salesforce_org(&self.db, &tenant.id, &org_id, login_url, now)
                    .await?
                {
                    // Another admin tied the tenant to another org a moment ago.
                    refuse(&oauth, &tokens).await;
                    return Ok(Err(Failure::OrgMismatch));
                }
            }
            None => {
                // Only an admin decides which org the tenant uses.
                refuse(&oauth, &tokens).await;
                return Ok(Err(Failure::OrgNotBound));
            }
        }
        let connected = ConnectedAs {
            instance_url: &tokens.instance_url,
            org_id: &org_id,
            salesforce_user_id: &SalesforceUserId::from(info.user_id),
            username: info.preferred_username.as_deref(),
            access_token: &tokens.access_token,
            refresh_token: tokens.refresh_token.as_ref(),
        };
        self.sessions.remember(&user.id, &connected).await?;
        Ok(Ok(user.id))
    }

    /// Revokes the rep's token at Salesforce (a refresh token ends the sessions it minted) and
    /// forgets the connection; `false` when there was none.
    pub async fn disconnect(&self, user: &users::User) -> Result<bool, SignInError> {
        let oauth = self.sessions.salesforce().oauth()?;
        let Some(stored) = self
            .sessions
            .connections()
            .find(&user.id, Provider::Salesforce)
            .await?
        else {
            return Ok(false);
        };
        let token = match stored.refresh_token() {
            Ok(Some(token)) => Ok(Some(token)),
            Ok(None) => stored.access_token(),
            Err(error) => Err(error),
        };
        match (token, stored.row.instance_url.as_deref()) {
            (Ok(Some(token)), Some(instance)) => {
                if let Err(error) = oauth.revoke(instance, &token).await {
                    // Forgotten either way: a token Salesforce no longer knows is no loss.
                    tracing::warn!(error = %error, "revoking the Salesforce token failed");
                }
            }
            (Err(error), _) => {
                tracing::warn!(error = %error, "a sealed Salesforce token could not be opened")
            }
            _ => {}
        }
        self.sessions.forget(&user.id).await?;
        Ok(true)
    }
}

/// Revokes tokens a sign-in was given but will not keep. The refusal stands whatever Salesforce
/// answers (the tokens are stored nowhere); a failed revocation is logged, as the token then lives
/// on at Salesforce until it expires.
async fn refuse(oauth: &super::oauth::Client<'_>, tokens: &super::oauth::TokenResponse) {
    if let Err(error) = oauth
        .revoke(&tokens.instance_url, &tokens.access_token)
        .await
    {
        tracing::warn!(error = %error, "revoking a refused Salesforce sign-in's token failed");
    }
}
