//! Entra's signing keys and issuers, discovered from the authority's OpenID metadata (v2 for the
//! JWKS and the v2 issuer, v1 for the v1 issuer, so a sovereign cloud's issuers are its own) and
//! kept as one snapshot.
//!
//! An Entra outage must not take the service down:
//! - one fetch at a time, with a short timeout; callers that need keys wait on that fetch and
//!   take its outcome instead of fetching again one after another;
//! - a failed fetch is remembered for a back-off period, during which callers without usable
//!   keys get the failure at once;
//! - keys older than the refresh interval are still served (stale-while-revalidate) while a
//!   refresh runs in the background, up to a maximum age; staleness is logged, and reported by
//!   [`KeyStore::health`] for `/metrics` and `/readyz`;
//! - a token naming a `kid` we do not hold (a rotation, or a made-up kid) makes us fetch again,
//!   at most once per interval.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};
use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use tokio::sync::Mutex;

/// One published key.
pub struct SigningKey {
    pub key: DecodingKey,
    /// The issuer the key may sign for: templated (`…/{tenantid}/v2.0`) or one tenant's.
    pub issuer: Option<String>,
}

/// The issuer templates (`{tenantid}` stands for the token's tenant) from the metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuers {
    pub v2: String,
    pub v1: String,
}

impl Issuers {
    pub fn v2_for(&self, tenant: &str) -> String {
        self.v2.replace("{tenantid}", tenant)
    }

    pub fn v1_for(&self, tenant: &str) -> String {
        self.v1.replace("{tenantid}", tenant)
    }
}

/// What a validation needs from Entra: a key, and the issuers.
pub struct Published {
    pub key: Arc<SigningKey>,
    pub issuers: Issuers,
}

#[derive(Deserialize)]
struct Metadata {
    issuer: String,
    jwks_uri: Option<String>,
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

/// How keys are fetched and kept.
#[derive(Debug, Clone, Copy)]
pub struct KeyPolicy {
    /// Keys younger than this are fresh.
    pub refresh: Duration,
    /// The shortest interval between refetches caused by an unknown `kid`.
    pub unknown_kid_refetch: Duration,
    /// How long one fetch (metadata and keys) may take.
    pub fetch_timeout: Duration,
    /// How long a failed fetch is remembered before another is tried.
    pub retry_after_failure: Duration,
    /// Keys older than this are never served, however long Entra is down.
    pub max_age: Duration,
}

/// The keys as `/metrics` and `/readyz` report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyHealth {
    /// Not fetched yet (nothing has needed them).
    NotLoaded,
    /// Fresh: younger than the refresh interval.
    Fresh { age_secs: u64 },
    /// Older than the refresh interval and still served, because refreshing failed.
    Stale { age_secs: u64 },
    /// None usable: the last fetch failed and no keys younger than the maximum age are held.
    Unavailable,
}

/// Why no key could be had.
pub enum KeyError {
    /// The JWKS has no such `kid`, even after a refetch (or a refetch was too recent).
    Unknown,
    /// The keys could not be fetched (now, or in the remembered failure).
    Unavailable(anyhow::Error),
}

struct Snapshot {
    keys: HashMap<String, Arc<SigningKey>>,
    issuers: Issuers,
    loaded_at: Instant,
}

/// Outcomes remembered between fetches.
#[derive(Default)]
struct FetchLog {
    failed_at: Option<Instant>,
    failure: Option<String>,
    unknown_kid_refetch_at: Option<Instant>,
}

struct Inner {
    authority: String,
    http: reqwest::Client,
    policy: KeyPolicy,
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    /// Held while a fetch runs: one at a time.
    fetching: Mutex<FetchLog>,
    /// A background refresh is running or queued.
    refreshing: AtomicBool,
    /// Whether the last look found the keys stale (to log the change once).
    stale: AtomicBool,
    /// Whether the last fetch failed.
    last_fetch_failed: AtomicBool,
    fetches: AtomicU64,
}

/// The keys; cheap to clone (the background refresh holds a clone).
#[derive(Clone)]
pub struct KeyStore {
    inner: Arc<Inner>,
}

impl KeyStore {
    pub fn new(authority: &str, http: reqwest::Client, policy: KeyPolicy) -> Self {
        Self {
            inner: Arc::new(Inner {
                authority: authority.trim_end_matches('/').to_string(),
                http,
                policy,
                snapshot: RwLock::new(None),
                fetching: Mutex::new(FetchLog::default()),
                refreshing: AtomicBool::new(false),
                stale: AtomicBool::new(false),
                last_fetch_failed: AtomicBool::new(false),
                fetches: AtomicU64::new(0),
            }),
        }
    }

    /// How many times the JWKS was fetched.
    pub fn fetches(&self) -> u64 {
        self.inner.fetches.load(Ordering::Relaxed)
    }

    fn current(&self) -> Option<Arc<Snapshot>> {
        self.inner
            .snapshot
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// A snapshot young enough to serve, starting a background refresh when it is stale.
    fn usable(&self) -> Option<Arc<Snapshot>> {
        let snapshot = self.current()?;
        let age = snapshot.loaded_at.elapsed();
        if age >= self.inner.policy.max_age {
            return None;
        }
        if age >= self.inner.policy.refresh {
            self.refresh_in_background();
        }
        Some(snapshot)
    }

    pub fn health(&self) -> KeyHealth {
        let failed_recently = self.inner.last_fetch_failed.load(Ordering::Acquire);
        match self.current() {
            Some(snapshot) => {
                let age = snapshot.loaded_at.elapsed();
                let age_secs = age.as_secs();
                if age >= self.inner.policy.max_age {
                    KeyHealth::Unavailable
                } else if age >= self.inner.policy.refresh {
                    KeyHealth::Stale { age_secs }
                } else {
                    KeyHealth::Fresh { age_secs }
                }
            }
            None if failed_recently => KeyHealth::Unavailable,
            None => KeyHealth::NotLoaded,
        }
    }

    /// Whether a key is still published (a cached validation ends when its key is withdrawn,
    /// or when no keys young enough are held).
    pub fn still_published(&self, kid: &str) -> bool {
        self.usable().is_some_and(|s| s.keys.contains_key(kid))
    }

    pub async fn get(&self, kid: &str) -> Result<Published, KeyError> {
        let asked = Instant::now();
        let snapshot = match self.usable() {
            Some(snapshot) => snapshot,
            None => self.fetch_once(asked).await?,
        };
        if let Some(published) = lookup(&snapshot, kid) {
            return Ok(published);
        }
        // A rotation, or a made-up kid: fetch again, at most once per interval.
        let snapshot = self.refetch_for_unknown_kid(asked).await?;
        lookup(&snapshot, kid).ok_or(KeyError::Unknown)
    }

    async fn refetch_for_unknown_kid(&self, asked: Instant) -> Result<Arc<Snapshot>, KeyError> {
        let mut log = self.inner.fetching.lock().await;
        if let Some(snapshot) = self.current().filter(|s| s.loaded_at >= asked) {
            return Ok(snapshot);
        }
        if log
            .unknown_kid_refetch_at
            .is_some_and(|at| at.elapsed() < self.inner.policy.unknown_kid_refetch)
        {
            return Err(KeyError::Unknown);
        }
        log.unknown_kid_refetch_at = Some(Instant::now());
        self.fetch_locked(&mut log)
            .await
            .map_err(KeyError::Unavailable)
    }

    /// Keys for a caller that has none usable: the outcome of the fetch in flight (or of one
    /// that ended while it waited), a remembered failure, or a new fetch.
    async fn fetch_once(&self, asked: Instant) -> Result<Arc<Snapshot>, KeyError> {
        let mut log = self.inner.fetching.lock().await;
        if let Some(snapshot) = self.usable() {
            return Ok(snapshot);
        }
        if let Some(failed_at) = log.failed_at {
            let waited_on_it = failed_at >= asked;
            let backing_off = failed_at.elapsed() < self.inner.policy.retry_after_failure;
            if waited_on_it || backing_off {
                let cause = log.failure.clone().unwrap_or_default();
                return Err(KeyError::Unavailable(anyhow!(cause)));
            }
        }
        self.fetch_locked(&mut log)
            .await
            .map_err(KeyError::Unavailable)
    }

    fn refresh_in_background(&self) {
        if self.inner.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            {
                let mut log = store.inner.fetching.lock().await;
                let fresh = store
                    .current()
                    .is_some_and(|s| s.loaded_at.elapsed() < store.inner.policy.refresh);
                let backing_off = log
                    .failed_at
                    .is_some_and(|at| at.elapsed() < store.inner.policy.retry_after_failure);
                if !fresh && !backing_off {
                    // The failure is logged and remembered by the fetch.
                    let _ = store.fetch_locked(&mut log).await;
                }
            }
            store.inner.refreshing.store(false, Ordering::Release);
        });
    }

    /// Fetches the metadata and keys (the caller holds the fetch lock) and records the outcome.
    async fn fetch_locked(&self, log: &mut FetchLog) -> anyhow::Result<Arc<Snapshot>> {
        let outcome = tokio::time::timeout(self.inner.policy.fetch_timeout, self.download())
            .await
            .unwrap_or_else(|_| Err(anyhow!("Entra did not answer within the fetch timeout")));
        match outcome {
            Ok(snapshot) => {
                let snapshot = Arc::new(snapshot);
                *self
                    .inner
                    .snapshot
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some(Arc::clone(&snapshot));
                log.failed_at = None;
                log.failure = None;
                self.inner.last_fetch_failed.store(false, Ordering::Release);
                if self.inner.stale.swap(false, Ordering::AcqRel) {
                    tracing::info!("Entra's signing keys are fresh again");
                }
                Ok(snapshot)
            }
            Err(error) => {
                log.failed_at = Some(Instant::now());
                log.failure = Some(format!("{error:#}"));
                self.inner.last_fetch_failed.store(true, Ordering::Release);
                let held = self.current().map(|s| s.loaded_at.elapsed());
                match held {
                    Some(age) if age < self.inner.policy.max_age => {
                        if !self.inner.stale.swap(true, Ordering::AcqRel) {
                            tracing::warn!(
                                error = %format!("{error:#}"),
                                age_secs = age.as_secs(),
                                "refreshing Entra's signing keys failed; serving the keys held (stale)"
                            );
                        }
                    }
                    _ => tracing::error!(
                        error = %format!("{error:#}"),
                        "fetching Entra's signing keys failed; sign-in is unavailable"
                    ),
                }
                Err(error)
            }
        }
    }

    async fn download(&self) -> anyhow::Result<Snapshot> {
        let authority = &self.inner.authority;
        let v2: Metadata = self
            .get_json(&format!(
                "{authority}/common/v2.0/.well-known/openid-configuration"
            ))
            .await
            .context("reading Entra's OpenID metadata (v2)")?;
        let v1: Metadata = self
            .get_json(&format!(
                "{authority}/common/.well-known/openid-configuration"
            ))
            .await
            .context("reading Entra's OpenID metadata (v1)")?;
        let jwks_uri = v2
            .jwks_uri
            .unwrap_or_else(|| format!("{authority}/common/discovery/v2.0/keys"));
        self.inner.fetches.fetch_add(1, Ordering::Relaxed);
        let jwks: Jwks = self
            .get_json(&jwks_uri)
            .await
            .context("fetching Entra's signing keys")?;
        let mut keys = HashMap::new();
        for jwk in jwks.keys.into_iter().filter(|k| k.kty == "RSA") {
            let (Some(kid), Some(n), Some(e)) = (jwk.kid, jwk.n, jwk.e) else {
                continue;
            };
            let Ok(key) = DecodingKey::from_rsa_components(&n, &e) else {
                continue;
            };
            keys.insert(
                kid,
                Arc::new(SigningKey {
                    key,
                    issuer: jwk.issuer,
                }),
            );
        }
        Ok(Snapshot {
            keys,
            issuers: Issuers {
                v2: v2.issuer,
                v1: v1.issuer,
            },
            loaded_at: Instant::now(),
        })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> anyhow::Result<T> {
        Ok(self
            .inner
            .http
            .get(url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }
}

fn lookup(snapshot: &Snapshot, kid: &str) -> Option<Published> {
    snapshot.keys.get(kid).map(|key| Published {
        key: Arc::clone(key),
        issuers: snapshot.issuers.clone(),
    })
}
