use outforce::ids::UserId;
use outforce::storage::event_links::{self, LinkState, Selection, Written};
use outforce::storage::history::{self, Actor, NewEntry};
use outforce::storage::{Db, StorageError};
use outforce::sync::model::codes::LinkCode;
use outforce::sync::model::content::Content;
use outforce::sync::model::history::{Action, Detail};

use super::{later, seed_user, t0};
use crate::on_both_databases;

on_both_databases!(
    selection_creates_then_updates_one_link,
    writes_record_hashes_and_markers_per_side,
    a_salesforce_event_belongs_to_one_link,
    links_are_listed_by_state,
    a_batch_of_links_is_read_in_one_query_with_its_series_and_spans,
    an_interrupted_creates_claims_are_the_events_named_and_the_reps_creates_in_flight,
);

/// When a written meeting takes place.
fn span() -> event_links::AsWritten {
    event_links::AsWritten {
        start: later(60),
        end: later(120),
        who_ids_left_out: 0,
    }
}

fn selection<'a>(user_id: &'a UserId, who: &'a [&'a str]) -> Selection<'a> {
    Selection {
        user_id,
        outlook_event_id: "AAMkAGI2-occurrence-1",
        outlook_series_id: Some("AAMkAGI2-series"),
        selected: true,
        who_ids: who,
        what_id: Some("001000000000001AAA"),
        meeting: None,
        record_names: None,
    }
}

async fn selection_creates_then_updates_one_link(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    let created = event_links::selection::upsert_selection(
        &db,
        &selection(&user.id, &["003000000000001AAA"]),
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(created.state, "pending");
    assert_eq!(created.who_ids.0, ["003000000000001AAA"]);
    assert_eq!(
        created.outlook_series_id.as_deref(),
        Some("AAMkAGI2-series")
    );

    let unselect = Selection {
        selected: false,
        outlook_series_id: None,
        ..selection(&user.id, &[])
    };
    let updated = event_links::selection::upsert_selection(&db, &unselect, later(1))
        .await
        .unwrap();
    assert_eq!(updated.id, created.id);
    assert!(!updated.selected);
    assert!(updated.who_ids.is_empty());
    assert_eq!(
        updated.outlook_series_id.as_deref(),
        Some("AAMkAGI2-series"),
        "a known series is kept"
    );

    assert_eq!(
        event_links::find(&db, &created.id).await.unwrap(),
        Some(updated.clone())
    );
    let by_outlook = event_links::find_by_outlook_id(&db, &user.id, "AAMkAGI2-occurrence-1")
        .await
        .unwrap();
    assert_eq!(by_outlook, Some(updated));
    assert_eq!(
        event_links::find_by_outlook_id(&db, &user.id, "other")
            .await
            .unwrap(),
        None
    );
}

async fn writes_record_hashes_and_markers_per_side(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    let link = event_links::selection::upsert_selection(&db, &selection(&user.id, &[]), t0())
        .await
        .unwrap();

    event_links::outcome::record_write_intent(
        &db,
        &link.id,
        "outlook:AAMkAGI2-occurrence-1:v1",
        later(1),
    )
    .await
    .unwrap();
    let intent = event_links::find(&db, &link.id).await.unwrap().unwrap();
    assert_eq!(
        intent.write_intent.as_deref(),
        Some("outlook:AAMkAGI2-occurrence-1:v1")
    );

    let content = Content::default();
    let written = Written {
        event_id: "00U000000000001EAA",
        hash: "sf-hash-1",
        meeting: span(),
        outlook_content: &content,
        salesforce_content: &content,
        outlook_change_key: Some("ck-1"),
    };
    let detail = Detail::event("00U000000000001EAA");
    let entry = NewEntry {
        user_id: &user.id,
        link_id: Some(&link.id),
        actor: Actor::System,
        action: Action::Created,
        detail: &detail,
    };
    event_links::outcome::record_written(&db, &link.id, written, Some(&entry), later(2))
        .await
        .unwrap();
    let synced = event_links::find(&db, &link.id).await.unwrap().unwrap();
    assert_eq!(synced.state, "synced");
    assert_eq!(
        synced.write_intent, None,
        "the intent is settled by the write"
    );
    assert_eq!(
        synced.salesforce_event_id.as_deref(),
        Some("00U000000000001EAA")
    );
    assert_eq!(synced.salesforce_hash.as_deref(), Some("sf-hash-1"));
    assert_eq!(synced.outlook_change_key.as_deref(), Some("ck-1"));
    let kept = history::list_for_link(&db, &link.id).await.unwrap();
    assert_eq!(kept.len(), 1, "the decision kept with its write");
    assert_eq!(kept[0].action, Action::Created);
    assert_eq!(
        event_links::find_by_salesforce_id(&db, "00U000000000001EAA")
            .await
            .unwrap(),
        Some(synced)
    );

    let missing = event_links::outcome::record_write_intent(&db, "missing", "k", t0()).await;
    assert!(matches!(missing, Err(StorageError::NotFound)));
}

async fn a_salesforce_event_belongs_to_one_link(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    let first = event_links::selection::upsert_selection(&db, &selection(&user.id, &[]), t0())
        .await
        .unwrap();
    let other = Selection {
        outlook_event_id: "AAMk-other",
        ..selection(&user.id, &[])
    };
    let second = event_links::selection::upsert_selection(&db, &other, t0())
        .await
        .unwrap();
    let content = Content::default();
    let written = Written {
        event_id: "00U000000000001EAA",
        hash: "h",
        meeting: span(),
        outlook_content: &content,
        salesforce_content: &content,
        outlook_change_key: None,
    };
    event_links::outcome::record_written(&db, &first.id, written, None, later(1))
        .await
        .unwrap();
    let detail = Detail::event("00U000000000001EAA");
    let entry = NewEntry {
        user_id: &user.id,
        link_id: Some(&second.id),
        actor: Actor::System,
        action: Action::Created,
        detail: &detail,
    };
    let duplicate =
        event_links::outcome::record_written(&db, &second.id, written, Some(&entry), later(1))
            .await;
    assert!(
        matches!(duplicate, Err(StorageError::Conflict(_))),
        "{duplicate:?}"
    );
    assert!(
        history::list_for_link(&db, &second.id)
            .await
            .unwrap()
            .is_empty(),
        "a write refused keeps no decision"
    );
}

async fn links_are_listed_by_state(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    let a = event_links::selection::upsert_selection(&db, &selection(&user.id, &[]), t0())
        .await
        .unwrap();
    let b_sel = Selection {
        outlook_event_id: "AAMk-b",
        ..selection(&user.id, &[])
    };
    let b = event_links::selection::upsert_selection(&db, &b_sel, later(1))
        .await
        .unwrap();

    event_links::outcome::set_state(
        &db,
        &b.id,
        LinkState::Failed,
        Some(LinkCode::SalesforceRejected),
        None,
        later(2),
    )
    .await
    .unwrap();
    let pending = event_links::list_for_user(&db, &user.id, LinkState::Pending, 10)
        .await
        .unwrap();
    assert_eq!(
        pending.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        [a.id.as_str()]
    );
    let failed = event_links::list_for_user(&db, &user.id, LinkState::Failed, 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].last_error_code,
        Some(LinkCode::SalesforceRejected)
    );

    event_links::outcome::set_state(&db, &a.id, LinkState::Removed, None, None, later(3))
        .await
        .unwrap();
    assert!(
        event_links::list_for_user(&db, &user.id, LinkState::Pending, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let missing =
        event_links::outcome::set_state(&db, "missing", LinkState::Synced, None, None, t0()).await;
    assert!(matches!(missing, Err(StorageError::NotFound)));
}

async fn a_batch_of_links_is_read_in_one_query_with_its_series_and_spans(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    let (_, other) = seed_user(&db, "oid-2").await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let id = format!("AAMkAGI2-meeting-{n}");
        let selection = Selection {
            outlook_event_id: &id,
            ..selection(&user.id, &[])
        };
        let link = event_links::selection::upsert_selection(&db, &selection, t0())
            .await
            .unwrap();
        ids.push((id, link));
    }
    let theirs = Selection {
        outlook_event_id: "AAMkAGI2-meeting-0",
        ..selection(&other.id, &[])
    };
    event_links::selection::upsert_selection(&db, &theirs, t0())
        .await
        .unwrap();
    let (start, end) = (later(60), later(120));
    let content = Content::default();
    let written = Written {
        event_id: "00U000000000009EAA",
        hash: "h",
        meeting: event_links::AsWritten {
            start,
            end,
            who_ids_left_out: 2,
        },
        outlook_content: &content,
        salesforce_content: &content,
        outlook_change_key: None,
    };
    event_links::outcome::record_written(&db, &ids[1].1.id, written, None, later(1))
        .await
        .unwrap();

    let wanted = [ids[0].0.as_str(), ids[1].0.as_str(), "AAMkAGI2-unknown"];
    let mut found = event_links::find_many_by_outlook_ids(&db, &user.id, &wanted)
        .await
        .unwrap();
    found.sort_by(|a, b| a.outlook_event_id.cmp(&b.outlook_event_id));
    assert_eq!(found.len(), 2, "the user's own, known ones");
    assert_eq!(found[0].id, ids[0].1.id);
    assert_eq!(found[1].outlook_start, Some(start));
    assert_eq!(found[1].outlook_end, Some(end));
    assert!(!found[1].removal_seen);
    assert_eq!(found[1].who_ids_left_out, 2);
    assert!(!found[1].from_series);
    assert_eq!(found[1].attendees_seen, None);
    assert!(found[1].auto_relations.0.is_empty());
}

/// PostgreSQL only: a statement that looks a rep's meeting up by its Outlook id, planned once
/// for all values (as a pooled connection keeps it, planned while the rep had no links), finds
/// it by the unique key, and does not read every link of the rep to filter them.
#[tokio::test]
async fn a_meeting_is_looked_up_by_its_unique_key_whatever_the_plan_was_made_for_on_postgresql() {
    let test = crate::db::fresh(crate::db::Backend::Postgres).await;
    let db = test.db.clone();
    let (_, user) = seed_user(&db, "oid-1").await;
    let Db::Postgres(pool) = &db else {
        unreachable!()
    };
    let mut conn = pool.acquire().await.unwrap();
    for statement in [
        "SET plan_cache_mode = force_generic_plan",
        "PREPARE lookup (text, text) AS SELECT id FROM event_links \
         WHERE user_id = $1 AND outlook_event_id IN ($2)",
    ] {
        sqlx::query(statement).execute(&mut *conn).await.unwrap();
    }
    for n in 0..50 {
        let id = format!("AAMkAGI2-meeting-{n}");
        let selection = Selection {
            outlook_event_id: &id,
            ..selection(&user.id, &[])
        };
        event_links::selection::upsert_selection(&db, &selection, t0())
            .await
            .unwrap();
    }
    let explain = format!(
        "EXPLAIN EXECUTE lookup ('{}', 'AAMkAGI2-meeting-7')",
        user.id.as_str()
    );
    // (The rep's id is our own, not input: EXPLAIN EXECUTE takes no bind parameters.)
    let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(explain))
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    let plan = plan.join("\n");
    assert!(
        plan.contains("Index Cond: ((user_id = $1) AND (outlook_event_id = $2))"),
        "{plan}"
    );
    assert!(!plan.contains("Filter"), "{plan}");
    drop(conn);
    test.db.close().await;
}

/// What an interrupted create must not adopt (an Event any rep's link names) and the twins it
/// shares the candidates with (the rep's creates sent and not recorded), read together.
async fn an_interrupted_creates_claims_are_the_events_named_and_the_reps_creates_in_flight(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    let (_, other_rep) = seed_user(&db, "oid-2").await;
    let link = |user_id, outlook_event_id| {
        let db = db.clone();
        async move {
            let selection = Selection {
                outlook_event_id,
                ..selection(user_id, &[])
            };
            event_links::selection::upsert_selection(&db, &selection, t0())
                .await
                .unwrap()
        }
    };
    let content = Content::default();
    let written = |event_id| Written {
        event_id,
        hash: "h",
        meeting: span(),
        outlook_content: &content,
        salesforce_content: &content,
        outlook_change_key: None,
    };
    let sending = link(&user.id, "AAMk-sending").await;
    let recorded = link(&user.id, "AAMk-recorded").await;
    let theirs_sending = link(&other_rep.id, "AAMk-theirs-sending").await;
    let theirs_recorded = link(&other_rep.id, "AAMk-theirs-recorded").await;
    link(&user.id, "AAMk-never-sent").await;
    for l in [&sending, &recorded, &theirs_sending, &theirs_recorded] {
        event_links::outcome::record_write_intent(&db, &l.id, "intent", t0())
            .await
            .unwrap();
    }
    for (l, event) in [
        (&recorded, "00U000000000002EAA"),
        (&theirs_recorded, "00U000000000003EAA"),
    ] {
        event_links::outcome::record_written(&db, &l.id, written(event), None, later(1))
            .await
            .unwrap();
    }

    let looked_for = [
        "00U000000000001EAA",
        "00U000000000002EAA",
        "00U000000000003EAA",
    ];
    let claims = event_links::claims(&db, &user.id, &looked_for)
        .await
        .unwrap();
    let mut named = claims.named.clone();
    named.sort();
    assert_eq!(
        named,
        ["00U000000000002EAA", "00U000000000003EAA"],
        "named by any rep's link"
    );
    assert_eq!(
        claims.in_flight,
        [(sending.id.clone(), "intent".to_string())],
        "this rep's creates sent and not recorded, not another rep's"
    );

    // Recorded, the create leaves one set for the other.
    event_links::outcome::record_written(
        &db,
        &sending.id,
        written("00U000000000001EAA"),
        None,
        later(2),
    )
    .await
    .unwrap();
    let claims = event_links::claims(&db, &user.id, &looked_for)
        .await
        .unwrap();
    assert_eq!(claims.named.len(), 3);
    assert!(claims.in_flight.is_empty());
    let none = event_links::claims(&db, &user.id, &[]).await.unwrap();
    assert!(none.named.is_empty() && none.in_flight.is_empty());
}
