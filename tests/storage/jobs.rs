use outforce::storage::jobs::{self, FailOutcome, Failure, JobCounts, NewJob};
use outforce::storage::{Db, StorageError};

use super::{later, t0};
use crate::on_both_databases;

on_both_databases!(
    enqueue_deduplicates_only_while_pending,
    claim_takes_due_jobs_of_known_kinds_in_order,
    a_lapsed_lease_is_claimed_again_and_the_old_claim_is_void,
    heartbeat_extends_the_lease,
    failure_retries_then_dies_and_can_be_revived,
    permanent_failure_dies_at_once,
    failure_steps_aside_for_a_newer_equal_job,
    enqueue_many_and_counts,
    jobs_with_one_key_never_run_at_once,
    a_claim_takes_the_due_jobs_of_its_batch_along,
    busy_counts_running_and_due_jobs_not_later_ones,
);

fn job(kind: &str, key: Option<&str>, run_at_offset: i64) -> NewJob {
    NewJob {
        kind: kind.to_string(),
        payload: r#"{"n":1}"#.to_string(),
        dedup_key: key.map(str::to_string),
        batch_key: None,
        run_at: later(run_at_offset),
        max_attempts: 3,
    }
}

async fn claim_at(db: &Db, kinds: &[&str], token: &str, at: i64) -> Option<jobs::JobRow> {
    jobs::claim(db, kinds, token, later(at), later(at + 60))
        .await
        .unwrap()
}

async fn enqueue_deduplicates_only_while_pending(db: Db) {
    let first = jobs::enqueue(&db, &job("sync_mailbox", Some("user-1"), 0), t0())
        .await
        .unwrap();
    assert!(first.is_some());
    let twin = jobs::enqueue(&db, &job("sync_mailbox", Some("user-1"), 0), t0())
        .await
        .unwrap();
    assert_eq!(twin, None, "an equal pending job is not queued twice");
    // The key is per kind, and keyless jobs never collide.
    assert!(
        jobs::enqueue(&db, &job("push_event", Some("user-1"), 0), t0())
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        jobs::enqueue(&db, &job("sync_mailbox", None, 5), t0())
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        jobs::enqueue(&db, &job("sync_mailbox", None, 5), t0())
            .await
            .unwrap()
            .is_some()
    );

    // Once the first is running, a change that arrives now must be queued again.
    let claimed = claim_at(&db, &["sync_mailbox"], "w1", 1).await.unwrap();
    assert_eq!(Some(claimed.id.clone()), first);
    assert!(
        jobs::enqueue(&db, &job("sync_mailbox", Some("user-1"), 0), t0())
            .await
            .unwrap()
            .is_some()
    );
}

async fn claim_takes_due_jobs_of_known_kinds_in_order(db: Db) {
    let late = jobs::enqueue(&db, &job("a", None, 30), t0())
        .await
        .unwrap()
        .unwrap();
    let early = jobs::enqueue(&db, &job("a", None, 0), t0())
        .await
        .unwrap()
        .unwrap();
    let other_kind = jobs::enqueue(&db, &job("b", None, 0), t0())
        .await
        .unwrap()
        .unwrap();

    let first = claim_at(&db, &["a"], "w1", 1).await.unwrap();
    assert_eq!(first.id, early);
    assert_eq!(first.state, "running");
    assert_eq!(first.attempts, 1);
    assert_eq!(first.locked_by.as_deref(), Some("w1"));
    assert_eq!(first.locked_until, Some(later(61)));
    assert!(
        claim_at(&db, &["a"], "w2", 1).await.is_none(),
        "the scheduled one is not due yet"
    );
    assert_eq!(claim_at(&db, &["a"], "w2", 31).await.unwrap().id, late);
    assert!(
        claim_at(&db, &["c"], "w3", 31).await.is_none(),
        "unknown kinds are left alone"
    );
    assert_eq!(
        claim_at(&db, &["b", "c"], "w3", 31).await.unwrap().id,
        other_kind
    );
    assert!(claim_at(&db, &[], "w4", 31).await.is_none());

    assert!(jobs::complete(&db, &early, "w1").await.unwrap());
    assert_eq!(
        jobs::find(&db, &early).await.unwrap(),
        None,
        "a completed job is gone"
    );
}

async fn a_lapsed_lease_is_claimed_again_and_the_old_claim_is_void(db: Db) {
    let id = jobs::enqueue(&db, &job("a", None, 0), t0())
        .await
        .unwrap()
        .unwrap();
    claim_at(&db, &["a"], "dead-worker", 0).await.unwrap();
    assert!(
        claim_at(&db, &["a"], "w2", 30).await.is_none(),
        "the lease still holds"
    );
    let again = claim_at(&db, &["a"], "w2", 61).await.unwrap();
    assert_eq!(again.id, id);
    assert_eq!(again.attempts, 2);

    // The worker that lost the lease cannot complete, fail or renew the job any more.
    assert!(!jobs::complete(&db, &id, "dead-worker").await.unwrap());
    assert!(
        !jobs::heartbeat(&db, "dead-worker", later(62), later(120))
            .await
            .unwrap()
    );
    let failure = Failure {
        error: "late",
        retry_at: later(70),
        permanent: false,
    };
    assert_eq!(
        jobs::fail(&db, &id, "dead-worker", failure, later(62))
            .await
            .unwrap(),
        FailOutcome::LostClaim
    );
    assert!(jobs::complete(&db, &id, "w2").await.unwrap());
}

async fn heartbeat_extends_the_lease(db: Db) {
    let id = jobs::enqueue(&db, &job("a", None, 0), t0())
        .await
        .unwrap()
        .unwrap();
    claim_at(&db, &["a"], "w1", 0).await.unwrap();
    assert!(
        jobs::heartbeat(&db, "w1", later(50), later(200))
            .await
            .unwrap()
    );
    assert_eq!(
        jobs::find(&db, &id).await.unwrap().unwrap().locked_until,
        Some(later(200))
    );
    assert!(
        claim_at(&db, &["a"], "w2", 100).await.is_none(),
        "the renewed lease holds"
    );
}

async fn failure_retries_then_dies_and_can_be_revived(db: Db) {
    let id = jobs::enqueue(&db, &job("a", None, 0), t0())
        .await
        .unwrap()
        .unwrap();
    for attempt in 1..=3 {
        let at = attempt * 100;
        let claimed = claim_at(&db, &["a"], "w", at).await.unwrap();
        assert_eq!(claimed.attempts, i32::try_from(attempt).unwrap());
        let failure = Failure {
            error: "UNABLE_TO_LOCK_ROW",
            retry_at: later(at + 10),
            permanent: false,
        };
        let outcome = jobs::fail(&db, &id, "w", failure, later(at)).await.unwrap();
        if attempt < 3 {
            assert_eq!(outcome, FailOutcome::Retry(later(at + 10)));
            assert!(
                claim_at(&db, &["a"], "w", at + 5).await.is_none(),
                "backoff is respected"
            );
        } else {
            assert_eq!(outcome, FailOutcome::Dead);
        }
    }
    assert!(
        claim_at(&db, &["a"], "w", 1000).await.is_none(),
        "dead jobs are not claimed"
    );
    let dead = jobs::list_dead(&db, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].last_error.as_deref(), Some("UNABLE_TO_LOCK_ROW"));

    jobs::retry_dead(&db, &id, later(1000)).await.unwrap();
    let revived = claim_at(&db, &["a"], "w", 1000).await.unwrap();
    assert_eq!(
        revived.attempts, 1,
        "a revived job gets a fresh set of attempts"
    );
    assert!(matches!(
        jobs::retry_dead(&db, &id, later(1001)).await,
        Err(StorageError::NotFound)
    ));
}

async fn permanent_failure_dies_at_once(db: Db) {
    let id = jobs::enqueue(&db, &job("a", None, 0), t0())
        .await
        .unwrap()
        .unwrap();
    claim_at(&db, &["a"], "w", 0).await.unwrap();
    let failure = Failure {
        error: "payload unreadable",
        retry_at: later(10),
        permanent: true,
    };
    assert_eq!(
        jobs::fail(&db, &id, "w", failure, later(1)).await.unwrap(),
        FailOutcome::Dead
    );
    assert_eq!(jobs::find(&db, &id).await.unwrap().unwrap().state, "dead");
}

async fn failure_steps_aside_for_a_newer_equal_job(db: Db) {
    let running = jobs::enqueue(&db, &job("a", Some("k"), 0), t0())
        .await
        .unwrap()
        .unwrap();
    claim_at(&db, &["a"], "w", 0).await.unwrap();
    let newer = jobs::enqueue(&db, &job("a", Some("k"), 0), t0())
        .await
        .unwrap()
        .unwrap();
    let failure = Failure {
        error: "timeout",
        retry_at: later(10),
        permanent: false,
    };
    assert_eq!(
        jobs::fail(&db, &running, "w", failure, later(1))
            .await
            .unwrap(),
        FailOutcome::Merged
    );
    assert_eq!(jobs::find(&db, &running).await.unwrap(), None);
    assert_eq!(
        jobs::find(&db, &newer).await.unwrap().unwrap().state,
        "pending"
    );
}

async fn enqueue_many_and_counts(db: Db) {
    let batch = vec![
        job("a", Some("x"), 0),
        job("a", Some("x"), 0),
        job("a", None, 0),
        job("b", None, 0),
    ];
    let ids = jobs::enqueue_many(&db, &batch, t0()).await.unwrap();
    let queued: Vec<bool> = ids.iter().map(Option::is_some).collect();
    assert_eq!(
        queued,
        [true, false, true, true],
        "the duplicate is dropped"
    );
    claim_at(&db, &["b"], "w", 1).await.unwrap();
    let id = claim_at(&db, &["a"], "w", 1).await.unwrap().id;
    let failure = Failure {
        error: "bad",
        retry_at: later(2),
        permanent: true,
    };
    jobs::fail(&db, &id, "w", failure, later(1)).await.unwrap();
    assert_eq!(
        jobs::counts(&db).await.unwrap(),
        JobCounts {
            pending: 1,
            running: 1,
            dead: 1
        }
    );
}

async fn jobs_with_one_key_never_run_at_once(db: Db) {
    let first = jobs::enqueue(&db, &job("event.sync", Some("u/e1"), 0), t0())
        .await
        .unwrap()
        .unwrap();
    claim_at(&db, &["event.sync"], "w1", 1).await.unwrap();
    // A change while the first runs is queued, and other keys go ahead of it.
    let second = jobs::enqueue(&db, &job("event.sync", Some("u/e1"), 0), t0())
        .await
        .unwrap()
        .unwrap();
    jobs::enqueue(&db, &job("event.sync", Some("u/e2"), 2), t0())
        .await
        .unwrap();
    let other = claim_at(&db, &["event.sync"], "w2", 3).await.unwrap();
    assert_eq!(other.dedup_key.as_deref(), Some("u/e2"));
    assert!(jobs::complete(&db, &other.id, "w2").await.unwrap());
    assert!(
        claim_at(&db, &["event.sync"], "w2", 4).await.is_none(),
        "the same key waits while the first holds a live lease"
    );
    assert!(jobs::complete(&db, &first, "w1").await.unwrap());
    let next = claim_at(&db, &["event.sync"], "w2", 5).await.unwrap();
    assert_eq!(next.id, second, "and runs once the first is done");

    // A lapsed lease blocks nothing: its worker is gone, and the job itself is claimed again.
    let third = jobs::enqueue(&db, &job("event.sync", Some("u/e1"), 0), t0())
        .await
        .unwrap()
        .unwrap();
    let reclaimed = claim_at(&db, &["event.sync"], "w3", 100).await.unwrap();
    assert_eq!(reclaimed.id, second, "the lapsed one first");
    assert!(
        claim_at(&db, &["event.sync"], "w4", 101).await.is_none(),
        "and its twin waits for it again"
    );
    assert!(jobs::complete(&db, &second, "w3").await.unwrap());
    assert_eq!(
        claim_at(&db, &["event.sync"], "w4", 102).await.unwrap().id,
        third
    );
}

async fn a_claim_takes_the_due_jobs_of_its_batch_along(db: Db) {
    let batched = |key: &str, rep: &str, at: i64| NewJob {
        batch_key: Some(rep.to_string()),
        ..job("event.sync", Some(key), at)
    };
    for (key, rep, at) in [
        ("u/e1", "u", 0),
        ("u/e2", "u", 1),
        ("v/e1", "v", 2),
        ("u/e3", "u", 1),
        ("u/e4", "u", 50),
    ] {
        jobs::enqueue(&db, &batched(key, rep, at), t0())
            .await
            .unwrap();
    }
    // u/e1 runs elsewhere already; its pending twin must not join this batch.
    jobs::enqueue(&db, &batched("u/e5", "u", 1), t0())
        .await
        .unwrap();
    let busy = claim_at(&db, &["event.sync"], "elsewhere", 0)
        .await
        .unwrap();
    assert_eq!(busy.dedup_key.as_deref(), Some("u/e1"));
    jobs::enqueue(&db, &batched("u/e1", "u", 0), t0())
        .await
        .unwrap();

    let first = claim_at(&db, &["event.sync"], "w1", 3).await.unwrap();
    let more = jobs::claim_more(&db, &first, 10, later(3)).await.unwrap();
    let mut keys: Vec<_> = std::iter::once(&first)
        .chain(&more)
        .filter_map(|j| j.dedup_key.clone())
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        ["u/e2", "u/e3", "u/e5"],
        "the rep's due jobs, not another rep's, not one not yet due, not a key already running"
    );
    assert!(more.iter().all(|j| j.locked_by.as_deref() == Some("w1")));
    assert!(
        jobs::claim_more(&db, &first, 10, later(3))
            .await
            .unwrap()
            .is_empty()
    );

    // One heartbeat renews the lease of every job of the claim.
    assert!(
        jobs::heartbeat(&db, "w1", later(30), later(300))
            .await
            .unwrap()
    );
    for job in &more {
        let renewed = jobs::find(&db, &job.id).await.unwrap().unwrap();
        assert_eq!(renewed.locked_until, Some(later(300)));
    }
    // A job without a batch key runs alone.
    jobs::enqueue(&db, &job("other", None, 0), t0())
        .await
        .unwrap();
    let alone = claim_at(&db, &["other"], "w2", 3).await.unwrap();
    assert!(
        jobs::claim_more(&db, &alone, 10, later(3))
            .await
            .unwrap()
            .is_empty()
    );

    // Both workers die. The next claim takes up the rep's interrupted jobs together, with the
    // one now due, but not the twin of a key it holds.
    let first = claim_at(&db, &["event.sync"], "w3", 400).await.unwrap();
    assert_eq!(
        first.dedup_key.as_deref(),
        Some("u/e1"),
        "the longest lapsed first"
    );
    let more = jobs::claim_more(&db, &first, 10, later(400)).await.unwrap();
    let mut keys: Vec<_> = more.iter().filter_map(|j| j.dedup_key.clone()).collect();
    keys.sort();
    assert_eq!(keys, ["u/e2", "u/e3", "u/e4", "u/e5"]);
    assert!(more.iter().all(|j| j.locked_by.as_deref() == Some("w3")));
    assert!(
        !jobs::complete(&db, &more[0].id, "w1").await.unwrap(),
        "the dead worker's claim is void"
    );
}

/// PostgreSQL only (SQLite has one writer, so no claim runs beside a lock): while one claimer
/// holds a lapsed job (locked, not yet marked as its own), another claimer must not take that
/// job's pending twin, or both would run at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_twin_waits_while_its_lapsed_twin_is_being_taken_up_on_postgresql() {
    let test = crate::db::fresh(crate::db::Backend::Postgres).await;
    let db = test.db.clone();
    let lapsed = jobs::enqueue(&db, &job("event.sync", Some("u/e1"), 0), t0())
        .await
        .unwrap()
        .unwrap();
    claim_at(&db, &["event.sync"], "dead-worker", 0)
        .await
        .unwrap();
    jobs::enqueue(&db, &job("event.sync", Some("u/e1"), 0), t0())
        .await
        .unwrap()
        .unwrap();
    // Another claimer has the lapsed job locked, in the middle of taking it up.
    let Db::Postgres(pool) = &db else {
        unreachable!()
    };
    let mut other = pool.begin().await.unwrap();
    sqlx::query("SELECT id FROM jobs WHERE id = $1 FOR UPDATE")
        .bind(&lapsed)
        .execute(&mut *other)
        .await
        .unwrap();
    assert!(
        claim_at(&db, &["event.sync"], "w2", 100).await.is_none(),
        "the twin waits"
    );
    other.rollback().await.unwrap();
    let taken = claim_at(&db, &["event.sync"], "w2", 101).await.unwrap();
    assert_eq!(taken.id, lapsed, "the lapsed one is taken up first");
    test.db.close().await;
}

async fn busy_counts_running_and_due_jobs_not_later_ones(db: Db) {
    jobs::enqueue(&db, &job("poll", Some("later"), 3600), t0())
        .await
        .unwrap();
    assert_eq!(
        jobs::busy(&db, later(1)).await.unwrap(),
        0,
        "only a later poll"
    );
    jobs::enqueue(&db, &job("sync", Some("now"), 0), t0())
        .await
        .unwrap();
    assert_eq!(jobs::busy(&db, later(1)).await.unwrap(), 1, "one due");
    let claimed = claim_at(&db, &["sync"], "w1", 1).await.unwrap();
    assert_eq!(jobs::busy(&db, later(2)).await.unwrap(), 1, "one running");
    assert!(jobs::complete(&db, &claimed.id, "w1").await.unwrap());
    assert_eq!(jobs::busy(&db, later(2)).await.unwrap(), 0, "done");
}
