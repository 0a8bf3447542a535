//! `/api/v1/admin/sync-configs`: an admin creates, reads, changes, deletes and assigns sync
//! configurations; every settings field is checked, every change is versioned and audited, and
//! the precedence (the user's own, a group's, the default) is what `/api/v1/me` reports.

use outforce_sandbox::entra::TokenSpec;
use reqwest::Method;
use serde_json::{Value, json};

use crate::signed_in;
use crate::world::{ADMIN, REP_A, World, world};

const CONFIGS: &str = "/api/v1/admin/sync-configs";
const SALES_EMEA: &str = "9d1f0c2e-4b7a-4e3c-8a55-1f2e3d4c5b6a";
const SALES_ALL: &str = "1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d";

impl World {
    async fn new_config(&self, name: &str, is_default: bool, settings: Value) -> Value {
        let body = json!({ "name": name, "is_default": is_default, "settings": settings });
        let (status, config) = self.admin(Method::POST, CONFIGS, Some(body)).await;
        assert_eq!(status, 201, "{config}");
        config
    }

    /// The configuration `/api/v1/me` reports for REP_A in these groups.
    async fn applies_to_rep(&self, groups: &[&str]) -> Value {
        let mut spec = TokenSpec::user(signed_in::TENANT, REP_A, signed_in::API);
        spec.groups = groups.iter().map(|g| g.to_string()).collect();
        let token = self.tenant.entra.mint(&spec).unwrap();
        self.me_with(&token).await["sync_config"]["name"].clone()
    }
}

fn error(body: &Value) -> (&str, &str) {
    (
        body["error"]["code"].as_str().unwrap_or_default(),
        body["error"]["field"].as_str().unwrap_or_default(),
    )
}

#[tokio::test]
async fn an_admin_creates_changes_and_deletes_a_configuration_and_every_change_is_audited() {
    let w = world().await;
    let created = w
        .new_config(
            "EMEA sales",
            false,
            json!({ "direction": "both", "excluded": [" CEO@Contoso.com ", "partner.example"] }),
        )
        .await;
    assert_eq!(created["version"], 1);
    assert_eq!(
        created["settings"]["excluded"],
        json!(["ceo@contoso.com", "partner.example"]),
        "saved as the sync compares it"
    );
    let id = created["id"].as_str().unwrap();
    let one = format!("{CONFIGS}/{id}");

    let (status, listed) = w.admin(Method::GET, CONFIGS, None).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["configs"][0]["name"], "EMEA sales");

    let change = json!({ "name": "EMEA sales", "settings": { "direction": "outlook_to_salesforce" }, "version": 1 });
    let (status, updated) = w.admin(Method::PUT, &one, Some(change.clone())).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["settings"]["direction"], "outlook_to_salesforce");
    assert_eq!(
        updated["settings"]["window_days_ahead"], 28,
        "every setting read back, the defaults spelled out"
    );
    // A second admin who read version 1 cannot overwrite it.
    let (status, stale) = w.admin(Method::PUT, &one, Some(change)).await;
    assert_eq!(status, 409, "{stale}");
    assert_eq!(error(&stale).0, "version_conflict");

    let (status, _) = w.admin(Method::DELETE, &one, None).await;
    assert_eq!(status, 204);
    let (status, gone) = w.admin(Method::GET, &one, None).await;
    assert_eq!(status, 404, "{gone}");

    let (status, history) = w.admin(Method::GET, &format!("{one}/history"), None).await;
    assert_eq!(status, 200, "{history}");
    let changes = history["changes"].as_array().unwrap();
    let actions: Vec<(&str, i64)> = changes
        .iter()
        .map(|c| {
            (
                c["action"].as_str().unwrap(),
                c["version"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(actions, [("created", 1), ("updated", 2), ("deleted", 2)]);
    assert!(changes.iter().all(|c| c["by"] == ADMIN), "{history}");
    assert_eq!(
        changes[1]["detail"]["settings"]["direction"],
        "outlook_to_salesforce"
    );

    // Only admins.
    let (status, _) = w.rep_call(REP_A, Method::GET, CONFIGS, None).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn every_setting_is_checked_by_its_field_and_nothing_invalid_is_saved() {
    let w = world().await;
    let refused = [
        (
            json!({ "window_days_ahead": 0 }),
            "settings.window_days_ahead",
        ),
        (
            json!({ "window_days_back": 400 }),
            "settings.window_days_back",
        ),
        (json!({ "direction": "sideways" }), "settings.direction"),
        (json!({ "conflict": "loudest_wins" }), "settings.conflict"),
        (json!({ "private": true }), "settings.private"),
        (
            json!({ "poll_interval_secs": 5 }),
            "settings.poll_interval_secs",
        ),
        (json!({ "category": "  " }), "settings.category"),
        (
            json!({ "excluded": ["ok.example", "not an address"] }),
            "settings.excluded[1]",
        ),
        (
            json!({ "extra_email_fields": { "contact": ["Email"] } }),
            "settings.extra_email_fields.contact[0]",
        ),
        (json!({ "colour": "blue" }), "settings.colour"),
        (json!(["direction"]), "settings"),
    ];
    for (settings, field) in refused {
        let body = json!({ "name": "Bad", "settings": settings });
        let (status, answer) = w.admin(Method::POST, CONFIGS, Some(body)).await;
        assert_eq!(status, 400, "{settings}: {answer}");
        assert_eq!(error(&answer), ("invalid_field", field), "{settings}");
    }
    let (status, answer) = w
        .admin(Method::POST, CONFIGS, Some(json!({ "name": "" })))
        .await;
    assert_eq!((status, error(&answer).1), (400, "name"));
    let (_, listed) = w.admin(Method::GET, CONFIGS, None).await;
    assert_eq!(listed["configs"], json!([]), "nothing was saved");

    // Names are unique, and there is one default.
    w.new_config("Everyone", true, json!({})).await;
    let again = json!({ "name": "Others", "is_default": true });
    let (status, answer) = w.admin(Method::POST, CONFIGS, Some(again)).await;
    assert_eq!((status, error(&answer).0), (409, "sync_config_taken"));
}

#[tokio::test]
async fn a_users_own_configuration_beats_their_groups_which_beat_the_default() {
    let w = world().await;
    let _ = w.me(REP_A).await;
    w.new_config("Everyone", true, json!({})).await;
    let emea = w.new_config("EMEA", false, json!({ "scope": "all" })).await;
    let sales = w.new_config("Sales", false, json!({})).await;
    let mine = w
        .new_config("Avery's", false, json!({ "private": "skip" }))
        .await;
    let assign = |config: &Value, kind: &str, who: &str| {
        format!(
            "{CONFIGS}/{}/assignments/{kind}/{who}",
            config["id"].as_str().unwrap()
        )
    };
    for (config, group, priority) in [(&emea, SALES_EMEA, 10), (&sales, SALES_ALL, 50)] {
        let body = json!({ "priority": priority });
        let (status, answer) = w
            .admin(Method::PUT, &assign(config, "group", group), Some(body))
            .await;
        assert_eq!(status, 200, "{answer}");
    }
    let (status, answer) = w
        .admin(Method::PUT, &assign(&mine, "user", REP_A), None)
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["assignments"][0]["kind"], "user");

    assert_eq!(w.applies_to_rep(&[SALES_ALL, SALES_EMEA]).await, "Avery's");
    let (status, _) = w
        .admin(Method::DELETE, &assign(&mine, "user", REP_A), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        w.applies_to_rep(&[SALES_ALL, SALES_EMEA]).await,
        "EMEA",
        "the group with the lowest priority"
    );
    assert_eq!(w.applies_to_rep(&[SALES_ALL]).await, "Sales");
    assert_eq!(w.applies_to_rep(&[]).await, "Everyone");

    let (status, answer) = w
        .admin(Method::PUT, &assign(&mine, "team", REP_A), None)
        .await;
    assert_eq!((status, error(&answer).1), (400, "kind"));
    let history = format!("{CONFIGS}/{}/history", mine["id"].as_str().unwrap());
    let (_, history) = w.admin(Method::GET, &history, None).await;
    let actions: Vec<&str> = history["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "assigned", "unassigned"]);
}

#[tokio::test]
async fn a_rep_in_more_groups_than_the_token_holds_gets_their_groups_configuration_through_graph() {
    let w = world().await;
    w.mailbox_by_application(&[
        "Calendars.ReadWrite",
        "GroupMember.Read.All",
        "User.Read.All",
    ])
    .await;
    w.graph.set_member_groups(REP_A, &[SALES_ALL, SALES_EMEA]);
    w.new_config("Everyone", true, json!({})).await;
    let emea = w.new_config("EMEA", false, json!({})).await;
    let path = format!(
        "{CONFIGS}/{}/assignments/group/{SALES_EMEA}",
        emea["id"].as_str().unwrap()
    );
    let (status, answer) = w.admin(Method::PUT, &path, None).await;
    assert_eq!(status, 200, "{answer}");

    // Entra leaves the groups out of the token and says where to read them.
    let mut spec = TokenSpec::user(signed_in::TENANT, REP_A, signed_in::API);
    spec.groups_overage = true;
    let token = w.tenant.entra.mint(&spec).unwrap();
    let me = w.me_with(&token).await;
    assert_eq!(me["sync_config"]["name"], "EMEA", "{me}");
    // Kept on the rep, where the sync reads them; the next token with the overage keeps them.
    let stored = w.user(REP_A).await.entra_groups.0;
    assert_eq!(stored, [SALES_ALL, SALES_EMEA]);
    let _ = w.me_with(&token).await;
    assert_eq!(w.user(REP_A).await.entra_groups.0, stored);
}

#[tokio::test]
async fn without_permission_to_read_memberships_a_rep_with_the_overage_gets_the_default() {
    let w = world().await;
    w.mailbox_by_application(&["Calendars.ReadWrite"]).await;
    w.graph.set_member_groups(REP_A, &[SALES_EMEA]);
    w.new_config("Everyone", true, json!({})).await;
    let emea = w.new_config("EMEA", false, json!({})).await;
    let path = format!(
        "{CONFIGS}/{}/assignments/group/{SALES_EMEA}",
        emea["id"].as_str().unwrap()
    );
    w.admin(Method::PUT, &path, None).await;
    let mut spec = TokenSpec::user(signed_in::TENANT, REP_A, signed_in::API);
    spec.groups_overage = true;
    let token = w.tenant.entra.mint(&spec).unwrap();
    assert_eq!(w.me_with(&token).await["sync_config"]["name"], "Everyone");
}
