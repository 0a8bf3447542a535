//! Two `serve` instances on one PostgreSQL database share the queue: every job runs once.

use std::time::Duration;

use outforce::jobs::{Job, Registry};
use outforce::state::AppState;
use outforce::storage::{self, Db};
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

use crate::db::{self, Backend};
use crate::eventually::{eventually, when};
use crate::helpers::{spawn_with, test_settings};

/// Records which instance ran it in a table the test made.
#[derive(Serialize, Deserialize)]
struct Mark {
    n: i64,
}

impl Job for Mark {
    const KIND: &'static str = "test_mark";
    type Context = AppState;
    async fn run(&self, state: &AppState) -> anyhow::Result<()> {
        let Db::Postgres(pool) = &state.db else {
            anyhow::bail!("this test runs on PostgreSQL")
        };
        sqlx::query("INSERT INTO test_runs (n, instance) VALUES ($1, $2)")
            .bind(self.n)
            .bind(
                state
                    .settings
                    .http
                    .public_url
                    .as_deref()
                    .unwrap_or_default(),
            )
            .execute(pool)
            .await?;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_postgres_run_each_job_once() {
    const JOBS: i64 = 2_000;
    let test_db = db::fresh(Backend::Postgres).await;
    let Db::Postgres(pool) = &test_db.db else {
        unreachable!()
    };
    sqlx::query("CREATE TABLE test_runs (n BIGINT NOT NULL, instance TEXT NOT NULL)")
        .execute(pool)
        .await
        .unwrap();

    let instance = |name: &str| {
        let mut loaded = test_settings(&test_db.url);
        loaded.settings.http.public_url = Some(format!("https://{name}.example"));
        loaded
    };
    let a = spawn_with(instance("a"), Registry::new().register::<Mark>()).await;
    let b = spawn_with(instance("b"), Registry::new().register::<Mark>()).await;

    let jobs: Vec<Mark> = (0..JOBS).map(|n| Mark { n }).collect();
    a.state.queue.enqueue_many(&jobs).await.unwrap();
    eventually("the queue drained", Duration::from_secs(30), || async {
        let counts = storage::jobs::counts(&test_db.db).await.unwrap();
        when(counts, |c| *c == Default::default())
    })
    .await;

    let twice: Vec<i64> =
        sqlx::query_scalar("SELECT n FROM test_runs GROUP BY n HAVING COUNT(*) > 1")
            .fetch_all(pool)
            .await
            .unwrap();
    assert!(twice.is_empty(), "jobs run twice: {twice:?}");
    let distinct: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT n) FROM test_runs")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(distinct, JOBS, "every job ran");
    let per_instance = sqlx::query(
        "SELECT instance, COUNT(*) AS runs FROM test_runs GROUP BY instance ORDER BY instance",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let runs: Vec<(String, i64)> = per_instance
        .iter()
        .map(|r| (r.get("instance"), r.get("runs")))
        .collect();
    assert_eq!(
        runs.len(),
        2,
        "both instances took jobs from the shared queue: {runs:?}"
    );

    a.stop().await;
    b.stop().await;
}
