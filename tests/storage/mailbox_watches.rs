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
        "deletion_circuit_breaker",
        60,
        later(300),
        later(1),
    )
    .await
    .unwrap();
    let held = mailbox_watches::find(&db, &user.id).await.unwrap().unwrap();
    assert_eq!(held.held_deletions, 60);
    assert_eq!(
        held.paused_code.as_deref(),
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
