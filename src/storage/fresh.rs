//! Rows a request reads on every call (the rep's tenant and user, their connection, the
//! tenant's org-wide setup, the sync configuration that applies to them), kept for a few seconds so that a burst of task-pane calls does not
//! go to the database each time. An entry is used only while this process has written none of
//! those tables since it was read (every write below bumps one counter; a cache checks it), and
//! never after its time to live, which bounds how long another instance's write goes unseen.

use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Writes to the identity tables by this process. Process-wide on purpose: several services in
/// one process (the tests) only ever invalidate each other's entries, never keep a stale one.
static IDENTITY_WRITES: AtomicU64 = AtomicU64::new(0);

/// The count of identity writes so far; read it before reading the rows to cache.
pub fn generation() -> u64 {
    IDENTITY_WRITES.load(Ordering::Acquire)
}

/// Called after each write to tenants, users, connections, org-wide setups or sync
/// configurations and their assignments.
pub(super) fn written() {
    IDENTITY_WRITES.fetch_add(1, Ordering::AcqRel);
}

/// Values read at some generation, used while it is still current and at most `ttl` old.
pub struct FreshCache<K, V> {
    entries: moka::future::Cache<K, Arc<(u64, V)>>,
}

impl<K, V> Clone for FreshCache<K, V> {
    fn clone(&self) -> Self {
        Self {
            entries: self.entries.clone(),
        }
    }
}

impl<K, V> FreshCache<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    pub fn new(ttl: Duration, capacity: u64) -> Self {
        Self {
            entries: moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build(),
        }
    }

    /// The value for `key` if it was read at `generation` (the current one).
    pub async fn get(&self, key: &K, generation: u64) -> Option<V> {
        self.entries
            .get(key)
            .await
            .filter(|entry| entry.0 == generation)
            .map(|entry| entry.1.clone())
    }

    /// Keeps `value`, read after [`generation`] returned `read_at`.
    pub async fn insert(&self, key: K, read_at: u64, value: V) {
        self.entries.insert(key, Arc::new((read_at, value))).await;
    }
}
