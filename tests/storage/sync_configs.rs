use outforce::storage::sync_configs::audited::{self, Draft};
use outforce::storage::sync_configs::{self, Principal};
use outforce::storage::{Db, StorageError};
use outforce::sync::model::settings::SyncSettings;
use serde_json::json;

use super::{later, seed_user, t0};
use crate::on_both_databases;

on_both_databases!(
    configs_are_named_once_per_tenant_with_one_default,
    settings_update_needs_the_current_version,
    user_assignment_beats_groups_which_beat_the_default,
    unassigned_and_deleted_configs_no_longer_apply,
    an_admins_changes_are_kept_in_the_audit_trail_in_order,
);

/// A configuration an admin made at `t0`.
async fn create(
    db: &Db,
    tenant_id: &outforce::ids::TenantId,
    name: &str,
    is_default: bool,
    settings: &serde_json::Value,
) -> Result<sync_configs::SyncConfig, StorageError> {
    let settings = SyncSettings::parse(settings).unwrap();
    let draft = Draft {
        name,
        is_default,
        settings: &settings,
    };
    audited::create(db, tenant_id, draft, "admin", t0()).await
}

async fn configs_are_named_once_per_tenant_with_one_default(db: Db) {
    let (tenant, _) = seed_user(&db, "oid-1").await;
    let settings = json!({ "direction": "both" });
    let default = create(&db, &tenant.id, "Everyone", true, &settings)
        .await
        .unwrap();
    assert_eq!(default.version, 1);
    assert!(default.is_default);
    assert_eq!(default.settings.0, SyncSettings::parse(&settings).unwrap());

    let same_name = create(&db, &tenant.id, "Everyone", false, &settings).await;
    assert!(
        matches!(same_name, Err(StorageError::Conflict(_))),
        "{same_name:?}"
    );
    let second_default = create(&db, &tenant.id, "Sales", true, &settings).await;
    assert!(
        matches!(second_default, Err(StorageError::Conflict(_))),
        "{second_default:?}"
    );

    let sales = create(&db, &tenant.id, "Sales", false, &settings)
        .await
        .unwrap();
    let names: Vec<_> = sync_configs::list_for_tenant(&db, &tenant.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Everyone", "Sales"]);
    assert_eq!(
        sync_configs::find(&db, &sales.id).await.unwrap(),
        Some(sales)
    );
}

async fn settings_update_needs_the_current_version(db: Db) {
    let (tenant, _) = seed_user(&db, "oid-1").await;
    let config = create(&db, &tenant.id, "Sales", false, &json!({}))
        .await
        .unwrap();
    let update = |id: &str, version: i32, settings: serde_json::Value, at| {
        let (db, tenant_id, id) = (db.clone(), tenant.id.clone(), id.to_string());
        let settings = SyncSettings::parse(&settings).unwrap();
        async move {
            let draft = Draft {
                name: "Sales",
                is_default: false,
                settings: &settings,
            };
            audited::update(&db, &tenant_id, &id, version, draft, "admin", at).await
        }
    };
    let updated = update(&config.id, 1, json!({ "window_days_ahead": 28 }), later(1))
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.updated_at, later(1));

    // A second admin who also read version 1 is told, not silently overwritten.
    let stale = update(&config.id, 1, json!({}), later(2)).await;
    assert!(
        matches!(stale, Err(StorageError::Conflict("version"))),
        "{stale:?}"
    );
    let missing = update("missing", 1, json!({}), later(2)).await;
    assert!(matches!(missing, Err(StorageError::NotFound)));
}

async fn user_assignment_beats_groups_which_beat_the_default(db: Db) {
    let (tenant, user) = seed_user(&db, "oid-1").await;
    let make = |name: &'static str, default: bool| {
        let db = db.clone();
        let tenant_id = tenant.id.clone();
        async move {
            create(&db, &tenant_id, name, default, &json!({}))
                .await
                .unwrap()
        }
    };
    let everyone = make("Everyone", true).await;
    let emea = make("EMEA", false).await;
    let managers = make("Managers", false).await;
    let personal = make("Personal", false).await;
    let resolve = |groups: &'static [&'static str]| {
        let db = db.clone();
        let tenant_id = tenant.id.clone();
        let oid = user.entra_object_id.clone();
        async move {
            sync_configs::resolve_for_user(&db, &tenant_id, &oid, groups)
                .await
                .unwrap()
                .map(|c| c.name)
        }
    };

    assert_eq!(resolve(&["g-emea"]).await.as_deref(), Some("Everyone"));
    audited::assign(
        &db,
        &tenant.id,
        &emea.id,
        Principal::Group("g-emea"),
        20,
        "admin",
        t0(),
    )
    .await
    .unwrap();
    audited::assign(
        &db,
        &tenant.id,
        &managers.id,
        Principal::Group("g-managers"),
        10,
        "admin",
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(resolve(&["g-emea"]).await.as_deref(), Some("EMEA"));
    assert_eq!(
        resolve(&["g-emea", "g-managers"]).await.as_deref(),
        Some("Managers")
    );
    assert_eq!(resolve(&[]).await.as_deref(), Some("Everyone"));

    audited::assign(
        &db,
        &tenant.id,
        &personal.id,
        Principal::User(&user.entra_object_id),
        100,
        "admin",
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(
        resolve(&["g-emea", "g-managers"]).await.as_deref(),
        Some("Personal")
    );

    // Re-assigning a principal replaces its assignment.
    audited::assign(
        &db,
        &tenant.id,
        &everyone.id,
        Principal::User(&user.entra_object_id),
        100,
        "admin",
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(resolve(&["g-managers"]).await.as_deref(), Some("Everyone"));

    let missing = audited::assign(
        &db,
        &tenant.id,
        "missing",
        Principal::Group("g"),
        1,
        "admin",
        t0(),
    )
    .await;
    assert!(matches!(missing, Err(StorageError::NotFound)));
}

async fn unassigned_and_deleted_configs_no_longer_apply(db: Db) {
    let (tenant, user) = seed_user(&db, "oid-1").await;
    let sales = create(&db, &tenant.id, "Sales", false, &json!({}))
        .await
        .unwrap();
    audited::assign(
        &db,
        &tenant.id,
        &sales.id,
        Principal::User(&user.entra_object_id),
        1,
        "admin",
        t0(),
    )
    .await
    .unwrap();
    audited::assign(
        &db,
        &tenant.id,
        &sales.id,
        Principal::Group("g-sales"),
        1,
        "admin",
        t0(),
    )
    .await
    .unwrap();

    assert!(
        audited::unassign(
            &db,
            &tenant.id,
            &sales.id,
            Principal::User(&user.entra_object_id),
            "admin",
            t0()
        )
        .await
        .unwrap()
    );
    assert!(
        !audited::unassign(
            &db,
            &tenant.id,
            &sales.id,
            Principal::User(&user.entra_object_id),
            "admin",
            t0()
        )
        .await
        .unwrap()
    );
    let via_group =
        sync_configs::resolve_for_user(&db, &tenant.id, &user.entra_object_id, &["g-sales"])
            .await
            .unwrap();
    assert_eq!(via_group.map(|c| c.name).as_deref(), Some("Sales"));

    assert!(
        audited::delete(&db, &tenant.id, &sales.id, "admin", t0())
            .await
            .unwrap()
    );
    assert!(
        !audited::delete(&db, &tenant.id, &sales.id, "admin", t0())
            .await
            .unwrap()
    );
    let none = sync_configs::resolve_for_user(&db, &tenant.id, &user.entra_object_id, &["g-sales"])
        .await
        .unwrap();
    assert_eq!(
        none, None,
        "deleting a configuration removes its assignments"
    );
}

async fn an_admins_changes_are_kept_in_the_audit_trail_in_order(db: Db) {
    let (tenant, user) = seed_user(&db, "oid-1").await;
    let other_tenant = outforce::storage::tenants::upsert(
        &db,
        &"0b2e7c1d-4f3a-4c5b-8d6e-9f0a1b2c3d4e".into(),
        Some("Fabrikam"),
        t0(),
    )
    .await
    .unwrap();
    let settings = SyncSettings::parse(&serde_json::json!({ "scope": "all" })).unwrap();
    let draft = Draft {
        name: "Sales",
        is_default: false,
        settings: &settings,
    };
    let config = audited::create(&db, &tenant.id, draft, "admin-1", t0())
        .await
        .unwrap();
    let updated = audited::update(&db, &tenant.id, &config.id, 1, draft, "admin-2", later(1))
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    let stale = audited::update(&db, &tenant.id, &config.id, 1, draft, "admin-1", later(2)).await;
    assert!(
        matches!(stale, Err(StorageError::Conflict("version"))),
        "{stale:?}"
    );
    let elsewhere = audited::update(
        &db,
        &other_tenant.id,
        &config.id,
        2,
        draft,
        "admin-1",
        later(2),
    )
    .await;
    assert!(
        matches!(elsewhere, Err(StorageError::NotFound)),
        "another tenant's"
    );

    let me = Principal::User(&user.entra_object_id);
    audited::assign(&db, &tenant.id, &config.id, me, 7, "admin-1", later(3))
        .await
        .unwrap();
    assert_eq!(
        audited::assignments(&db, &config.id).await.unwrap()[0].priority,
        7
    );
    let missing = audited::assign(&db, &tenant.id, "nope", me, 7, "admin-1", later(3)).await;
    assert!(matches!(missing, Err(StorageError::NotFound)));
    assert!(
        audited::unassign(&db, &tenant.id, &config.id, me, "admin-1", later(4))
            .await
            .unwrap()
    );
    assert!(
        audited::delete(&db, &tenant.id, &config.id, "admin-2", later(5))
            .await
            .unwrap()
    );
    let trail = audited::changes(&db, &tenant.id, &config.id).await.unwrap();
    let seen: Vec<(&str, i32, &str)> = trail
        .iter()
        .map(|c| (c.action.as_str(), c.version, c.actor.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("created", 1, "admin-1"),
            ("updated", 2, "admin-2"),
            ("assigned", 2, "admin-1"),
            ("unassigned", 2, "admin-1"),
            ("deleted", 2, "admin-2"),
        ]
    );
    assert_eq!(trail[1].at, later(1));
    assert!(
        audited::changes(&db, &other_tenant.id, &config.id)
            .await
            .unwrap()
            .is_empty(),
        "only the tenant's own trail"
    );
}
