//! Entra's token endpoint (`{authority}/{tenant}/oauth2/v2.0/token`) for Graph: on-behalf-of
//! the rep (their token for our API as the assertion), refresh of the grant that gave, and
//! client credentials for application access. Errors keep Entra's code, its first AADSTS number
//! and, for Conditional Access, the `claims` challenge.

use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

use super::credential::Credential;
use super::error::GraphError;

const GRAPH_DEFAULT_SCOPE: &str = "https://graph.microsoft.com/.default";

#[derive(Deserialize)]
pub struct Tokens {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub expires_in: i64,
}

#[derive(Deserialize)]
struct EntraError {
    error: String,
    #[serde(default)]
    error_codes: Vec<u32>,
    suberror: Option<String>,
    claims: Option<String>,
}

pub struct TokenClient<'a> {
    pub http: &'a reqwest::Client,
    pub authority: &'a str,
    pub client_id: &'a str,
    pub credential: &'a Credential,
}

impl TokenClient<'_> {
    fn token_url(&self, tenant: &str) -> String {
        format!(
            "{}/{tenant}/oauth2/v2.0/token",
            self.authority.trim_end_matches('/')
        )
    }

    pub async fn on_behalf_of(
        &self,
        tenant: &str,
        assertion: &SecretString,
        scopes: &str,
    ) -> Result<Tokens, GraphError> {
        self.request(
            tenant,
            vec![
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:jwt-bearer".into(),
                ),
                ("assertion", assertion.expose_secret().to_string()),
                ("scope", scopes.to_string()),
                ("requested_token_use", "on_behalf_of".into()),
            ],
        )
        .await
    }

    pub async fn refresh(
        &self,
        tenant: &str,
        refresh_token: &SecretString,
        scopes: &str,
    ) -> Result<Tokens, GraphError> {
        self.request(
            tenant,
            vec![
                ("grant_type", "refresh_token".into()),
                ("refresh_token", refresh_token.expose_secret().to_string()),
                ("scope", scopes.to_string()),
            ],
        )
        .await
    }

    pub async fn client_credentials(&self, tenant: &str) -> Result<Tokens, GraphError> {
        self.request(
            tenant,
            vec![
                ("grant_type", "client_credentials".into()),
                ("scope", GRAPH_DEFAULT_SCOPE.into()),
            ],
        )
        .await
    }

    async fn request(
        &self,
        tenant: &str,
        mut form: Vec<(&'static str, String)>,
    ) -> Result<Tokens, GraphError> {
        let url = self.token_url(tenant);
        form.push(("client_id", self.client_id.to_string()));
        form.extend(
            self.credential
                .form_fields(self.client_id, &url)
                .map_err(GraphError::Credential)?,
        );
        let response = self
            .http
            .post(&url)
            .form(&form)
            .send()
            .await
            .map_err(GraphError::Transport)?;
        let status = response.status();
        if status.is_success() {
            return response.json().await.map_err(GraphError::Transport);
        }
        let Ok(body) = response.json::<EntraError>().await else {
            return Err(GraphError::Status(status.as_u16()));
        };
        let aadsts = body.error_codes.first().copied().unwrap_or_default();
        // Entra busy or failing (a 5xx, `temporarily_unavailable`, `server_error`) is passing:
        // retried later, never taken for a refusal that someone must mend.
        if status.is_server_error()
            || matches!(
                body.error.as_str(),
                "temporarily_unavailable" | "server_error"
            )
        {
            return Err(GraphError::Status(status.as_u16()));
        }
        Err(match (body.error.as_str(), body.suberror.as_deref()) {
            ("interaction_required", _) => GraphError::InteractionRequired {
                claims: body.claims.unwrap_or_default(),
            },
            (_, Some("consent_required")) | ("consent_required", _) => GraphError::ConsentRequired,
            _ if aadsts == 65_001 => GraphError::ConsentRequired,
            ("invalid_grant", _) => GraphError::InvalidGrant { aadsts },
            (error, _) => GraphError::Refused {
                error: error.to_string(),
                aadsts,
            },
        })
    }
}
