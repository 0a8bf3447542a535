//! Talking to Salesforce's OAuth endpoints: the code exchange (with PKCE), the token
//! response's signature, userinfo and revocation. Errors carry Salesforce's codes, never a token.

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum SalesforceError {
    /// An OAuth error body (`{"error","error_description"}`): `invalid_grant` and the like.
    #[error("Salesforce refused: {error}")]
    OAuth { error: String, description: String },
    #[error("Salesforce answered {0}")]
    Status(u16),
    #[error("the token response's signature does not match")]
    Signature,
    #[error("Salesforce could not be reached")]
    Transport(#[source] reqwest::Error),
}

/// The token response: no `expires_in`, `issued_at` in epoch milliseconds.
#[derive(Deserialize)]
pub struct TokenResponse {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub instance_url: String,
    pub id: String,
    pub issued_at: String,
    pub signature: String,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("instance_url", &self.instance_url)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
pub struct UserInfo {
    pub user_id: String,
    pub organization_id: String,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: String,
}

async fn refused(response: reqwest::Response) -> SalesforceError {
    let status = response.status().as_u16();
    match response.json::<OAuthError>().await {
        Ok(body) => SalesforceError::OAuth {
            error: body.error,
            description: body.error_description,
        },
        Err(_) => SalesforceError::Status(status),
    }
}

/// The connected app: who asks, and where the rep comes back.
pub struct Client<'a> {
    pub http: &'a reqwest::Client,
    pub consumer_key: &'a str,
    pub consumer_secret: &'a SecretString,
}

impl Client<'_> {
    /// Swaps an authorization code (and the PKCE verifier) for tokens at `login_url`.
    pub async fn exchange_code(
        &self,
        login_url: &str,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<TokenResponse, SalesforceError> {
        let response = self
            .http
            .post(format!("{login_url}/services/oauth2/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("client_id", self.consumer_key),
                ("client_secret", self.consumer_secret.expose_secret()),
                ("redirect_uri", redirect_uri),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .map_err(SalesforceError::Transport)?;
        if !response.status().is_success() {
            return Err(refused(response).await);
        }
        let tokens: TokenResponse = response.json().await.map_err(SalesforceError::Transport)?;
        self.check_signature(&tokens)?;
        Ok(tokens)
    }

    /// `signature` = base64(HMAC-SHA256(consumer secret, id + issued_at)): proof the response
    /// came from Salesforce for our app.
    fn check_signature(&self, tokens: &TokenResponse) -> Result<(), SalesforceError> {
        let key = hmac::Key::new(
            hmac::HMAC_SHA256,
            self.consumer_secret.expose_secret().as_bytes(),
        );
        let signature = STANDARD
            .decode(&tokens.signature)
            .map_err(|_| SalesforceError::Signature)?;
        hmac::verify(
            &key,
            format!("{}{}", tokens.id, tokens.issued_at).as_bytes(),
            &signature,
        )
        .map_err(|_| SalesforceError::Signature)
    }

    pub async fn userinfo(
        &self,
        instance_url: &str,
        access_token: &SecretString,
    ) -> Result<UserInfo, SalesforceError> {
        let response = self
            .http
            .get(format!("{instance_url}/services/oauth2/userinfo"))
            .bearer_auth(access_token.expose_secret())
            .send()
            .await
            .map_err(SalesforceError::Transport)?;
        if !response.status().is_success() {
            return Err(SalesforceError::Status(response.status().as_u16()));
        }
        response.json().await.map_err(SalesforceError::Transport)
    }

    /// Revokes a token (a refresh token also ends the sessions it minted).
    pub async fn revoke(
        &self,
        base_url: &str,
        token: &SecretString,
    ) -> Result<(), SalesforceError> {
        let response = self
            .http
            .post(format!("{base_url}/services/oauth2/revoke"))
            .form(&[("token", token.expose_secret())])
            .send()
            .await
            .map_err(SalesforceError::Transport)?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(refused(response).await)
        }
    }
}
