//! Entra's signing keys, from its JWKS, cached by `kid`. The whole set is fetched again when it
//! is older than the refresh interval, or when a token names a `kid` we do not hold (a key
//! rotation); that refetch is rate-limited, so a flood of tokens with made-up `kid`s costs at
//! most one fetch per interval.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use tokio::sync::Mutex;

/// One published key.
pub struct SigningKey {
    pub key: DecodingKey,
    /// The issuer the key may sign for: templated (`…/{tenantid}/v2.0`) or one tenant's.
    pub issuer: Option<String>,
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    n: Option<String>,
    e: Option<String>,
    issuer: Option<String>,
}

pub struct KeyStore {
    url: String,
    http: reqwest::Client,
    keys: moka::future::Cache<String, Arc<SigningKey>>,
    refresh: Duration,
    refetch_interval: Duration,
    fetched: Mutex<Fetched>,
    fetches: AtomicU64,
}

/// When the set was loaded, and when an unknown `kid` last made us fetch it again.
#[derive(Default)]
struct Fetched {
    loaded_at: Option<Instant>,
    last_refetch: Option<Instant>,
}

/// Why no key could be had.
pub enum KeyError {
    /// The JWKS has no such `kid`, even after a refetch (or a refetch was too recent).
    Unknown,
    /// The JWKS could not be fetched.
    Unavailable(anyhow::Error),
}

impl KeyStore {
    pub fn new(
        url: String,
        http: reqwest::Client,
        refresh: Duration,
        refetch_interval: Duration,
    ) -> Self {
        Self {
            url,
            http,
            keys: moka::future::Cache::builder().time_to_live(refresh).build(),
            refresh,
            refetch_interval,
            fetched: Mutex::new(Fetched::default()),
            fetches: AtomicU64::new(0),
        }
    }

    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    pub async fn still_published(&self, kid: &str) -> bool {
        self.keys.get(kid).await.is_some()
    }

    pub async fn get(&self, kid: &str) -> Result<Arc<SigningKey>, KeyError> {
        if let Some(key) = self.keys.get(kid).await {
            return Ok(key);
        }
        // One fetch at a time; a fetch that finished while we waited may already have it.
        let mut fetched = self.fetched.lock().await;
        if let Some(key) = self.keys.get(kid).await {
            return Ok(key);
        }
        let loaded = fetched
            .loaded_at
            .is_some_and(|at| at.elapsed() < self.refresh);
        if loaded {
            // The set is current and lacks this kid: a rotation, or a made-up kid.
            if fetched
                .last_refetch
                .is_some_and(|at| at.elapsed() < self.refetch_interval)
            {
                return Err(KeyError::Unknown);
            }
            fetched.last_refetch = Some(Instant::now());
        }
        self.fetch().await.map_err(KeyError::Unavailable)?;
        fetched.loaded_at = Some(Instant::now());
        self.keys.get(kid).await.ok_or(KeyError::Unknown)
    }

    /// Replaces the cached set with the published one: withdrawn keys stop validating.
    async fn fetch(&self) -> anyhow::Result<()> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let jwks: Jwks = self
            .http
            .get(&self.url)
            .send()
            .await
            .context("fetching Entra's signing keys")?
            .error_for_status()
            .context("fetching Entra's signing keys")?
            .json()
            .await
            .context("reading Entra's signing keys")?;
        self.keys.invalidate_all();
        for jwk in jwks.keys.into_iter().filter(|k| k.kty == "RSA") {
            let (Some(kid), Some(n), Some(e)) = (jwk.kid, jwk.n, jwk.e) else {
                continue;
            };
            let Ok(key) = DecodingKey::from_rsa_components(&n, &e) else {
                continue;
            };
            self.keys
                .insert(
                    kid,
                    Arc::new(SigningKey {
                        key,
                        issuer: jwk.issuer,
                    }),
                )
                .await;
        }
        Ok(())
    }
}
