use outforce::storage::tenants::{self, GraphAccessMode};
use outforce::storage::users::{self, UserProfile};
use outforce::storage::{Db, StorageError};

use super::{later, seed_user, t0};
use crate::on_both_databases;

on_both_databases!(
    tenant_upsert_creates_once_and_keeps_the_name,
    tenant_is_tied_to_one_salesforce_org,
    tenant_graph_access_mode_is_stored,
    user_is_keyed_by_tenant_and_object_id,
    user_lists_and_salesforce_user,
);

async fn tenant_upsert_creates_once_and_keeps_the_name(db: Db) {
    let first = tenants::upsert(&db, &"tid-1".into(), Some("Contoso"), t0())
        .await
        .unwrap();
    let again = tenants::upsert(&db, &"tid-1".into(), None, later(5))
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.display_name.as_deref(), Some("Contoso"));
    assert_eq!(again.created_at, t0());
    assert_eq!(again.updated_at, later(5));
    assert_eq!(again.graph_access_mode, "delegated");

    let renamed = tenants::upsert(&db, &"tid-1".into(), Some("Contoso Ltd"), later(6))
        .await
        .unwrap();
    assert_eq!(renamed.display_name.as_deref(), Some("Contoso Ltd"));
    assert_eq!(
        tenants::find(&db, &first.id).await.unwrap(),
        Some(renamed.clone())
    );
    assert_eq!(
        tenants::find_by_entra_id(&db, &"tid-1".into())
            .await
            .unwrap(),
        Some(renamed)
    );
    assert_eq!(
        tenants::find_by_entra_id(&db, &"tid-other".into())
            .await
            .unwrap(),
        None
    );
    assert_eq!(tenants::find(&db, &"missing".into()).await.unwrap(), None);
}

async fn tenant_is_tied_to_one_salesforce_org(db: Db) {
    let a = tenants::upsert(&db, &"tid-a".into(), None, t0())
        .await
        .unwrap();
    let b = tenants::upsert(&db, &"tid-b".into(), None, t0())
        .await
        .unwrap();
    let tied = tenants::bind_salesforce_org(
        &db,
        &a.id,
        &"00D000000000001EAA".into(),
        Some("https://login.salesforce.com"),
        later(1),
    )
    .await
    .unwrap();
    assert!(tied);
    let a = tenants::find(&db, &a.id).await.unwrap().unwrap();
    assert_eq!(a.salesforce_org_id.as_deref(), Some("00D000000000001EAA"));
    assert_eq!(
        a.salesforce_login_url.as_deref(),
        Some("https://login.salesforce.com")
    );

    let taken = tenants::bind_salesforce_org(
        &db,
        &b.id,
        &"00D000000000001EAA".into(),
        Some("https://x"),
        t0(),
    )
    .await;
    assert!(matches!(taken, Err(StorageError::Conflict(_))), "{taken:?}");
    let missing = tenants::bind_salesforce_org(
        &db,
        &"missing".into(),
        &"00D000000000002EAA".into(),
        Some("https://x"),
        t0(),
    )
    .await;
    assert!(matches!(missing, Err(StorageError::NotFound)));
}

async fn tenant_graph_access_mode_is_stored(db: Db) {
    let tenant = tenants::upsert(&db, &"tid-m".into(), None, t0())
        .await
        .unwrap();
    tenants::set_graph_access_mode(&db, &tenant.id, GraphAccessMode::Application, later(1))
        .await
        .unwrap();
    let tenant = tenants::find(&db, &tenant.id).await.unwrap().unwrap();
    assert_eq!(tenant.graph_access_mode, "application");
    let missing =
        tenants::set_graph_access_mode(&db, &"missing".into(), GraphAccessMode::Delegated, t0())
            .await;
    assert!(matches!(missing, Err(StorageError::NotFound)));
}

async fn user_is_keyed_by_tenant_and_object_id(db: Db) {
    let (tenant, user) = seed_user(&db, "oid-1").await;
    // The email changes (a rename); the user stays the same row.
    let renamed = users::upsert(
        &db,
        &UserProfile {
            tenant_id: &tenant.id,
            entra_object_id: &"oid-1".into(),
            email: Some("new.name@contoso.example"),
            display_name: None,
            groups: &[],
        },
        later(10),
    )
    .await
    .unwrap();
    assert_eq!(renamed.id, user.id);
    assert_eq!(renamed.email.as_deref(), Some("new.name@contoso.example"));
    assert_eq!(renamed.display_name.as_deref(), Some("A Rep"));

    // The same object id in another tenant is another user.
    let other_tenant = tenants::upsert(&db, &"tid-2".into(), None, t0())
        .await
        .unwrap();
    let stranger = users::upsert(
        &db,
        &UserProfile {
            tenant_id: &other_tenant.id,
            entra_object_id: &"oid-1".into(),
            email: None,
            display_name: None,
            groups: &[],
        },
        t0(),
    )
    .await
    .unwrap();
    assert_ne!(stranger.id, user.id);

    assert_eq!(
        users::find(&db, &user.id).await.unwrap(),
        Some(renamed.clone())
    );
    assert_eq!(
        users::find_by_object_id(&db, &tenant.id, &"oid-1".into())
            .await
            .unwrap(),
        Some(renamed)
    );
    assert_eq!(
        users::find_by_object_id(&db, &tenant.id, &"oid-x".into())
            .await
            .unwrap(),
        None
    );
}

async fn user_lists_and_salesforce_user(db: Db) {
    let (tenant, first) = seed_user(&db, "oid-1").await;
    let (_, second) = seed_user(&db, "oid-2").await;
    let listed: Vec<_> = users::list_for_tenant(&db, &tenant.id).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|u| u.id == first.id) && listed.iter().any(|u| u.id == second.id));

    users::set_salesforce_user(&db, &first.id, Some(&"005000000000001AAA".into()), later(1))
        .await
        .unwrap();
    let found = users::find(&db, &first.id).await.unwrap().unwrap();
    assert_eq!(
        found.salesforce_user_id.as_deref(),
        Some("005000000000001AAA")
    );
    users::set_salesforce_user(&db, &first.id, None, later(2))
        .await
        .unwrap();
    assert_eq!(
        users::find(&db, &first.id)
            .await
            .unwrap()
            .unwrap()
            .salesforce_user_id,
        None
    );
    let missing = users::set_salesforce_user(&db, &"missing".into(), None, t0()).await;
    assert!(matches!(missing, Err(StorageError::NotFound)));
}
