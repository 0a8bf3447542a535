use outforce::ids::UserId;
use outforce::storage::connections::{self, ConnectionStatus, NewConnection, Provider};
use outforce::storage::{Db, StorageError};

use super::{later, seed_user, t0};
use crate::on_both_databases;

on_both_databases!(
    connection_is_stored_per_user_and_provider,
    refreshed_tokens_keep_or_rotate_the_refresh_token,
    reconnect_needed_is_cleared_by_a_new_connection,
    deleted_connection_is_forgotten,
);

fn salesforce<'a>(user_id: &'a UserId, access: &'a [u8], refresh: &'a [u8]) -> NewConnection<'a> {
    NewConnection {
        user_id,
        provider: Provider::Salesforce,
        instance_url: Some("https://contoso.my.salesforce.com"),
        external_user_id: Some("005000000000001AAA"),
        external_username: None,
        external_org_id: Some("00D000000000001EAA"),
        access_token_sealed: Some(access),
        refresh_token_sealed: Some(refresh),
        access_expires_at: Some(later(7200)),
    }
}

async fn connection_is_stored_per_user_and_provider(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    let stored = connections::upsert(&db, &salesforce(&user.id, b"sealed-a", b"sealed-r"), t0())
        .await
        .unwrap();
    assert_eq!(stored.status, "connected");
    assert_eq!(
        stored.access_token_sealed.as_deref(),
        Some(&b"sealed-a"[..])
    );
    assert_eq!(stored.access_expires_at, Some(later(7200)));

    let found = connections::find(&db, &user.id, Provider::Salesforce)
        .await
        .unwrap();
    assert_eq!(found, Some(stored.clone()));
    assert_eq!(
        connections::find(&db, &user.id, Provider::Graph)
            .await
            .unwrap(),
        None
    );

    // Connecting again replaces the row rather than adding one.
    let again = connections::upsert(
        &db,
        &salesforce(&user.id, b"sealed-a2", b"sealed-r2"),
        later(1),
    )
    .await
    .unwrap();
    assert_eq!(again.id, stored.id);
    assert_eq!(
        again.refresh_token_sealed.as_deref(),
        Some(&b"sealed-r2"[..])
    );
}

async fn refreshed_tokens_keep_or_rotate_the_refresh_token(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    connections::upsert(&db, &salesforce(&user.id, b"a1", b"r1"), t0())
        .await
        .unwrap();

    connections::set_tokens(
        &db,
        &user.id,
        Provider::Salesforce,
        b"a2",
        None,
        Some(later(60)),
        later(1),
    )
    .await
    .unwrap();
    let kept = connections::find(&db, &user.id, Provider::Salesforce)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.access_token_sealed.as_deref(), Some(&b"a2"[..]));
    assert_eq!(
        kept.refresh_token_sealed.as_deref(),
        Some(&b"r1"[..]),
        "no rotation keeps the old one"
    );

    connections::set_tokens(
        &db,
        &user.id,
        Provider::Salesforce,
        b"a3",
        Some(b"r2"),
        None,
        later(2),
    )
    .await
    .unwrap();
    let rotated = connections::find(&db, &user.id, Provider::Salesforce)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rotated.refresh_token_sealed.as_deref(), Some(&b"r2"[..]));
    assert_eq!(rotated.access_expires_at, None);

    let missing =
        connections::set_tokens(&db, &user.id, Provider::Graph, b"a", None, None, t0()).await;
    assert!(matches!(missing, Err(StorageError::NotFound)));
}

async fn reconnect_needed_is_cleared_by_a_new_connection(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    connections::upsert(&db, &salesforce(&user.id, b"a", b"r"), t0())
        .await
        .unwrap();
    connections::set_status(
        &db,
        &user.id,
        Provider::Salesforce,
        ConnectionStatus::ReconnectNeeded,
        Some("invalid_grant"),
        later(1),
    )
    .await
    .unwrap();
    let marked = connections::find(&db, &user.id, Provider::Salesforce)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(marked.status, "reconnect_needed");
    assert_eq!(marked.last_error_code.as_deref(), Some("invalid_grant"));

    let reconnected = connections::upsert(&db, &salesforce(&user.id, b"a", b"r"), later(2))
        .await
        .unwrap();
    assert_eq!(reconnected.status, "connected");
    assert_eq!(reconnected.last_error_code, None);

    let missing = connections::set_status(
        &db,
        &"missing".into(),
        Provider::Salesforce,
        ConnectionStatus::Connected,
        None,
        t0(),
    )
    .await;
    assert!(matches!(missing, Err(StorageError::NotFound)));
}

async fn deleted_connection_is_forgotten(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    connections::upsert(&db, &salesforce(&user.id, b"a", b"r"), t0())
        .await
        .unwrap();
    assert!(
        connections::delete(&db, &user.id, Provider::Salesforce)
            .await
            .unwrap()
    );
    assert_eq!(
        connections::find(&db, &user.id, Provider::Salesforce)
            .await
            .unwrap(),
        None
    );
    assert!(
        !connections::delete(&db, &user.id, Provider::Salesforce)
            .await
            .unwrap()
    );
}
