//! The Entra emulator's switches: users, redirect URIs, on-behalf-of and Conditional Access
//! failures, key rotation and revoked refresh tokens.

use serde::Deserialize;

use crate::Sandbox;
use crate::entra::{DirectoryUser, KeysOutage, OboFailure, RedirectKind};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntraSwitches {
    #[serde(default)]
    pub users: Vec<UserSpec>,
    #[serde(default)]
    pub redirect_uris: Vec<RedirectUri>,
    /// On-behalf-of and Conditional Access failures, per user; `failure: null` clears one.
    #[serde(default)]
    pub obo_failures: Vec<OboFailureSpec>,
    #[serde(default)]
    pub rotate_keys: bool,
    /// `hang` or `fail` makes the key endpoints do so; `none` ends the outage.
    pub keys_outage: Option<String>,
    #[serde(default)]
    pub revoke_refresh_tokens_of: Vec<String>,
    /// How long a refresh token may go unused before Entra refuses it (AADSTS700082); 90 days
    /// unless set.
    pub refresh_token_inactivity_seconds: Option<u64>,
    /// Faults for the next calls to the token endpoint, in order; `[]` clears them.
    pub token_faults: Option<Vec<TokenFaultSpec>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TokenFaultSpec {
    TemporarilyUnavailable,
    ServerError,
    Latency { ms: u64 },
}

impl From<&TokenFaultSpec> for crate::entra::TokenFault {
    fn from(spec: &TokenFaultSpec) -> Self {
        match spec {
            TokenFaultSpec::TemporarilyUnavailable => Self::TemporarilyUnavailable,
            TokenFaultSpec::ServerError => Self::ServerError,
            TokenFaultSpec::Latency { ms } => Self::Latency(std::time::Duration::from_millis(*ms)),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    pub tenant_id: String,
    pub object_id: String,
    pub username: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedirectUri {
    pub client_id: String,
    pub uri: String,
    /// `web`, `spa` or `public`.
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OboFailureSpec {
    pub object_id: String,
    /// `interaction_required` (Conditional Access: MFA, with `claims`), `consent_required`,
    /// or null to clear.
    pub failure: Option<String>,
    pub claims: Option<String>,
}

impl EntraSwitches {
    pub(super) fn apply(&self, sandbox: &Sandbox) -> anyhow::Result<()> {
        let entra = &sandbox.entra;
        if let Some(faults) = &self.token_faults {
            entra.script_token_faults(faults.iter().map(Into::into).collect());
        }
        if let Some(seconds) = self.refresh_token_inactivity_seconds {
            entra.set_refresh_inactivity(std::time::Duration::from_secs(seconds));
        }
        for user in &self.users {
            entra.add_user(DirectoryUser {
                tenant_id: user.tenant_id.clone(),
                object_id: user.object_id.clone(),
                username: user.username.clone(),
                name: user.name.clone(),
            });
        }
        for redirect in &self.redirect_uris {
            let kind = match redirect.kind.as_str() {
                "web" => RedirectKind::Web,
                "spa" => RedirectKind::Spa,
                "public" => RedirectKind::Public,
                other => anyhow::bail!("unknown redirect URI kind {other} (web, spa or public)"),
            };
            entra.add_redirect_uri(&redirect.client_id, &redirect.uri, kind);
        }
        for spec in &self.obo_failures {
            let failure = match spec.failure.as_deref() {
                None => None,
                Some("interaction_required") => Some(OboFailure::InteractionRequired {
                    claims: spec.claims.clone().unwrap_or_else(|| {
                        r#"{"access_token":{"capolids":{"essential":true,"values":["00000000-0000-0000-0000-000000000001"]}}}"#.into()
                    }),
                }),
                Some("consent_required") => Some(OboFailure::ConsentRequired),
                Some(other) => anyhow::bail!(
                    "unknown on-behalf-of failure {other} (interaction_required or consent_required)"
                ),
            };
            entra.set_obo_failure(&spec.object_id, failure);
        }
        match self.keys_outage.as_deref() {
            None => {}
            Some("none") => entra.set_keys_outage(None),
            Some("hang") => entra.set_keys_outage(Some(KeysOutage::Hang)),
            Some("fail") => entra.set_keys_outage(Some(KeysOutage::Fail)),
            Some(other) => anyhow::bail!("unknown keys outage {other} (hang, fail or none)"),
        }
        if self.rotate_keys {
            entra.rotate_keys()?;
        }
        for user in &self.revoke_refresh_tokens_of {
            entra.revoke_refresh_tokens(user);
        }
        Ok(())
    }
}
