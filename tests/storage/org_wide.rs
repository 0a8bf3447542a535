use outforce::ids::TenantId;
use outforce::storage::Db;
use outforce::storage::connections::{self, NewConnection, Provider};
use outforce::storage::org_wide::{self, OrgWideSetup, UserMatch};

use super::{later, seed_user, t0};
use crate::on_both_databases;

on_both_databases!(
    the_setup_is_kept_changed_and_forgotten,
    a_failure_is_recorded_and_cleared,
    minted_sessions_are_forgotten_but_rep_connections_kept,
);

fn setup<'a>(tenant_id: &'a TenantId, user_match: &'a str) -> OrgWideSetup<'a> {
    OrgWideSetup {
        tenant_id,
        login_url: "https://login.salesforce.com",
        user_match: UserMatch::parse(user_match).unwrap(),
        username_suffix: Some(".uat"),
        integration_username: None,
    }
}

async fn the_setup_is_kept_changed_and_forgotten(db: Db) {
    let (tenant, _) = seed_user(&db, "oid-1").await;
    assert!(org_wide::find(&db, &tenant.id).await.unwrap().is_none());
    let stored = org_wide::upsert(&db, &setup(&tenant.id, "username"), t0())
        .await
        .unwrap();
    assert_eq!(stored.username_suffix.as_deref(), Some(".uat"));
    assert_eq!(stored.created_at, t0());
    let changed = org_wide::upsert(&db, &setup(&tenant.id, "email"), later(5))
        .await
        .unwrap();
    assert_eq!(changed.user_match, "email");
    assert_eq!((changed.created_at, changed.updated_at), (t0(), later(5)));
    assert_eq!(
        org_wide::find(&db, &tenant.id).await.unwrap(),
        Some(changed)
    );
    assert!(org_wide::delete(&db, &tenant.id).await.unwrap());
    assert!(!org_wide::delete(&db, &tenant.id).await.unwrap());
}

async fn a_failure_is_recorded_and_cleared(db: Db) {
    let (tenant, _) = seed_user(&db, "oid-1").await;
    org_wide::upsert(&db, &setup(&tenant.id, "username"), t0())
        .await
        .unwrap();
    org_wide::set_error(
        &db,
        &tenant.id,
        Some("salesforce_user_not_approved"),
        later(1),
    )
    .await
    .unwrap();
    let failing = org_wide::find(&db, &tenant.id).await.unwrap().unwrap();
    assert_eq!(
        failing.last_error_code.as_deref(),
        Some("salesforce_user_not_approved")
    );
    assert_eq!(failing.last_error_at, Some(later(1)));
    org_wide::set_error(&db, &tenant.id, None, later(2))
        .await
        .unwrap();
    let mended = org_wide::find(&db, &tenant.id).await.unwrap().unwrap();
    assert_eq!((mended.last_error_code, mended.last_error_at), (None, None));
}

async fn minted_sessions_are_forgotten_but_rep_connections_kept(db: Db) {
    let (tenant, minted_for) = seed_user(&db, "oid-1").await;
    let (_, own) = seed_user(&db, "oid-2").await;
    let connection = |user_id, refresh| NewConnection {
        user_id,
        provider: Provider::Salesforce,
        instance_url: Some("https://contoso.my.salesforce.com"),
        external_user_id: Some("005000000000001AAA"),
        external_org_id: Some("00D000000000001EAA"),
        external_username: Some("rep@contoso.example"),
        access_token_sealed: Some(b"sealed-a"),
        refresh_token_sealed: refresh,
        access_expires_at: None,
    };
    connections::upsert(&db, &connection(&minted_for.id, None), t0())
        .await
        .unwrap();
    connections::upsert(&db, &connection(&own.id, Some(b"sealed-r")), t0())
        .await
        .unwrap();
    assert_eq!(
        connections::delete_minted_for_tenant(&db, &tenant.id)
            .await
            .unwrap(),
        1
    );
    let gone = connections::find(&db, &minted_for.id, Provider::Salesforce)
        .await
        .unwrap();
    assert!(gone.is_none());
    let kept = connections::find(&db, &own.id, Provider::Salesforce)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.external_username.as_deref(),
        Some("rep@contoso.example")
    );
}
