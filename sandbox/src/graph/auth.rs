//! Who may call: access tokens that the Entra emulator signed for Graph, checked as Graph checks
//! them (signature by a published key, audience, lifetime), and access to one mailbox (a
//! delegated user reaches only their own; an application only the mailboxes its tenant's access
//! policy allows, and only with the right permission).

use std::collections::HashMap;

use jsonwebtoken::{Algorithm, Validation};
use serde_json::Value;

use super::api::{Caller, Env, Reply};
use super::mailbox::Mailbox;
use crate::entra::Entra;

/// Graph's resource ids, either of which a token's `aud` may carry.
const AUDIENCES: &[&str] = &[
    "https://graph.microsoft.com",
    "https://graph.microsoft.com/",
    "00000003-0000-0000-c000-000000000000",
];

/// Checks tokens against the Entra emulator's current signing key.
#[derive(Clone)]
pub struct TokenCheck {
    entra: std::sync::Arc<dyn Fn() -> (String, jsonwebtoken::DecodingKey) + Send + Sync>,
}

impl TokenCheck {
    pub fn new(entra: &Entra) -> Self {
        let keys = entra.published_key();
        Self {
            entra: std::sync::Arc::new(keys),
        }
    }

    /// The caller behind a bearer token, or the 401 Graph gives.
    pub fn caller(&self, token: Option<&str>) -> Result<Caller, Reply> {
        let unauthorized = |message: &str| {
            Reply::error(401, "InvalidAuthenticationToken", message).header(
                "WWW-Authenticate",
                "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
            )
        };
        let token = token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unauthorized("Access token is empty."))?;
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| unauthorized("IDX14100: JWT is not well formed."))?;
        let (kid, key) = (self.entra)();
        if header.alg != Algorithm::RS256 || header.kid.as_deref() != Some(kid.as_str()) {
            return Err(unauthorized(
                "Access token validation failure. Invalid signature.",
            ));
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(AUDIENCES);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "aud"]);
        let claims = jsonwebtoken::decode::<Value>(token, &key, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    unauthorized("Lifetime validation failed, the token is expired.")
                }
                jsonwebtoken::errors::ErrorKind::InvalidAudience => {
                    unauthorized("Access token validation failure. Invalid audience.")
                }
                _ => unauthorized("Access token validation failure."),
            })?
            .claims;
        let text = |key: &str| claims[key].as_str().unwrap_or_default().to_string();
        let app_only = claims["idtyp"] == "app" || claims.get("scp").is_none();
        let permissions: Vec<String> = if app_only {
            claims["roles"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            text("scp").split_whitespace().map(str::to_string).collect()
        };
        Ok(Caller {
            tenant: text("tid"),
            app_id: if claims.get("appid").is_some() {
                text("appid")
            } else {
                text("azp")
            },
            user: (!app_only).then(|| text("oid")),
            permissions,
        })
    }
}

/// The mailbox `user` (an object id or a UPN) if the caller may reach it.
pub fn mailbox_access(env: &Env<'_>, user: &str, area: &str, write: bool) -> Result<String, Reply> {
    reach(env.mailboxes, env.policies, env.caller, user, area, write)
}

/// The id of the mailbox `user` (an object id or a UPN), whoever may reach it.
pub fn resolve(mailboxes: &HashMap<String, Mailbox>, user: &str) -> Option<String> {
    mailboxes
        .values()
        .find(|m| m.id.eq_ignore_ascii_case(user) || m.upn.eq_ignore_ascii_case(user))
        .map(|m| m.id.clone())
}

pub fn reach(
    mailboxes: &HashMap<String, Mailbox>,
    policies: &HashMap<String, Vec<String>>,
    caller: &Caller,
    user: &str,
    area: &str,
    write: bool,
) -> Result<String, Reply> {
    let mailbox = mailboxes
        .values()
        .find(|m| m.id.eq_ignore_ascii_case(user) || m.upn.eq_ignore_ascii_case(user))
        .filter(|m| m.tenant_id == caller.tenant)
        .ok_or_else(|| {
            Reply::error(
                404,
                "ErrorInvalidUser",
                &format!("The requested user '{user}' is invalid."),
            )
        })?;
    let denied = || {
        Reply::error(
            403,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        )
    };
    match &caller.user {
        Some(me) if !me.eq_ignore_ascii_case(&mailbox.id) => return Err(denied()),
        Some(_) => {}
        None => {
            let blocked = policies
                .get(&caller.app_id)
                .is_some_and(|allowed| !allowed.contains(&mailbox.id));
            if blocked {
                return Err(Reply::error(
                    403,
                    "ErrorAccessDenied",
                    "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
                ));
            }
        }
    }
    if !caller.allowed(area, write) {
        return Err(denied());
    }
    Ok(mailbox.id.clone())
}
