use outforce::storage::Db;
use outforce::storage::mailbox_watches;

use super::{later, seed_user, t0};
use crate::on_both_databases;

on_both_databases!(a_held_round_is_read_back_and_released);

async fn a_held_round_is_read_back_and_released(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    assert!(mailbox_watches::ensure(&db, &user.id, t0()).await.unwrap());
    assert!(!mailbox_watches::ensure(&db, &user.id, t0()).await.unwrap());
    let fresh = mailbox_watches::find(&db, &user.id).await.unwrap().unwrap();
    assert_eq!((fresh.held_deletions, fresh.paused_code), (0, None));

    mailbox_watches::hold(
        &db,
        &user.id,
        outforce::sync::model::codes::WatchCode::DeletionCircuitBreaker,
        60,
        later(300),
        later(1),
    )
    .await
    .unwrap();
    let held = mailbox_watches::find(&db, &user.id).await.unwrap().unwrap();
    assert_eq!(held.held_deletions, 60);
    assert_eq!(
        held.paused_code.map(|c| c.as_str()),
        Some("deletion_circuit_breaker")
    );

    assert!(
        mailbox_watches::release(&db, &user.id, later(2))
            .await
            .unwrap()
    );
    let released = mailbox_watches::find(&db, &user.id).await.unwrap().unwrap();
    assert_eq!((released.held_deletions, released.paused_code), (0, None));
    assert!(released.deletions_released);
}

on_both_databases!(the_salesforce_cursor_moves_on_and_is_forgotten_on_a_reset);

async fn the_salesforce_cursor_moves_on_and_is_forgotten_on_a_reset(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    mailbox_watches::ensure(&db, &user.id, t0()).await.unwrap();
    let read = |cursor, code| {
        mailbox_watches::record_salesforce_read(&db, &user.id, cursor, later(300), code, later(1))
    };
    read(Some(later(1)), None).await.unwrap();
    // A failed read keeps the cursor where it was, and says why.
    read(
        None,
        Some(outforce::sync::model::codes::WatchCode::SalesforceNotConnected),
    )
    .await
    .unwrap();
    let watch = mailbox_watches::find(&db, &user.id).await.unwrap().unwrap();
    assert_eq!(watch.salesforce_cursor, Some(later(1)));
    assert_eq!(watch.salesforce_next_poll_at, Some(later(300)));
    assert_eq!(
        watch.salesforce_error_code.map(|c| c.as_str()),
        Some("salesforce_not_connected")
    );
    mailbox_watches::forget_salesforce_cursor(&db, &user.id, later(2))
        .await
        .unwrap();
    let watch = mailbox_watches::find(&db, &user.id).await.unwrap().unwrap();
    assert_eq!(
        (watch.salesforce_cursor, watch.salesforce_next_poll_at),
        (None, None)
    );
}
