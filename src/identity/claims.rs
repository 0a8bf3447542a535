//! The checks, in the order that gives the most precise reason: shape, algorithm and critical
//! header extensions, key, signature and audience and lifetime, issuer (from the metadata's
//! template, with the token's `tid`), the signing key's issuer, personal accounts, the tenant
//! allow-list, the scope. Tenant ids are compared in lower case, the form Entra writes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use super::caller::{Caller, PERSONAL_ACCOUNTS_TENANT};
use super::keys::{KeyError, KeyStore};
use crate::config::EntraSettings;
use crate::ids::{EntraObjectId, EntraTenantId};

/// Why a token was refused. Each has a stable code the task pane can switch on.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no bearer token")]
    Missing,
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token is not signed with RS256")]
    Algorithm,
    #[error("the token's header lists critical extensions, which this API does not understand")]
    CriticalHeader,
    #[error("the token is signed with a key Entra does not publish")]
    UnknownKey,
    #[error("the token's signature does not verify")]
    Signature,
    #[error("the token is for another audience")]
    Audience,
    #[error("the token's issuer does not match its tenant")]
    Issuer,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token lacks the scope this API needs")]
    Scope,
    #[error("personal Microsoft accounts cannot use outforce")]
    PersonalAccount,
    #[error("this tenant is not allowed to use this outforce")]
    TenantNotAllowed,
    #[error("sign-in is not configured on this server")]
    NotConfigured,
    #[error("Entra's signing keys are unavailable")]
    KeysUnavailable(#[source] anyhow::Error),
}

impl TokenError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "token_missing",
            Self::Malformed => "token_malformed",
            Self::Algorithm => "token_algorithm",
            Self::CriticalHeader => "token_critical_header",
            Self::UnknownKey => "token_unknown_key",
            Self::Signature => "token_signature",
            Self::Audience => "token_audience",
            Self::Issuer => "token_issuer",
            Self::Expired => "token_expired",
            Self::NotYetValid => "token_not_yet_valid",
            Self::Scope => "token_scope",
            Self::PersonalAccount => "personal_account",
            Self::TenantNotAllowed => "tenant_not_allowed",
            Self::NotConfigured => "sign_in_not_configured",
            Self::KeysUnavailable(_) => "unavailable",
        }
    }
}

#[derive(Deserialize)]
struct Header {
    alg: Option<String>,
    kid: Option<String>,
    /// RFC 7515 §4.1.11: extensions the recipient must understand or refuse the token. Entra
    /// sets none, and this API understands none.
    crit: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    tid: String,
    oid: String,
    ver: Option<String>,
    scp: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
    /// With too many groups for the token (200 in a JWT), Entra leaves `groups` out and names
    /// where to read them instead (`_claim_names.groups`; `hasgroups` in the implicit flow).
    #[serde(rename = "_claim_names", default)]
    claim_names: Option<serde_json::Map<String, serde_json::Value>>,
    hasgroups: Option<bool>,
    name: Option<String>,
    preferred_username: Option<String>,
    upn: Option<String>,
    exp: i64,
}

fn header(token: &str) -> Result<Header, TokenError> {
    let encoded = token.split('.').next().ok_or(TokenError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded.trim_end_matches('='))
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}

fn is_guid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok() && text.len() == 36
}

pub async fn validate(
    token: &str,
    settings: &EntraSettings,
    keys: &KeyStore,
) -> Result<Caller, TokenError> {
    let Some(client_id) = settings.client_id.as_deref() else {
        return Err(TokenError::NotConfigured);
    };
    if token.split('.').count() != 3 {
        return Err(TokenError::Malformed);
    }
    let header = header(token)?;
    if header.alg.as_deref() != Some("RS256") {
        return Err(TokenError::Algorithm);
    }
    if header.crit.is_some() {
        return Err(TokenError::CriticalHeader);
    }
    let kid = header.kid.ok_or(TokenError::Malformed)?;
    let published = keys.get(&kid).await.map_err(|e| match e {
        KeyError::Unknown => TokenError::UnknownKey,
        KeyError::Unavailable(cause) => TokenError::KeysUnavailable(cause),
    })?;

    let mut validation = Validation::new(Algorithm::RS256);
    let mut audiences = vec![client_id.to_string()];
    audiences.extend(settings.app_id_uri.clone());
    validation.set_audience(&audiences);
    validation.leeway = settings.clock_leeway_secs;
    validation.validate_nbf = true;
    validation.set_required_spec_claims(&["exp", "aud", "iss"]);
    let key = &published.key;
    let claims = jsonwebtoken::decode::<Claims>(token, &key.key, &validation)
        .map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature => TokenError::Signature,
            ErrorKind::ExpiredSignature => TokenError::Expired,
            ErrorKind::ImmatureSignature => TokenError::NotYetValid,
            ErrorKind::InvalidAudience => TokenError::Audience,
            ErrorKind::InvalidAlgorithm => TokenError::Algorithm,
            _ => TokenError::Malformed,
        })?
        .claims;

    // RFC 7519: not accepted on or after `exp` (jsonwebtoken still accepts the `exp` second).
    let now = chrono::Utc::now().timestamp();
    if claims.exp <= now - settings.clock_leeway_secs as i64 {
        return Err(TokenError::Expired);
    }
    if !is_guid(&claims.tid) || !is_guid(&claims.oid) {
        return Err(TokenError::Malformed);
    }
    // Entra writes tenant ids in lower case; every comparison below uses that one form.
    let tenant = claims.tid.to_ascii_lowercase();
    let issuers = &published.issuers;
    let v2_issuer = issuers.v2_for(&tenant);
    let expected = match claims.ver.as_deref() {
        Some("1.0") => issuers.v1_for(&tenant),
        _ => v2_issuer.clone(),
    };
    if !claims.iss.eq_ignore_ascii_case(&expected) {
        return Err(TokenError::Issuer);
    }
    // A key bound to one tenant (the personal accounts' key) signs only for that tenant.
    if let Some(key_issuer) = &key.issuer
        && !key_issuer
            .replace("{tenantid}", &tenant)
            .eq_ignore_ascii_case(&v2_issuer)
    {
        return Err(TokenError::Issuer);
    }
    if tenant == PERSONAL_ACCOUNTS_TENANT {
        return Err(TokenError::PersonalAccount);
    }
    if !settings.allowed_tenants.is_empty()
        && !settings
            .allowed_tenants
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&tenant))
    {
        return Err(TokenError::TenantNotAllowed);
    }
    let has_scope = claims.scp.as_deref().is_some_and(|scp| {
        scp.split(' ')
            .any(|s| s.eq_ignore_ascii_case(&settings.scope))
    });
    if !has_scope {
        return Err(TokenError::Scope);
    }
    Ok(Caller {
        tenant_id: EntraTenantId::new(tenant),
        object_id: EntraObjectId::new(claims.oid.to_ascii_lowercase()),
        display_name: claims.name,
        username: claims.preferred_username.or(claims.upn),
        roles: claims.roles,
        groups_overage: claims.groups.is_empty()
            && (claims.hasgroups == Some(true)
                || claims
                    .claim_names
                    .as_ref()
                    .is_some_and(|names| names.contains_key("groups"))),
        groups: claims.groups,
        expires_at: claims.exp,
        kid,
    })
}
