//! Salesforce's OAuth endpoints: the code exchange (with PKCE), refresh, the JWT bearer grant,
//! userinfo and revocation. Token responses are checked against their signature when they carry
//! one. Errors carry Salesforce's codes, never a token.

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};

use super::error::SalesforceError;

/// The token response: no `expires_in`, `issued_at` in epoch milliseconds.
#[derive(Deserialize)]
pub struct TokenResponse {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub instance_url: String,
    pub id: String,
    pub issued_at: Option<String>,
    /// Present on code and refresh responses; the JWT bearer response may lack it.
    pub signature: Option<String>,
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
    pub preferred_username: Option<String>,
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
        let tokens = self
            .token(
                login_url,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("client_id", self.consumer_key),
                    ("client_secret", self.consumer_secret.expose_secret()),
                    ("redirect_uri", redirect_uri),
                    ("code_verifier", verifier),
                ],
            )
            .await?;
        // The code flow's answer must be signed (`token` checks a signature when present).
        if tokens.signature.is_none() {
            return Err(SalesforceError::Signature);
        }
        Ok(tokens)
    }

    /// A new access token for a refresh token, at the connection's instance (which is also its
    /// My Domain). With rotation on, the response carries a new refresh token.
    pub async fn refresh(
        &self,
        instance_url: &str,
        refresh_token: &SecretString,
    ) -> Result<TokenResponse, SalesforceError> {
        self.token(
            instance_url,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose_secret()),
                ("client_id", self.consumer_key),
                ("client_secret", self.consumer_secret.expose_secret()),
            ],
        )
        .await
    }

    /// The JWT bearer grant: an access token for `username`, signed for with the connected
    /// app's private key. `audience` is the login host (production, sandbox or an Experience
    /// Cloud site; never My Domain), which is also where the assertion is posted.
    pub async fn jwt_bearer(
        &self,
        audience: &str,
        username: &str,
        private_key: &jsonwebtoken::EncodingKey,
    ) -> Result<TokenResponse, SalesforceError> {
        #[derive(Serialize)]
        struct Assertion<'a> {
            iss: &'a str,
            sub: &'a str,
            aud: &'a str,
            exp: i64,
        }
        let claims = Assertion {
            iss: self.consumer_key,
            sub: username,
            aud: audience,
            // Salesforce accepts at most three minutes; a little less absorbs clock skew.
            exp: chrono::Utc::now().timestamp() + 150,
        };
        let assertion = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
            &claims,
            private_key,
        )
        .map_err(|_| SalesforceError::Assertion)?;
        self.token(
            audience,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", &assertion),
            ],
        )
        .await
    }

    async fn token(
        &self,
        base_url: &str,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse, SalesforceError> {
        let response = self
            .http
            .post(format!("{base_url}/services/oauth2/token"))
            .form(form)
            .send()
            .await
            .map_err(SalesforceError::Transport)?;
        if !response.status().is_success() {
            return Err(refused(response).await);
        }
        let tokens: TokenResponse = response.json().await.map_err(SalesforceError::Transport)?;
        if tokens.signature.is_some() {
            self.check_signature(&tokens)?;
        }
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
            .decode(tokens.signature.as_deref().unwrap_or_default())
            .map_err(|_| SalesforceError::Signature)?;
        let issued_at = tokens.issued_at.as_deref().unwrap_or_default();
        hmac::verify(
            &key,
            format!("{}{issued_at}", tokens.id).as_bytes(),
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
