#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark should stop loudly at the first surprise"
)]

//! Queue throughput on SQLite and PostgreSQL: jobs enqueued per second (one by one, and in
//! batches) and jobs claimed + run + completed per second by 4 workers. Prints figures; asserts
//! nothing. Run with `cargo bench --bench queue` (PostgreSQL from OUTFORCE_TEST_POSTGRES_URL,
//! default the local server).

#[path = "../tests/support/db.rs"]
mod db;

use std::sync::Arc;
use std::time::{Duration, Instant};

use outforce::config::JobSettings;
use outforce::jobs::worker::WorkerPool;
use outforce::jobs::{Job, Queue, Registry};
use outforce::storage;
use serde::{Deserialize, Serialize};

const SINGLE: usize = 2_000;
const BATCHED: usize = 10_000;
const BATCH: usize = 500;
const WORKERS: usize = 4;

#[derive(Serialize, Deserialize)]
struct Noop {
    n: usize,
}

impl Job for Noop {
    const KIND: &'static str = "bench_noop";
    type Context = ();
    async fn run(&self, _: &()) -> anyhow::Result<()> {
        Ok(())
    }
}

fn per_second(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

async fn bench(backend: db::Backend) -> anyhow::Result<()> {
    let test_db = db::fresh(backend).await;
    let queue = Queue::new(test_db.db.clone(), 5);

    let started = Instant::now();
    for n in 0..SINGLE {
        queue.enqueue(&Noop { n }).await?;
    }
    let single = per_second(SINGLE, started.elapsed());

    let jobs: Vec<Noop> = (0..BATCHED).map(|n| Noop { n }).collect();
    let started = Instant::now();
    for chunk in jobs.chunks(BATCH) {
        queue.enqueue_many(chunk).await?;
    }
    let batched = per_second(BATCHED, started.elapsed());

    let total = SINGLE + BATCHED;
    let settings = JobSettings {
        poll_interval_ms: 10,
        ..JobSettings::default()
    };
    let started = Instant::now();
    let pool = WorkerPool::start(
        WORKERS,
        &queue,
        Arc::new(Registry::new().register::<Noop>()),
        (),
        &settings,
    );
    while storage::jobs::counts(&test_db.db).await?.pending
        + storage::jobs::counts(&test_db.db).await?.running
        > 0
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let drained = per_second(total, started.elapsed());
    pool.shutdown(Duration::from_secs(5)).await;
    test_db.db.close().await;

    println!(
        "{:<10} {:>16.0} {:>18.0} {:>24.0}",
        format!("{backend:?}"),
        single,
        batched,
        drained
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    println!(
        "queue benchmark: {SINGLE} single enqueues, {BATCHED} in batches of {BATCH}, then {WORKERS} workers drain all"
    );
    println!(
        "{:<10} {:>16} {:>18} {:>24}",
        "database", "enqueue/s single", "enqueue/s batched", "claim+run+complete/s"
    );
    bench(db::Backend::Sqlite).await?;
    bench(db::Backend::Postgres).await?;
    Ok(())
}
