//! Workers: claim a due job, run it while renewing its lease, then complete it or record the
//! failure with exponential backoff. Idle workers sleep until a local enqueue wakes them or the
//! poll interval passes (jobs queued by other instances are found by polling).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::{Permanent, Queue, Registry};
use crate::config::JobSettings;
use crate::storage::jobs::{FailOutcome, Failure, JobRow};
use crate::storage::{self, Db};

/// What one call of [`Worker::try_execute_one`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A job was claimed and run (whatever its result).
    Ran,
    /// No job was due.
    Empty,
}

/// Runs jobs of one registry with one context.
pub struct Worker<C> {
    db: Db,
    registry: Arc<Registry<C>>,
    kinds: Vec<&'static str>,
    context: C,
    settings: JobSettings,
    wake: Arc<Notify>,
}

impl<C: Clone + Send + Sync + 'static> Worker<C> {
    pub fn new(
        queue: &Queue,
        registry: Arc<Registry<C>>,
        context: C,
        settings: JobSettings,
    ) -> Self {
        let kinds = registry.kinds();
        Self {
            db: queue.db().clone(),
            registry,
            kinds,
            context,
            settings,
            wake: queue.wake_signal(),
        }
    }

    /// Claims and runs one due job, if there is one, with the due jobs that may run with it
    /// (same kind and batch key, up to the kind's batch size).
    pub async fn try_execute_one(&self) -> anyhow::Result<Outcome> {
        if self.kinds.is_empty() {
            return Ok(Outcome::Empty);
        }
        let claim = uuid::Uuid::new_v4().to_string();
        let now = storage::now();
        let Some(first) =
            storage::jobs::claim(&self.db, &self.kinds, &claim, now, self.lease_end(now))
                .await
                .context("claiming a job")?
        else {
            return Ok(Outcome::Empty);
        };
        let more = self.registry.batch(&first.kind).saturating_sub(1);
        let mut jobs = vec![first];
        match storage::jobs::claim_more(&self.db, &jobs[0], more, now).await {
            Ok(joined) => jobs.extend(joined),
            // The first job runs alone; the others wait for the next claim.
            Err(error) => tracing::warn!(error = %error, "the job's batch could not be claimed"),
        }
        let spans: Vec<_> = jobs
            .iter()
            .map(|job| tracing::info_span!("job", job.id = %job.id, job.kind = %job.kind, job.attempt = job.attempts, batch = jobs.len()))
            .collect();
        let started = std::time::Instant::now();
        let results = self.run_with_lease(&jobs, &claim, &spans[0]).await;
        let duration_ms = started.elapsed().as_millis() as u64;
        for ((job, result), span) in jobs.iter().zip(results).zip(&spans) {
            match result {
                RunResult::Done => {
                    if storage::jobs::complete(&self.db, &job.id, &claim).await? {
                        tracing::info!(parent: span, duration_ms, "job completed");
                    } else {
                        tracing::warn!(parent: span, duration_ms, "job finished after its claim was lost");
                    }
                }
                RunResult::Failed(error) => self.record_failure(job, &claim, &error, span).await?,
                RunResult::LeaseLost => {
                    tracing::warn!(parent: span, duration_ms, "job abandoned: its lease was taken over");
                }
            }
        }
        Ok(Outcome::Ran)
    }

    /// Runs until `stop` is cancelled, finishing the job in hand first.
    pub async fn run(self, stop: CancellationToken) {
        while !stop.is_cancelled() {
            match self.try_execute_one().await {
                Ok(Outcome::Ran) => continue,
                Ok(Outcome::Empty) => {}
                Err(error) => {
                    tracing::error!(error = format!("{error:#}"), "job queue unavailable")
                }
            }
            tokio::select! {
                () = stop.cancelled() => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.settings.poll_interval()) => {}
            }
        }
    }

    /// Runs the claimed jobs (all of one kind) and returns each one's result in order.
    async fn run_with_lease(
        &self,
        jobs: &[JobRow],
        claim: &str,
        span: &tracing::Span,
    ) -> Vec<RunResult> {
        let Some(runner) = self.registry.runner(&jobs[0].kind) else {
            let kind = &jobs[0].kind;
            return jobs
                .iter()
                .map(|_| {
                    RunResult::Failed(anyhow::Error::new(Permanent(format!(
                        "no runner for job kind {kind}"
                    ))))
                })
                .collect();
        };
        let payloads = jobs.iter().map(|job| job.payload.clone()).collect();
        // The jobs run in their own task so that a panic is a failed run, not a dead worker.
        let run = runner(self.context.clone(), payloads).instrument(span.clone());
        let mut task = tokio::spawn(run);
        let renew_every = self.settings.lease() / 3;
        loop {
            tokio::select! {
                joined = &mut task => {
                    return match joined {
                        Ok(results) => results
                            .into_iter()
                            .map(|result| match result {
                                Ok(()) => RunResult::Done,
                                Err(error) => RunResult::Failed(error),
                            })
                            .collect(),
                        Err(join) => jobs
                            .iter()
                            .map(|_| RunResult::Failed(anyhow::anyhow!("the job panicked: {join}")))
                            .collect(),
                    };
                }
                () = tokio::time::sleep(renew_every) => {
                    let now = storage::now();
                    match storage::jobs::heartbeat(&self.db, claim, now, self.lease_end(now)).await {
                        Ok(true) => {}
                        Ok(false) => {
                            task.abort();
                            return jobs.iter().map(|_| RunResult::LeaseLost).collect();
                        }
                        // A missed renewal is retried at the next beat; the lease has slack.
                        Err(error) => tracing::warn!(job.id = %jobs[0].id, error = %error, "lease renewal failed"),
                    }
                }
            }
        }
    }

    async fn record_failure(
        &self,
        job: &JobRow,
        claim: &str,
        error: &anyhow::Error,
        span: &tracing::Span,
    ) -> anyhow::Result<()> {
        let now = storage::now();
        let message = format!("{error:#}");
        let failure = Failure {
            error: &message,
            retry_at: now + backoff(&self.settings, job.attempts),
            permanent: error.downcast_ref::<Permanent>().is_some(),
        };
        match storage::jobs::fail(&self.db, &job.id, claim, failure, now).await? {
            FailOutcome::Retry(at) => {
                tracing::warn!(parent: span, error = %message, retry_at = %at, "job failed, will retry")
            }
            FailOutcome::Dead => {
                tracing::error!(parent: span, error = %message, "job failed for good");
                if let Some(gave_up) = self.registry.gave_up(&job.kind) {
                    let told = gave_up(self.context.clone(), job.payload.clone()).await;
                    if let Err(error) = told {
                        tracing::error!(parent: span, error = format!("{error:#}"), "the job's failure could not be recorded");
                    }
                }
            }
            FailOutcome::Merged => {
                tracing::warn!(parent: span, error = %message, "job failed; a newer equal job is queued")
            }
            FailOutcome::LostClaim => {
                tracing::warn!(parent: span, error = %message, "job failed after its claim was lost")
            }
        }
        Ok(())
    }

    fn lease_end(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + TimeDelta::from_std(self.settings.lease()).unwrap_or(TimeDelta::MAX)
    }
}

enum RunResult {
    Done,
    Failed(anyhow::Error),
    LeaseLost,
}

/// The delay before attempt `attempts + 1`: the base, doubled per earlier failure, capped.
pub fn backoff(settings: &JobSettings, attempts: i32) -> TimeDelta {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    let secs = settings
        .backoff_base_secs
        .saturating_mul(1 << doublings)
        .min(settings.backoff_max_secs);
    TimeDelta::from_std(Duration::from_secs(secs)).unwrap_or(TimeDelta::MAX)
}

/// A set of workers sharing one stop signal.
pub struct WorkerPool {
    stop: CancellationToken,
    tasks: JoinSet<()>,
}

impl WorkerPool {
    /// Starts `count` workers.
    pub fn start<C: Clone + Send + Sync + 'static>(
        count: usize,
        queue: &Queue,
        registry: Arc<Registry<C>>,
        context: C,
        settings: &JobSettings,
    ) -> Self {
        let stop = CancellationToken::new();
        let mut tasks = JoinSet::new();
        for _ in 0..count {
            let worker = Worker::new(
                queue,
                Arc::clone(&registry),
                context.clone(),
                settings.clone(),
            );
            tasks.spawn(worker.run(stop.child_token()));
        }
        Self { stop, tasks }
    }

    /// Asks every worker to stop after its current job and waits up to `grace` for them; a
    /// worker still busy then is aborted, and its job runs again once the lease lapses.
    pub async fn shutdown(mut self, grace: Duration) {
        self.stop.cancel();
        let drained = tokio::time::timeout(grace, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!(
                workers = self.tasks.len(),
                "workers still busy at shutdown; aborting them"
            );
            self.tasks.abort_all();
        }
    }
}
