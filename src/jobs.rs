//! Background jobs: typed, idempotent units of work on a database-backed queue.
//!
//! A job type implements [`Job`]; a [`Registry`] maps its `KIND` to a runner; the [`Queue`]
//! puts jobs on the table; [`worker`] claims and runs them. A job may run more than once (a
//! worker can die after the work and before the completion is recorded), so every `run` must be
//! idempotent: doing it twice has the effect of doing it once.

pub mod worker;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Notify;

use crate::storage::{self, Db, StorageError, jobs::NewJob};

/// A kind of background work.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stable name stored with each job; never rename it while jobs of it may be queued.
    const KIND: &'static str;

    /// What the job needs to run (clients, storage); shared by all jobs of a registry.
    type Context: Clone + Send + Sync + 'static;

    /// While a pending job of this kind holds the same key, another is not queued.
    fn dedup_key(&self) -> Option<String> {
        None
    }

    /// At most this many due jobs of this kind with one [`Job::batch_key`] are claimed together
    /// and handed to one [`Job::run_batch`].
    const BATCH: usize = 1;

    /// Jobs that may run together (whose work is cheaper done at once) share this key.
    fn batch_key(&self) -> Option<String> {
        None
    }

    /// Does the work. Must be idempotent. Return [`Permanent`] (through `anyhow`) for a failure
    /// that no retry can fix, so the job is set aside at once instead of retried.
    fn run(&self, ctx: &Self::Context) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Called once the job has failed for good (a permanent failure, or its last attempt):
    /// whatever said that it would run must now say that it will not. Best effort: a failure
    /// here is logged.
    fn gave_up(&self, ctx: &Self::Context) -> impl Future<Output = anyhow::Result<()>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }

    /// Does the work of several jobs claimed together, returning each one's result in order.
    /// Each job succeeds, fails or is retried on its own.
    fn run_batch(
        jobs: &[Self],
        ctx: &Self::Context,
    ) -> impl Future<Output = Vec<anyhow::Result<()>>> + Send {
        async move {
            let mut results = Vec::with_capacity(jobs.len());
            for job in jobs {
                results.push(job.run(ctx).await);
            }
            results
        }
    }
}

/// A failure that retrying cannot fix (a payload that cannot be read, a record the other side
/// rejects for good). The job becomes dead at once, keeping this as its last error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Permanent(pub String);

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type Runner<C> = Arc<dyn Fn(C, Vec<String>) -> BoxFuture<Vec<anyhow::Result<()>>> + Send + Sync>;
type GaveUp<C> = Arc<dyn Fn(C, String) -> BoxFuture<anyhow::Result<()>> + Send + Sync>;

/// How a kind's jobs are run: its runner (payloads in, one result per payload out), what it
/// does once a job has failed for good, and how many may run together.
struct Kind<C> {
    runner: Runner<C>,
    gave_up: GaveUp<C>,
    batch: usize,
}

/// The job kinds a worker can run, each with its runner.
pub struct Registry<C> {
    runners: HashMap<&'static str, Kind<C>>,
}

impl<C: Clone + Send + Sync + 'static> Default for Registry<C> {
    fn default() -> Self {
        Self {
            runners: HashMap::new(),
        }
    }
}

impl<C: Clone + Send + Sync + 'static> Registry<C> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a job kind.
    ///
    /// # Panics
    /// When another job type already registered the same `KIND`: one of them would never run.
    pub fn register<J: Job<Context = C>>(mut self) -> Self {
        assert!(
            !self.runners.contains_key(J::KIND),
            "two job types share the kind {:?}",
            J::KIND
        );
        let runner: Runner<C> = Arc::new(|ctx: C, payloads: Vec<String>| {
            Box::pin(async move {
                // A payload that cannot be read fails alone; the others run.
                let mut jobs = Vec::with_capacity(payloads.len());
                let mut unread = Vec::with_capacity(payloads.len());
                for payload in &payloads {
                    match serde_json::from_str::<J>(payload) {
                        Ok(job) => {
                            jobs.push(job);
                            unread.push(None);
                        }
                        Err(e) => unread.push(Some(Err(Permanent(format!(
                            "the payload of a {} job cannot be read: {e}",
                            J::KIND
                        ))
                        .into()))),
                    }
                }
                let mut ran = J::run_batch(&jobs, &ctx).await.into_iter();
                let results: Vec<anyhow::Result<()>> = unread
                    .into_iter()
                    .map(|failed| {
                        failed.unwrap_or_else(|| {
                            ran.next()
                                .unwrap_or_else(|| Err(anyhow::anyhow!("the batch gave no result")))
                        })
                    })
                    .collect();
                results
            })
        });
        let gave_up: GaveUp<C> = Arc::new(|ctx: C, payload: String| {
            Box::pin(async move {
                match serde_json::from_str::<J>(&payload) {
                    Ok(job) => job.gave_up(&ctx).await,
                    // A payload nobody can read names nothing to tell.
                    Err(_) => Ok(()),
                }
            })
        });
        let batch = J::BATCH.max(1);
        self.runners.insert(
            J::KIND,
            Kind {
                runner,
                gave_up,
                batch,
            },
        );
        self
    }

    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.runners.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }

    fn runner(&self, kind: &str) -> Option<&Runner<C>> {
        self.runners.get(kind).map(|k| &k.runner)
    }

    fn gave_up(&self, kind: &str) -> Option<&GaveUp<C>> {
        self.runners.get(kind).map(|k| &k.gave_up)
    }

    /// How many jobs of `kind` may run together.
    fn batch(&self, kind: &str) -> usize {
        self.runners.get(kind).map_or(1, |k| k.batch)
    }
}

/// Puts jobs on the queue and wakes this process's idle workers.
#[derive(Debug, Clone)]
pub struct Queue {
    db: Db,
    wake: Arc<Notify>,
    max_attempts: i32,
}

impl Queue {
    pub fn new(db: Db, max_attempts: i32) -> Self {
        Self {
            db,
            wake: Arc::new(Notify::new()),
            max_attempts,
        }
    }

    /// Queues a job to run now. `None` means an equal pending job (same kind and key) was
    /// already queued, so this one was not.
    pub async fn enqueue<J: Job>(&self, job: &J) -> Result<Option<String>, StorageError> {
        self.enqueue_at(job, storage::now()).await
    }

    /// Queues a job to run no earlier than `run_at`.
    pub async fn enqueue_at<J: Job>(
        &self,
        job: &J,
        run_at: DateTime<Utc>,
    ) -> Result<Option<String>, StorageError> {
        let id =
            storage::jobs::enqueue(&self.db, &self.new_job(job, run_at)?, storage::now()).await?;
        self.wake.notify_one();
        Ok(id)
    }

    /// Queues many jobs in one transaction; returns how many were queued.
    pub async fn enqueue_many<J: Job>(&self, jobs: &[J]) -> Result<u64, StorageError> {
        if jobs.is_empty() {
            return Ok(0);
        }
        let now = storage::now();
        let rows = jobs
            .iter()
            .map(|job| self.new_job(job, now))
            .collect::<Result<Vec<_>, _>>()?;
        let ids = storage::jobs::enqueue_many(&self.db, &rows, now).await?;
        self.wake.notify_waiters();
        Ok(ids.iter().flatten().count() as u64)
    }

    fn new_job<J: Job>(&self, job: &J, run_at: DateTime<Utc>) -> Result<NewJob, StorageError> {
        Ok(NewJob {
            kind: J::KIND.to_string(),
            payload: serde_json::to_string(job).map_err(StorageError::Corrupt)?,
            dedup_key: job.dedup_key(),
            batch_key: job.batch_key().filter(|_| J::BATCH > 1),
            run_at: storage::truncate(run_at),
            max_attempts: self.max_attempts,
        })
    }

    /// A job to run now, for storage to queue in the same transaction as the write that calls
    /// for it; [`Queue::notify`] once that transaction is committed.
    pub fn prepare<J: Job>(&self, job: &J) -> Result<NewJob, StorageError> {
        self.new_job(job, storage::now())
    }

    /// Wakes an idle worker of this process for a job queued through [`Queue::prepare`].
    pub fn notify(&self) {
        self.wake.notify_one();
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub(crate) fn wake_signal(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }
}
