//! `GET /api/v1/me`: the rep as outforce knows them, including the sync configuration that
//! applies to them (their own assignment, else their group's, else the tenant's default).

use outforce::storage::sync_configs::Principal;
use outforce::storage::sync_configs::audited::{self, Draft};
use outforce::storage::{tenants, users};
use outforce_sandbox::entra::TokenSpec;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_with};
use crate::signed_in::{self, API, TENANT};

const REP: &str = "6467882c-fdfd-4354-a1ed-4e13f064be25";
const SALES_EMEA: &str = "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

/// `GET /api/v1/me` with a token naming the rep `name`, in `groups`.
async fn me_as(
    app: &TestApp,
    tenant: &signed_in::Tenant,
    name: &str,
    groups: Vec<String>,
) -> Value {
    let mut spec = TokenSpec::user(TENANT, REP, API);
    spec.name = name.into();
    spec.groups = groups;
    let token = tenant.entra.mint(&spec).unwrap();
    app.call(reqwest::Method::GET, "/api/v1/me", &token, None)
        .await
        .1
}

#[tokio::test]
async fn me_names_the_tenant_the_rep_and_the_sync_configuration_that_applies() {
    let tenant = signed_in::tenant();
    let (loaded, _db_dir) = tenant.settings().await;
    let app = spawn_with(loaded, outforce::startup::registry()).await;
    let me = |groups: Vec<String>| me_as(&app, &tenant, "Avery Rep", groups);

    let first = me(Vec::new()).await;
    assert_eq!(first["tenant_id"], TENANT);
    assert_eq!(first["display_name"], "Avery Rep");
    assert_eq!(first["salesforce"]["state"], "not_connected");
    // No grant yet, unless the background grant the call started was quicker than its answer.
    assert!(
        first["graph"]["state"] == "not_connected" || tenant.entra.calls("token") == 1,
        "{first}"
    );
    assert_eq!(first["sync_config"], Value::Null, "nothing configured yet");

    let db = &app.state.db;
    let tenant_row = tenants::find_by_entra_id(db, &TENANT.into())
        .await
        .unwrap()
        .unwrap();
    let now = outforce::storage::now();
    let default_settings = json!({ "scope": "selected" });
    let typed = |document: &serde_json::Value| {
        outforce::sync::model::settings::SyncSettings::parse(document).unwrap()
    };
    audited::create(
        db,
        &tenant_row.id,
        Draft {
            name: "Everyone",
            is_default: true,
            settings: &typed(&default_settings),
        },
        "admin",
        now,
    )
    .await
    .unwrap();
    let emea = audited::create(
        db,
        &tenant_row.id,
        Draft {
            name: "EMEA",
            is_default: false,
            settings: &typed(&json!({ "scope": "all" })),
        },
        "admin",
        now,
    )
    .await
    .unwrap();
    audited::assign(
        db,
        &tenant_row.id,
        &emea.id,
        Principal::Group(SALES_EMEA),
        10,
        "admin",
        now,
    )
    .await
    .unwrap();

    let outside = me(Vec::new()).await;
    assert_eq!(outside["sync_config"]["name"], "Everyone");
    assert_eq!(
        outside["sync_config"]["settings"],
        serde_json::to_value(typed(&default_settings)).unwrap()
    );
    let member = me(vec![SALES_EMEA.into()]).await;
    assert_eq!(member["sync_config"]["name"], "EMEA");
    assert_eq!(member["sync_config"]["version"], 1);
}

#[tokio::test]
async fn a_rep_is_written_when_first_seen_and_again_only_when_their_profile_changes() {
    let tenant = signed_in::tenant();
    let (loaded, _db_dir) = tenant.settings().await;
    let app = spawn_with(loaded, outforce::startup::registry()).await;
    let call = |name: &'static str| me_as(&app, &tenant, name, Vec::new());
    let stored = || async {
        let db = &app.state.db;
        let tenant = tenants::find_by_entra_id(db, &TENANT.into())
            .await
            .unwrap()
            .unwrap();
        let user = users::find_by_object_id(db, &tenant.id, &REP.into())
            .await
            .unwrap()
            .unwrap();
        (tenant.updated_at, user.updated_at, user.display_name)
    };

    call("Avery Rep").await;
    let first = stored().await;
    assert_eq!(first.2.as_deref(), Some("Avery Rep"));
    for _ in 0..3 {
        assert_eq!(call("Avery Rep").await["display_name"], "Avery Rep");
    }
    assert_eq!(stored().await, first, "known reps are read, not written");

    assert_eq!(call("Avery Q. Rep").await["display_name"], "Avery Q. Rep");
    let renamed = stored().await;
    assert_eq!(renamed.2.as_deref(), Some("Avery Q. Rep"));
    assert!(renamed.1 > first.1, "a new name is written");
    app.stop().await;
}
