//! Access tokens as Entra issues them for our API, v2 and v1 claim sets, plus the hostile
//! variants a validator must refuse.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// The personal Microsoft account tenant.
pub const MSA_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// Which claim set and issuer a token carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenVersion {
    /// `iss` = `{authority}/{tid}/v2.0`, `aud` = client id, `azp`, `preferred_username`.
    V2,
    /// `iss` = `https://sts.windows.net/{tid}/`, `aud` = App ID URI, `appid`, `upn`.
    V1,
}

/// How the token is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// With the current published key, as Entra does.
    Published,
    /// With a key that is not published, under its own `kid`.
    UnpublishedKey,
    /// With a key that is not published, claiming the `kid` of the published one.
    UnpublishedKeyPublishedKid,
    /// `alg: none`, no signature.
    None,
    /// HS256 keyed with the published key's public bytes (the key-confusion attack).
    Hs256WithPublicKey,
    /// With the current published key, but the header lists a critical extension (`crit`)
    /// that a recipient must understand or refuse the token (RFC 7515 §4.1.11).
    PublishedWithCriticalHeader,
}

/// Everything a minted token says. Start from [`TokenSpec::user`] and change what a test needs.
#[derive(Debug, Clone)]
pub struct TokenSpec {
    pub version: TokenVersion,
    pub tenant_id: String,
    /// Overrides the issuer the version implies (for tokens from another tenant or authority).
    pub issuer: Option<String>,
    pub object_id: String,
    pub audience: String,
    pub client_app_id: String,
    pub scopes: Option<String>,
    pub roles: Vec<String>,
    /// Group object ids (the `groups` claim, when the app registration asks for it).
    pub groups: Vec<String>,
    /// The user is in more groups than a token holds (200 in a JWT): instead of `groups`, the
    /// token names where to read them (`_claim_names`, `_claim_sources`), as Entra does.
    pub groups_overage: bool,
    pub username: String,
    pub name: String,
    /// Seconds relative to now.
    pub issued_at: i64,
    pub not_before: i64,
    pub expires_in: i64,
    pub signing: Signing,
}

impl TokenSpec {
    /// A rep's delegated token for the API `audience`, valid for an hour.
    pub fn user(tenant_id: &str, object_id: &str, audience: &str) -> Self {
        Self {
            version: TokenVersion::V2,
            tenant_id: tenant_id.into(),
            issuer: None,
            object_id: object_id.into(),
            audience: audience.into(),
            client_app_id: "ea5a67f6-b6f3-4338-b240-c655ddc3cc8e".into(),
            scopes: Some("access_as_user".into()),
            roles: Vec::new(),
            groups: Vec::new(),
            groups_overage: false,
            username: "rep@contoso.example".into(),
            name: "Sandbox Rep".into(),
            issued_at: 0,
            not_before: 0,
            expires_in: 3600,
            signing: Signing::Published,
        }
    }

    pub(crate) fn claims(&self, authority: &str) -> Value {
        let now = unix_now();
        let issuer = self.issuer.clone().unwrap_or_else(|| match self.version {
            TokenVersion::V2 => format!("{authority}/{}/v2.0", self.tenant_id),
            TokenVersion::V1 => format!("https://sts.windows.net/{}/", self.tenant_id),
        });
        let mut claims = json!({
            "aud": self.audience,
            "iss": issuer,
            "iat": now + self.issued_at,
            "nbf": now + self.not_before,
            "exp": now + self.expires_in,
            "oid": self.object_id,
            "tid": self.tenant_id,
            "sub": URL_SAFE_NO_PAD.encode(format!("{}:{}", self.object_id, self.client_app_id)),
            "name": self.name,
            "uti": uuid::Uuid::new_v4().simple().to_string(),
        });
        let Value::Object(fields) = &mut claims else {
            return claims;
        };
        match self.version {
            TokenVersion::V2 => {
                fields.insert("ver".into(), json!("2.0"));
                fields.insert("azp".into(), json!(self.client_app_id));
                fields.insert("azpacr".into(), json!("0"));
                fields.insert("preferred_username".into(), json!(self.username));
            }
            TokenVersion::V1 => {
                fields.insert("ver".into(), json!("1.0"));
                fields.insert("appid".into(), json!(self.client_app_id));
                fields.insert("appidacr".into(), json!("0"));
                fields.insert("upn".into(), json!(self.username));
                fields.insert("unique_name".into(), json!(self.username));
            }
        }
        if let Some(scopes) = &self.scopes {
            fields.insert("scp".into(), json!(scopes));
        }
        if !self.roles.is_empty() {
            fields.insert("roles".into(), json!(self.roles));
        }
        if self.groups_overage {
            fields.insert("_claim_names".into(), json!({ "groups": "src1" }));
            let endpoint = format!(
                "https://graph.windows.net/{}/users/{}/getMemberObjects",
                self.tenant_id, self.object_id
            );
            fields.insert(
                "_claim_sources".into(),
                json!({ "src1": { "endpoint": endpoint } }),
            );
        } else if !self.groups.is_empty() {
            fields.insert("groups".into(), json!(self.groups));
        }
        claims
    }
}

/// Signs `claims` with `key` (kid `kid`) as Entra does: RS256, `typ: JWT`, `kid` (and `x5t` for v1).
pub(crate) fn sign(
    claims: &Value,
    kid: &str,
    key: &EncodingKey,
    v1: bool,
) -> anyhow::Result<String> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_string());
    if v1 {
        header.x5t = Some(kid.to_string());
    }
    Ok(jsonwebtoken::encode(&header, claims, key)?)
}

/// An unsigned token: `{"alg":"none"}`, the claims, and an empty signature.
pub(crate) fn unsigned(claims: &Value, kid: &str) -> String {
    let header = json!({ "typ": "JWT", "alg": "none", "kid": kid });
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
