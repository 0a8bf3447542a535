//! The job queue end to end: workers under contention, crashed workers, retries, panics, on
//! SQLite and on PostgreSQL.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use outforce::config::JobSettings;
use outforce::jobs::worker::{Outcome, Worker, WorkerPool};
use outforce::jobs::{Job, Permanent, Queue, Registry};
use outforce::storage::{self, Db};
use serde::{Deserialize, Serialize};

use crate::eventually::{eventually, when};

/// What the test jobs did, shared with the test.
#[derive(Clone, Default)]
struct Ledger {
    runs: Arc<Mutex<HashMap<u64, u32>>>,
}

impl Ledger {
    fn record(&self, n: u64) {
        *self.runs.lock().unwrap().entry(n).or_default() += 1;
    }
    fn runs_of(&self, n: u64) -> u32 {
        self.runs.lock().unwrap().get(&n).copied().unwrap_or(0)
    }
    fn snapshot(&self) -> HashMap<u64, u32> {
        self.runs.lock().unwrap().clone()
    }
}

#[derive(Serialize, Deserialize)]
struct Count {
    n: u64,
}

impl Job for Count {
    const KIND: &'static str = "test_count";
    type Context = Ledger;
    async fn run(&self, ledger: &Ledger) -> anyhow::Result<()> {
        ledger.record(self.n);
        Ok(())
    }
}

/// Runs for an hour: a worker on it is "killed" by aborting its task.
#[derive(Serialize, Deserialize)]
struct Hang {
    n: u64,
}

impl Job for Hang {
    const KIND: &'static str = "test_hang";
    type Context = Ledger;
    async fn run(&self, ledger: &Ledger) -> anyhow::Result<()> {
        // The first run hangs (its worker is killed); later runs complete.
        if ledger.runs_of(self.n) == 0 {
            ledger.record(self.n);
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        ledger.record(self.n + 1_000_000);
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct FailTwice {
    n: u64,
}

impl Job for FailTwice {
    const KIND: &'static str = "test_fail_twice";
    type Context = Ledger;
    async fn run(&self, ledger: &Ledger) -> anyhow::Result<()> {
        ledger.record(self.n);
        if ledger.runs_of(self.n) <= 2 {
            anyhow::bail!("transient failure {}", ledger.runs_of(self.n));
        }
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct Explode;

impl Job for Explode {
    const KIND: &'static str = "test_explode";
    type Context = Ledger;
    async fn run(&self, _: &Ledger) -> anyhow::Result<()> {
        panic!("a bug in a job");
    }
}

#[derive(Serialize, Deserialize)]
struct Reject;

impl Job for Reject {
    const KIND: &'static str = "test_reject";
    type Context = Ledger;
    async fn run(&self, _: &Ledger) -> anyhow::Result<()> {
        Err(Permanent("the record was rejected for good".into()).into())
    }
}

/// Jobs of one group run together, three at most: odd ones fail, and the ledger keeps the size of
/// each batch under `1_000_000 + size`.
#[derive(Serialize, Deserialize)]
struct Grouped {
    group: u64,
    n: u64,
}

impl Job for Grouped {
    const KIND: &'static str = "test_grouped";
    type Context = Ledger;
    const BATCH: usize = 3;

    fn batch_key(&self) -> Option<String> {
        Some(self.group.to_string())
    }

    async fn run(&self, ledger: &Ledger) -> anyhow::Result<()> {
        Self::run_batch(std::slice::from_ref(self), ledger)
            .await
            .pop()
            .expect("one result")
    }

    async fn run_batch(jobs: &[Self], ledger: &Ledger) -> Vec<anyhow::Result<()>> {
        ledger.record(1_000_000 + jobs.len() as u64);
        jobs.iter()
            .map(|job| {
                ledger.record(job.n);
                if job.n % 2 == 1 && ledger.runs_of(job.n) == 1 {
                    anyhow::bail!("odd ones fail once");
                }
                Ok(())
            })
            .collect()
    }
}

fn registry() -> Arc<Registry<Ledger>> {
    Arc::new(
        Registry::new()
            .register::<Count>()
            .register::<Hang>()
            .register::<FailTwice>()
            .register::<Explode>()
            .register::<Reject>()
            .register::<Grouped>(),
    )
}

fn settings(lease_secs: u64) -> JobSettings {
    JobSettings {
        workers: 4,
        poll_interval_ms: 20,
        lease_secs,
        max_attempts: 5,
        backoff_base_secs: 0,
        backoff_max_secs: 0,
    }
}

crate::on_both_databases!(
    four_workers_drain_ten_thousand_jobs_each_exactly_once,
    a_job_whose_worker_dies_runs_again_after_its_lease_and_completes_once,
    a_failing_job_is_retried_until_it_succeeds,
    a_panicking_job_fails_without_killing_its_worker,
    a_permanent_failure_is_not_retried,
    jobs_of_one_batch_key_run_together_and_fail_alone,
);

async fn four_workers_drain_ten_thousand_jobs_each_exactly_once(db: Db) {
    const JOBS: u64 = 10_000;
    let queue = Queue::new(db.clone(), 5);
    let jobs: Vec<Count> = (0..JOBS).map(|n| Count { n }).collect();
    assert_eq!(queue.enqueue_many(&jobs).await.unwrap(), JOBS);

    let ledger = Ledger::default();
    let pool = WorkerPool::start(4, &queue, registry(), ledger.clone(), &settings(30));
    eventually("the queue drained", Duration::from_secs(60), || async {
        let counts = storage::jobs::counts(&db).await.unwrap();
        when(counts, |c| *c == Default::default())
    })
    .await;
    pool.shutdown(Duration::from_secs(10)).await;

    let runs = ledger.snapshot();
    assert_eq!(runs.len() as u64, JOBS, "every job ran");
    let repeated: Vec<_> = runs.iter().filter(|(_, count)| **count != 1).collect();
    assert!(repeated.is_empty(), "jobs run more than once: {repeated:?}");
}

async fn a_job_whose_worker_dies_runs_again_after_its_lease_and_completes_once(db: Db) {
    let queue = Queue::new(db.clone(), 5);
    let id = queue.enqueue(&Hang { n: 7 }).await.unwrap().unwrap();
    let ledger = Ledger::default();
    let settings = settings(2);

    // A worker takes the job and is killed mid-run (the task is aborted: no completion, no
    // failure, no more lease renewals).
    let doomed = Worker::new(&queue, registry(), ledger.clone(), settings.clone());
    let crashed = tokio::spawn(async move { doomed.try_execute_one().await });
    eventually("the first run started", Duration::from_secs(10), || async {
        when(ledger.runs_of(7), |runs| *runs == 1)
    })
    .await;
    crashed.abort();
    let _ = crashed.await;
    let held = storage::jobs::find(&db, &id).await.unwrap().unwrap();
    assert_eq!(
        held.state, "running",
        "the dead worker's lease still holds the job"
    );

    // Another worker finds nothing until the lease lapses, then runs the job to completion.
    let survivor = Worker::new(&queue, registry(), ledger.clone(), settings);
    assert_eq!(survivor.try_execute_one().await.unwrap(), Outcome::Empty);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(survivor.try_execute_one().await.unwrap(), Outcome::Ran);
    assert_eq!(
        ledger.runs_of(1_000_007),
        1,
        "the job completed exactly once"
    );
    assert_eq!(storage::jobs::find(&db, &id).await.unwrap(), None);
    assert_eq!(survivor.try_execute_one().await.unwrap(), Outcome::Empty);
}

async fn a_failing_job_is_retried_until_it_succeeds(db: Db) {
    let queue = Queue::new(db.clone(), 5);
    let id = queue.enqueue(&FailTwice { n: 1 }).await.unwrap().unwrap();
    let ledger = Ledger::default();
    let worker = Worker::new(&queue, registry(), ledger.clone(), settings(30));
    for _ in 0..3 {
        assert_eq!(worker.try_execute_one().await.unwrap(), Outcome::Ran);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(ledger.runs_of(1), 3);
    assert_eq!(
        storage::jobs::find(&db, &id).await.unwrap(),
        None,
        "succeeded on the third run"
    );
}

async fn a_panicking_job_fails_without_killing_its_worker(db: Db) {
    let queue = Queue::new(db.clone(), 1);
    let id = queue.enqueue(&Explode).await.unwrap().unwrap();
    queue.enqueue(&Count { n: 3 }).await.unwrap();
    let ledger = Ledger::default();
    let worker = Worker::new(&queue, registry(), ledger.clone(), settings(30));
    assert_eq!(worker.try_execute_one().await.unwrap(), Outcome::Ran);
    assert_eq!(worker.try_execute_one().await.unwrap(), Outcome::Ran);
    assert_eq!(ledger.runs_of(3), 1, "the worker went on to the next job");
    let dead = storage::jobs::find(&db, &id).await.unwrap().unwrap();
    assert_eq!(dead.state, "dead");
    assert!(dead.last_error.unwrap().contains("panicked"));
}

async fn a_permanent_failure_is_not_retried(db: Db) {
    let queue = Queue::new(db.clone(), 5);
    let id = queue.enqueue(&Reject).await.unwrap().unwrap();
    let worker = Worker::new(&queue, registry(), Ledger::default(), settings(30));
    assert_eq!(worker.try_execute_one().await.unwrap(), Outcome::Ran);
    let dead = storage::jobs::find(&db, &id).await.unwrap().unwrap();
    assert_eq!((dead.state.as_str(), dead.attempts), ("dead", 1));
    assert_eq!(
        dead.last_error.as_deref(),
        Some("the record was rejected for good")
    );
}

async fn jobs_of_one_batch_key_run_together_and_fail_alone(db: Db) {
    let queue = Queue::new(db.clone(), 5);
    let jobs: Vec<Grouped> = (1..=4)
        .map(|n| Grouped { group: 7, n })
        .chain([Grouped { group: 8, n: 10 }])
        .collect();
    queue.enqueue_many(&jobs).await.unwrap();
    let ledger = Ledger::default();
    let worker = Worker::new(&queue, registry(), ledger.clone(), settings(30));
    let mut ran = 0;
    while worker.try_execute_one().await.unwrap() == Outcome::Ran {
        ran += 1;
        assert!(ran < 20, "the queue drains");
    }
    // Seven runs in all (five jobs, two retries), in batches of three at most, one rep's jobs
    // together: group 7's first claim takes three of its four.
    let batches: Vec<(u64, u32)> = (1..=5)
        .map(|size| (size, ledger.runs_of(1_000_000 + size)))
        .collect();
    let runs: u64 = batches.iter().map(|(size, n)| size * u64::from(*n)).sum();
    assert_eq!(runs, 7, "{batches:?}");
    assert!(
        batches[2].1 >= 1,
        "three of a group ran as one batch: {batches:?}"
    );
    assert_eq!(
        (batches[3].1, batches[4].1),
        (0, 0),
        "never more than three"
    );
    for n in [2, 4, 10] {
        assert_eq!(ledger.runs_of(n), 1, "job {n} succeeded the first time");
    }
    for n in [1, 3] {
        assert_eq!(ledger.runs_of(n), 2, "job {n} failed alone and ran again");
    }
    assert_eq!(storage::jobs::counts(&db).await.unwrap().pending, 0);
}
