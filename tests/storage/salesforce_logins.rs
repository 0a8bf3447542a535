use outforce::ids::UserId;
use outforce::storage::Db;
use outforce::storage::salesforce_logins::{self, LoginKind, NewLogin};

use super::{later, seed_user, t0};
use crate::on_both_databases;

on_both_databases!(
    a_step_is_spent_once_and_only_before_it_expires,
    a_ticket_is_not_a_state,
    expired_steps_are_purged,
);

fn ticket<'a>(user_id: &'a UserId, hash: &'a str, expires_in: i64) -> NewLogin<'a> {
    NewLogin {
        kind: LoginKind::Ticket,
        secret_hash: hash,
        user_id,
        login_url: "https://login.salesforce.com",
        verifier_sealed: None,
        browser_hash: None,
        binds_org: hash == "fresh",
        expires_at: later(expires_in),
    }
}

async fn a_step_is_spent_once_and_only_before_it_expires(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    salesforce_logins::insert(&db, &ticket(&user.id, "fresh", 120))
        .await
        .unwrap();
    salesforce_logins::insert(&db, &ticket(&user.id, "stale", 120))
        .await
        .unwrap();

    let spent = salesforce_logins::spend(&db, LoginKind::Ticket, "fresh", later(60))
        .await
        .unwrap()
        .expect("an unexpired ticket is spent");
    assert_eq!(spent.user_id, user.id);
    assert!(spent.binds_org, "whether an admin started it is kept");
    let again = salesforce_logins::spend(&db, LoginKind::Ticket, "fresh", later(61)).await;
    assert!(again.unwrap().is_none(), "a ticket works once");

    let expired = salesforce_logins::spend(&db, LoginKind::Ticket, "stale", later(120)).await;
    assert!(expired.unwrap().is_none(), "not from its expiry on");
}

async fn a_ticket_is_not_a_state(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    salesforce_logins::insert(&db, &ticket(&user.id, "value", 120))
        .await
        .unwrap();
    let as_state = salesforce_logins::spend(&db, LoginKind::State, "value", t0()).await;
    assert!(as_state.unwrap().is_none());
}

async fn expired_steps_are_purged(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    salesforce_logins::insert(&db, &ticket(&user.id, "old", 10))
        .await
        .unwrap();
    salesforce_logins::insert(&db, &ticket(&user.id, "new", 600))
        .await
        .unwrap();
    assert_eq!(
        salesforce_logins::purge_expired(&db, later(60))
            .await
            .unwrap(),
        1
    );
    let new = salesforce_logins::spend(&db, LoginKind::Ticket, "new", later(60)).await;
    assert!(
        new.unwrap().is_some(),
        "an unexpired step survives the purge"
    );
}
