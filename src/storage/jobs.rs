//! The job queue's SQL. The queue semantics (typed jobs, backoff, workers) live in
//! [`crate::jobs`]; this file only moves rows.
//!
//! A claimed job is `running` with a lease (`locked_until`) and a claim token (`locked_by`);
//! every later write for that claim names the token, so a worker whose lease has expired and
//! whose job was claimed again cannot complete or fail it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Db, StorageError, from_row, in_json_array, new_id, one_row, with_pool};
use crate::column::{JsonText, text_enum};

text_enum! {
    pub enum JobState {
        /// Waiting for its `run_at`, or for a worker.
        Pending = "pending",
        /// Claimed by a worker, under a lease.
        Running = "running",
        /// Out of attempts, or failed for good: kept for the operator.
        Dead = "dead",
    }
}

/// A job to put on the queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: String,
    /// While a pending job of the same kind has this key, another is not queued.
    pub dedup_key: Option<String>,
    /// Due jobs of the same kind and batch key may be claimed and run together.
    pub batch_key: Option<String>,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i32,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub dedup_key: Option<String>,
    pub batch_key: Option<String>,
    pub state: JobState,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

from_row!(JobRow {
    id,
    kind,
    payload,
    dedup_key,
    batch_key,
    state,
    attempts,
    max_attempts,
    run_at,
    locked_until,
    locked_by,
    last_error,
    created_at,
    updated_at
});

/// How many jobs are in each state, for `/metrics` and the admin status page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    pub pending: i64,
    pub running: i64,
    pub dead: i64,
}

/// What a failure did to the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// Back on the queue, to run again at the given time.
    Retry(DateTime<Utc>),
    /// Out of attempts: kept as `dead` with its last error.
    Dead,
    /// A pending twin with the same de-duplication key will do the work; this one was dropped.
    Merged,
    /// The claim was no longer ours (the lease had expired and someone else took the job).
    LostClaim,
}

macro_rules! columns {
    () => {
        "id, kind, payload, dedup_key, batch_key, state, attempts, max_attempts, run_at, \
                           locked_until, locked_by, last_error, created_at, updated_at"
    };
}

pub(crate) const INSERT: &str = "INSERT INTO jobs (id, kind, payload, dedup_key, batch_key, state, \
     attempts, max_attempts, run_at, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $8, 'pending', 0, $5, $6, $7, $7) \
     ON CONFLICT (kind, dedup_key) WHERE state = 'pending' DO NOTHING";

/// The statement that queues `$job` (a [`NewJob`]) under `$id`, ready to run on a pool or in a
/// transaction of either database; a pending job of the same kind and key makes it a no-op.
macro_rules! insert_job {
    ($job:expr, $id:expr, $now:expr) => {
        sqlx::query($crate::storage::jobs::INSERT)
            .bind($id)
            .bind(&$job.kind)
            .bind(&$job.payload)
            .bind(&$job.dedup_key)
            .bind($job.max_attempts)
            .bind($job.run_at)
            .bind($now)
            .bind(&$job.batch_key)
    };
}
pub(crate) use insert_job;

/// Queues a job. Returns its id, or `None` when a pending job of the same kind already holds
/// the de-duplication key.
pub async fn enqueue(
    db: &Db,
    job: &NewJob,
    now: DateTime<Utc>,
) -> Result<Option<String>, StorageError> {
    Ok(enqueue_many(db, std::slice::from_ref(job), now)
        .await?
        .pop()
        .flatten())
}

/// Queues many jobs in one transaction. Returns each one's id, or `None` for a job that was not
/// queued because an equal one is pending.
pub async fn enqueue_many(
    db: &Db,
    jobs: &[NewJob],
    now: DateTime<Utc>,
) -> Result<Vec<Option<String>>, StorageError> {
    let mut ids = Vec::with_capacity(jobs.len());
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        for job in jobs {
            let id = new_id();
            let inserted = insert_job!(job, &id, now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            ids.push((inserted == 1).then_some(id));
        }
        tx.commit().await?;
    });
    Ok(ids)
}

// The job to claim is a running one whose lease has lapsed (its worker died), else the oldest
// due pending one; each lookup walks its own partial index in order. (SQLite would otherwise
// pick the de-duplication index for `kind IN (...)` and sort every pending job on each claim;
// the unary `+` keeps it off that index.) Jobs about the same thing (one de-duplication key)
// never run at once, on any instance (a second sync of one link would write its Event twice): a
// lapsed job waits while a live one of its key runs, a pending one while any of its key does. PostgreSQL skips rows another claimer has
// locked; SQLite has a single writer and takes the write lock when the UPDATE starts, so the
// plain statement is already exclusive.
macro_rules! claim_sql {
    ($dialect:ident, $kind:literal, $lock:literal) => {
        concat!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, \
               locked_until = $1, locked_by = $2, updated_at = $3 \
             WHERE id = COALESCE( \
               (SELECT id FROM jobs AS due WHERE state = 'running' AND locked_until < $3 AND ",
            $kind,
            " ",
            in_json_array!($dialect, "$4"),
            " AND ",
            not_busy!(),
            " ORDER BY locked_until LIMIT 1 ",
            $lock,
            "), (SELECT id FROM jobs AS due WHERE state = 'pending' AND run_at <= $3 AND ",
            $kind,
            " ",
            in_json_array!($dialect, "$4"),
            " AND ",
            no_twin_running!(),
            " ORDER BY run_at, id LIMIT 1 ",
            $lock,
            ")) RETURNING ",
            columns!()
        )
    };
}

/// No other job of the same kind and key is running, under a live lease or a lapsed one: a
/// pending job waits for its lapsed twin to be taken up again and finish. (Checking only live
/// leases would let two claimers run both at once: one takes the lapsed twin while the other's
/// statement still sees its lease lapsed.)
macro_rules! no_twin_running {
    () => {
        "(due.dedup_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs AS twin \
           WHERE twin.state = 'running' AND twin.kind = due.kind \
           AND twin.dedup_key = due.dedup_key AND twin.id <> due.id))"
    };
}

/// No other job of the same kind and key is running under a live lease.
macro_rules! not_busy {
    () => {
        "(due.dedup_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs AS busy \
           WHERE busy.state = 'running' AND busy.locked_until >= $3 \
           AND busy.kind = due.kind AND busy.dedup_key = due.dedup_key AND busy.id <> due.id))"
    };
}
const CLAIM_SQLITE: &str = claim_sql!(sqlite, "+kind", "");
const CLAIM_POSTGRES: &str = claim_sql!(postgres, "kind", "FOR UPDATE SKIP LOCKED");

/// Claims the next due job of one of `kinds`, leasing it until `locked_until` under the claim
/// token `claim`. Only kinds this worker knows are claimed, so an older instance never takes a
/// job it cannot run.
pub async fn claim(
    db: &Db,
    kinds: &[&str],
    claim: &str,
    now: DateTime<Utc>,
    locked_until: DateTime<Utc>,
) -> Result<Option<JobRow>, StorageError> {
    let sql = match db {
        Db::Sqlite(_) => CLAIM_SQLITE,
        Db::Postgres(_) => CLAIM_POSTGRES,
    };
    let row = with_pool!(db, pool => {
        sqlx::query_as::<_, JobRow>(sql)
            .bind(locked_until)
            .bind(claim)
            .bind(now)
            .bind(JsonText(kinds))
            .fetch_optional(pool)
            .await?
    });
    Ok(row)
}

// Joins a claim: more jobs of the claimed one's kind and batch key, under the same claim token
// and lease: due pending ones, and running ones whose lease lapsed (their worker died: after a
// crash, a rep's interrupted jobs are taken up together). Two jobs of one key never run at once:
// a lapsed one is taken only when no live job holds its key, a pending one only when no job of
// its key runs at all (a lapsed twin goes first, in this batch or the next).
macro_rules! claim_more_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, \
               locked_until = $1, locked_by = $2, updated_at = $3 \
             WHERE id IN (SELECT id FROM jobs AS due WHERE kind = $4 AND batch_key = $5 \
               AND ((state = 'running' AND locked_until < $3 AND ",
            not_busy!(),
            ") OR (state = 'pending' AND run_at <= $3 AND ",
            no_twin_running!(),
            ")) ORDER BY run_at, id LIMIT $6 ",
            $lock,
            ") RETURNING ",
            columns!()
        )
    };
}
const CLAIM_MORE_SQLITE: &str = claim_more_sql!("");
const CLAIM_MORE_POSTGRES: &str = claim_more_sql!("FOR UPDATE SKIP LOCKED");

/// Claims up to `limit` more jobs that may run with `first` (same kind and batch key, due or
/// left behind by a dead worker) under its claim token and lease; none when `first` has no
/// batch key.
pub async fn claim_more(
    db: &Db,
    first: &JobRow,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Vec<JobRow>, StorageError> {
    let (Some(batch_key), Some(claim), Some(locked_until)) =
        (&first.batch_key, &first.locked_by, first.locked_until)
    else {
        return Ok(Vec::new());
    };
    if limit == 0 {
        return Ok(Vec::new());
    }
    let sql = match db {
        Db::Sqlite(_) => CLAIM_MORE_SQLITE,
        Db::Postgres(_) => CLAIM_MORE_POSTGRES,
    };
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, JobRow>(sql)
            .bind(locked_until)
            .bind(claim)
            .bind(now)
            .bind(&first.kind)
            .bind(batch_key)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?
    });
    Ok(rows)
}

const HEARTBEAT: &str = "UPDATE jobs SET locked_until = $1, updated_at = $2 \
     WHERE locked_by = $3 AND state = 'running'";

/// Extends the lease of the jobs of a claim still being run. `false` means the claim was lost
/// (another worker took its jobs over).
pub async fn heartbeat(
    db: &Db,
    claim: &str,
    now: DateTime<Utc>,
    locked_until: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(HEARTBEAT)
            .bind(locked_until)
            .bind(now)
            .bind(claim)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(updated >= 1)
}

const COMPLETE: &str = "DELETE FROM jobs WHERE id = $1 AND locked_by = $2 AND state = 'running'";

/// Removes a job that ran to completion. `false` means the claim was lost: someone else holds
/// the job now.
pub async fn complete(db: &Db, id: &str, claim: &str) -> Result<bool, StorageError> {
    let deleted = with_pool!(db, pool => {
        sqlx::query(COMPLETE).bind(id).bind(claim).execute(pool).await?.rows_affected()
    });
    Ok(deleted == 1)
}

const FAIL: &str = "UPDATE jobs SET \
     state = CASE WHEN $6 OR attempts >= max_attempts THEN 'dead' ELSE 'pending' END, \
     run_at = $1, locked_until = NULL, locked_by = NULL, last_error = $2, updated_at = $3 \
     WHERE id = $4 AND locked_by = $5 AND state = 'running' \
     RETURNING state";
const DROP_CLAIMED: &str = "DELETE FROM jobs WHERE id = $1 AND locked_by = $2";

/// How a failed run should be recorded.
#[derive(Debug, Clone, Copy)]
pub struct Failure<'a> {
    pub error: &'a str,
    /// When to run again, if attempts remain.
    pub retry_at: DateTime<Utc>,
    /// No retry can help: the job is dead at once.
    pub permanent: bool,
}

/// Records a failed run: the job goes back to pending until `retry_at`, or becomes dead once
/// its attempts are spent or the failure is permanent.
pub async fn fail(
    db: &Db,
    id: &str,
    claim: &str,
    failure: Failure<'_>,
    now: DateTime<Utc>,
) -> Result<FailOutcome, StorageError> {
    let result = with_pool!(db, pool => {
        sqlx::query_scalar::<_, JobState>(FAIL)
            .bind(failure.retry_at)
            .bind(failure.error)
            .bind(now)
            .bind(id)
            .bind(claim)
            .bind(failure.permanent)
            .fetch_optional(pool)
            .await
    });
    match result {
        Ok(Some(JobState::Dead)) => Ok(FailOutcome::Dead),
        Ok(Some(_)) => Ok(FailOutcome::Retry(failure.retry_at)),
        Ok(None) => Ok(FailOutcome::LostClaim),
        // Going back to pending collided with a newer pending job of the same key: that one
        // will do the same work, so this one steps aside.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            with_pool!(db, pool => {
                sqlx::query(DROP_CLAIMED).bind(id).bind(claim).execute(pool).await?;
            });
            Ok(FailOutcome::Merged)
        }
        Err(e) => Err(e.into()),
    }
}

/// One job by id.
pub async fn find(db: &Db, id: &str) -> Result<Option<JobRow>, StorageError> {
    let sql = concat!("SELECT ", columns!(), " FROM jobs WHERE id = $1");
    let row = with_pool!(db, pool => {
        sqlx::query_as::<_, JobRow>(sql).bind(id).fetch_optional(pool).await?
    });
    Ok(row)
}

/// Dead jobs, newest first, for the operator.
pub async fn list_dead(db: &Db, limit: i64) -> Result<Vec<JobRow>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM jobs WHERE state = 'dead' ORDER BY updated_at DESC LIMIT $1"
    );
    let rows = with_pool!(db, pool => {
        sqlx::query_as::<_, JobRow>(sql).bind(limit).fetch_all(pool).await?
    });
    Ok(rows)
}

const RETRY_DEAD: &str = "UPDATE jobs SET state = 'pending', attempts = 0, run_at = $1, \
     updated_at = $1 WHERE id = $2 AND state = 'dead'";

/// Puts a dead job back on the queue with a fresh set of attempts.
pub async fn retry_dead(db: &Db, id: &str, now: DateTime<Utc>) -> Result<(), StorageError> {
    let updated = with_pool!(db, pool => {
        sqlx::query(RETRY_DEAD)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map_err(StorageError::on_unique("pending job for this key"))?
            .rows_affected()
    });
    one_row(updated)
}

const COUNTS: &str = "SELECT state, COUNT(*) FROM jobs GROUP BY state";

/// Jobs per state.
pub async fn counts(db: &Db) -> Result<JobCounts, StorageError> {
    let rows: Vec<(JobState, i64)> =
        with_pool!(db, pool => sqlx::query_as(COUNTS).fetch_all(pool).await?);
    let mut counts = JobCounts::default();
    for (state, n) in rows {
        match state {
            JobState::Pending => counts.pending = n,
            JobState::Running => counts.running = n,
            JobState::Dead => counts.dead = n,
        }
    }
    Ok(counts)
}

const BUSY: &str =
    "SELECT COUNT(*) FROM jobs WHERE state = 'running' OR (state = 'pending' AND run_at <= $1)";

/// How many jobs run or are due at `now` (jobs set for later, such as the next poll, left out):
/// none means what was queued so far has been done.
pub async fn busy(db: &Db, now: DateTime<Utc>) -> Result<i64, StorageError> {
    let busy = with_pool!(db, pool => {
        sqlx::query_scalar(BUSY).bind(now).fetch_one(pool).await?
    });
    Ok(busy)
}
