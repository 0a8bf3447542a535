//! The org-wide connection: an admin turns on the connected app's JWT bearer grant, and reps
//! work without connecting one by one; a rep whose Salesforce user was not pre-authorized is
//! named to the admin with what to do.

use outforce_sandbox::entra::TokenSpec;
use outforce_sandbox::salesforce::ConnectedApp;
use serde_json::{Value, json};

use crate::signed_in::{API, TENANT};
use crate::world::{World, world_with};

const AVERY: &str = "6467882c-fdfd-4354-a1ed-4e13f064be25";
const BLAKE: &str = "0c4e9ab2-1d7a-4a2f-9d59-4c0c1e6d2f11";

struct OrgWide {
    w: World,
    certificate_pem: String,
    _key_dir: tempfile::TempDir,
}

/// A world whose server holds the connected app's private key, and whose connected app has the
/// certificate with only Avery pre-authorized.
async fn org_wide() -> OrgWide {
    let pair = crate::signed_in::key_pair();
    let key_dir = tempfile::tempdir().unwrap();
    let key_file = key_dir.path().join("connected-app.key");
    std::fs::write(&key_file, &pair.private_key_pem).unwrap();
    let w = world_with(|loaded| {
        loaded.settings.salesforce.jwt_private_key_file = Some(key_file);
    })
    .await;
    let o = OrgWide {
        w,
        certificate_pem: pair.certificate_pem,
        _key_dir: key_dir,
    };
    o.pre_authorize(std::slice::from_ref(&o.w.sf_user_a));
    o
}

impl OrgWide {
    /// The Salesforce admin's list of users pre-authorized for the connected app.
    fn pre_authorize(&self, users: &[String]) {
        self.w.sf.add_connected_app(ConnectedApp {
            jwt_certificate_pem: Some(self.certificate_pem.clone()),
            pre_authorized_users: users.to_vec(),
            ..self.w.connected_app()
        });
    }

    /// A rep's token carrying their sign-in name (what org-wide matching goes by).
    fn token(&self, object_id: &str, username: &str) -> String {
        let mut spec = TokenSpec::user(TENANT, object_id, API);
        spec.username = username.into();
        self.w.tenant.entra.mint(&spec).unwrap()
    }

    async fn connection(&self, object_id: &str, username: &str) -> (u16, Value) {
        let token = self.token(object_id, username);
        self.w
            .app
            .call(
                reqwest::Method::GET,
                "/api/v1/salesforce/connection",
                &token,
                None,
            )
            .await
    }
}

const SETUP: &str = "/api/v1/admin/salesforce/org-wide";

#[tokio::test]
async fn reps_work_org_wide_and_an_unapproved_user_is_named_to_the_admin() {
    let o = org_wide().await;
    let (status, body) =
        o.w.admin(
            reqwest::Method::PUT,
            SETUP,
            Some(json!({ "login": "production", "match_by": "username" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // Avery never connected, yet works: the grant acts as the Salesforce user of that name.
    let (status, body) = o.connection(AVERY, "avery@contoso.example").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mode"], "org_wide");
    assert_eq!(body["user"]["id"], o.w.sf_user_a.as_str());
    assert_eq!(o.w.sf.calls("authorize"), 0, "no sign-in dialog");
    let me =
        o.w.app
            .call(
                reqwest::Method::GET,
                "/api/v1/me",
                &o.token(AVERY, "avery@contoso.example"),
                None,
            )
            .await
            .1;
    assert_eq!(me["salesforce"]["mode"], "org_wide");
    assert_eq!(me["salesforce"]["state"], "connected");

    // Sessions end; the grant mints a new one unseen.
    let minted = o.w.sf.calls("token");
    o.w.sf.expire_sessions(&o.w.sf_user_a);
    assert_eq!(o.connection(AVERY, "avery@contoso.example").await.0, 200);
    assert_eq!(o.w.sf.calls("token"), minted + 1);

    // Blake's Salesforce user was not pre-authorized for the connected app.
    let (status, body) = o.connection(BLAKE, "blake@contoso.example").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "salesforce_user_not_approved");

    let (_, tenant) =
        o.w.admin(reqwest::Method::GET, "/api/v1/admin/tenant", None)
            .await;
    assert_eq!(tenant["salesforce"]["mode"], "org_wide");
    assert_eq!(
        tenant["salesforce"]["org_wide"]["last_error"]["code"],
        "salesforce_user_not_approved"
    );
    let (status, check) =
        o.w.admin(
            reqwest::Method::POST,
            "/api/v1/admin/salesforce/org-wide/check",
            None,
        )
        .await;
    assert_eq!(status, 200, "{check}");
    let reps = check["reps"].as_array().unwrap();
    let blake = reps
        .iter()
        .find(|r| r["code"] == "salesforce_user_not_approved")
        .unwrap();
    assert!(blake["advice"].as_str().unwrap().contains("pre-authorized"));
    assert!(
        reps.iter()
            .any(|r| r["salesforce_user_id"] == o.w.sf_user_a.as_str())
    );

    // Once the Salesforce admin approves Blake, it works without anyone reconnecting.
    o.pre_authorize(&[o.w.sf_user_a.clone(), o.w.sf_user_b.clone()]);
    let (status, body) = o.connection(BLAKE, "blake@contoso.example").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["id"], o.w.sf_user_b.as_str());
    let (_, tenant) =
        o.w.admin(reqwest::Method::GET, "/api/v1/admin/tenant", None)
            .await;
    assert_eq!(
        tenant["salesforce"]["org_wide"]["last_error"],
        Value::Null,
        "cleared"
    );
}

#[tokio::test]
async fn matching_by_email_looks_reps_up_as_the_integration_user() {
    let o = org_wide().await;
    let setup = json!({ "login": "production", "match_by": "email" });
    let (status, body) = o.w.admin(reqwest::Method::PUT, SETUP, Some(setup)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "integration_user_required");

    let setup = json!({
        "login": "production", "match_by": "email", "integration_username": "avery@contoso.example",
    });
    assert_eq!(
        o.w.admin(reqwest::Method::PUT, SETUP, Some(setup)).await.0,
        200
    );
    let (status, body) = o.connection(AVERY, "AVERY@contoso.example").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["username"], "avery@contoso.example");
    let (status, body) = o.connection(BLAKE, "nobody@contoso.example").await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "salesforce_user_not_found");
}

#[tokio::test]
async fn only_admins_set_it_up_and_only_where_the_grant_can_log_in() {
    let o = org_wide().await;
    let rep = o.token(AVERY, "avery@contoso.example");
    let setup = json!({ "login": "production", "match_by": "username" });
    let (status, body) =
        o.w.app
            .call(reqwest::Method::PUT, SETUP, &rep, Some(setup))
            .await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "not_admin");
    let my_domain = json!({ "login": "https://contoso.my.salesforce.com", "match_by": "username" });
    let (status, body) =
        o.w.admin(reqwest::Method::PUT, SETUP, Some(my_domain))
            .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "login_host_not_allowed");

    // Turned off, reps are back to connecting themselves.
    let setup = json!({ "login": "production", "match_by": "username" });
    assert_eq!(
        o.w.admin(reqwest::Method::PUT, SETUP, Some(setup)).await.0,
        200
    );
    assert_eq!(o.connection(AVERY, "avery@contoso.example").await.0, 200);
    assert_eq!(o.w.admin(reqwest::Method::DELETE, SETUP, None).await.0, 204);
    let (status, body) = o.connection(AVERY, "avery@contoso.example").await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "salesforce_not_connected");
}
