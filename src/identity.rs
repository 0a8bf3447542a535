//! Who is calling: the Entra ID access token the task pane sends for our API, validated as
//! Microsoft says a web API must (algorithm pinned to RS256, key by `kid` from the published
//! JWKS, issuer from the template with the token's `tid`, the signing key's own issuer, audience,
//! lifetime, scope), then cached by the token's hash until it expires. Keys and issuers come
//! from the authority's metadata and survive an Entra outage (`keys`). The rep is keyed by
//! (`tid`, `oid`), never by a name or an email. This module turns a token into a [`Caller`];
//! how a request carries the token is the HTTP layer's business.

mod caller;
mod claims;
mod keys;

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::digest;

use crate::config::EntraSettings;
pub use caller::{Caller, PERSONAL_ACCOUNTS_TENANT};
pub use claims::TokenError;
pub use keys::KeyHealth;
use keys::{KeyPolicy, KeyStore};

/// Validates tokens; one per process, shared by every request.
pub struct Identity {
    settings: EntraSettings,
    keys: KeyStore,
    validated: moka::future::Cache<[u8; 32], Arc<Caller>>,
}

impl Identity {
    pub fn new(settings: EntraSettings, http: reqwest::Client) -> Self {
        let keys = KeyStore::new(
            &settings.authority,
            http,
            KeyPolicy {
                refresh: Duration::from_secs(settings.keys_refresh_secs),
                unknown_kid_refetch: Duration::from_secs(settings.unknown_key_refetch_secs),
                fetch_timeout: Duration::from_secs(settings.keys_fetch_timeout_secs),
                retry_after_failure: Duration::from_secs(settings.keys_retry_after_failure_secs),
                max_age: Duration::from_secs(settings.keys_max_age_secs),
            },
        );
        Self {
            settings,
            keys,
            validated: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(24 * 3600))
                .build(),
        }
    }

    pub fn settings(&self) -> &EntraSettings {
        &self.settings
    }

    /// The caller behind a bearer token. A token validated before is taken from the cache
    /// while it is unexpired and its key still published; otherwise it is checked in full.
    pub async fn authenticate(&self, token: &str) -> Result<Arc<Caller>, TokenError> {
        let hash = sha256(token);
        let now = chrono::Utc::now().timestamp();
        if let Some(caller) = self.validated.get(&hash).await {
            if caller.expires_at > now && self.keys.still_published(&caller.kid) {
                return Ok(caller);
            }
            self.validated.invalidate(&hash).await;
        }
        let caller = Arc::new(claims::validate(token, &self.settings, &self.keys).await?);
        self.validated.insert(hash, Arc::clone(&caller)).await;
        Ok(caller)
    }

    /// How many times the JWKS was fetched (for tests and the benchmark).
    pub fn key_fetches(&self) -> u64 {
        self.keys.fetches()
    }

    /// Whether Entra's keys are fresh, stale (still served) or unavailable.
    pub fn key_health(&self) -> KeyHealth {
        self.keys.health()
    }
}

fn sha256(token: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, token.as_bytes()).as_ref());
    out
}
