//! Microsoft Graph access through the sandbox: delegated (on-behalf-of the rep, the grant kept
//! sealed for background work, renewed, revoked, regained) and application (client credentials
//! by secret or certificate, mailboxes scoped by the tenant's policy), Conditional Access
//! passed back to the task pane as a claims challenge.

use base64::Engine as _;
use outforce::storage::connections::{self, Provider};
use outforce_sandbox::entra::{AppRegistration, OboFailure, TokenSpec};
use reqwest::Method;
use serde_json::{Value, json};

use crate::eventually::{eventually, when};
use crate::signed_in::API;
use crate::world::{REP_A, REP_B, World, registration, world, world_with};

/// `GET /api/v1/graph/connection` for a rep: the status and the body.
async fn graph_connection(w: &World, oid: &str) -> (u16, Value) {
    let token = w.token(oid);
    w.app
        .call(Method::GET, "/api/v1/graph/connection", &token, None)
        .await
}

/// The admin's `POST /api/v1/admin/graph/check`.
async fn mailbox_check(w: &World) -> Value {
    let (status, body) = w
        .admin(Method::POST, "/api/v1/admin/graph/check", None)
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Moves a rep's stored Graph access token past its expiry, as an hour's wait would.
async fn age_access_token(w: &World, oid: &str) {
    let stored = w.stored_connection(oid, Provider::Graph).await;
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    connections::set_tokens(
        &w.app.state.db,
        &stored.user_id,
        Provider::Graph,
        &stored.access_token_sealed.unwrap(),
        None,
        Some(past),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
}

fn rep_entry<'a>(check: &'a Value, name_or_id: &str) -> &'a Value {
    check["reps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == name_or_id)
        .unwrap()
}

async fn user_id(w: &World, oid: &str) -> String {
    w.user(oid).await.id.to_string()
}

/// REP_A's delegated grant, taken by the pane's first call; their user id.
async fn granted(w: &World) -> String {
    let (status, body) = graph_connection(w, REP_A).await;
    assert_eq!(status, 200, "{body}");
    user_id(w, REP_A).await
}

/// Opening the pane again regains a lost grant (the pane's own call, in the background), and
/// background work reaches the mailbox again.
async fn regained_from_the_pane(w: &World, user_id: &str) {
    eventually(
        "the grant regained",
        std::time::Duration::from_secs(4),
        || async { when(w.me(REP_A).await, |m| m["graph"]["state"] == "connected") },
    )
    .await;
    assert_eq!(rep_entry(&mailbox_check(w).await, user_id)["status"], "ok");
}

#[tokio::test]
async fn delegated_access_is_gained_kept_renewed_lost_and_regained() {
    let w = world().await;
    let (status, body) = graph_connection(&w, REP_A).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mode"], "delegated");
    assert_eq!(body["state"], "connected");
    assert_eq!(
        body["mailbox"],
        json!({ "calendar": "ok", "contacts": "ok", "categories": "ok" })
    );
    assert_eq!(
        w.tenant.entra.calls("token"),
        1,
        "one on-behalf-of exchange"
    );
    assert_eq!(w.me(REP_A).await["graph"]["state"], "connected");

    // The rep is away: background work uses the kept grant, then renews it.
    let a = user_id(&w, REP_A).await;
    let check = mailbox_check(&w).await;
    assert_eq!(rep_entry(&check, &a)["status"], "ok", "{check}");
    assert_eq!(
        w.tenant.entra.calls("token"),
        1,
        "the access token was still good"
    );
    age_access_token(&w, REP_A).await;
    let check = mailbox_check(&w).await;
    assert_eq!(rep_entry(&check, &a)["status"], "ok", "{check}");
    assert_eq!(
        w.tenant.entra.calls("token"),
        2,
        "renewed with the refresh token"
    );

    // The rep's sessions are revoked: background work stops and says why.
    w.tenant.entra.revoke_refresh_tokens(REP_A);
    age_access_token(&w, REP_A).await;
    let check = mailbox_check(&w).await;
    assert_eq!(
        rep_entry(&check, &a)["code"],
        "graph_reconnect_needed",
        "{check}"
    );
    assert_eq!(
        w.stored_connection(REP_A, outforce::storage::connections::Provider::Graph)
            .await
            .status
            .as_str(),
        "reconnect_needed"
    );

    regained_from_the_pane(&w, &a).await;
}

/// A rep away longer than Entra keeps an idle refresh token (90 days: AADSTS700082) is asked to
/// open the pane again, as after a revocation, and the pane's next call regains the grant.
#[tokio::test]
async fn a_refresh_token_idle_for_ninety_days_makes_the_rep_open_the_pane_again() {
    let w = world().await;
    let a = granted(&w).await;
    w.tenant
        .entra
        .advance_clock(std::time::Duration::from_secs(91 * 86_400));
    age_access_token(&w, REP_A).await;
    let check = mailbox_check(&w).await;
    assert_eq!(
        rep_entry(&check, &a)["code"],
        "graph_reconnect_needed",
        "{check}"
    );
    assert_eq!(
        w.stored_connection(REP_A, Provider::Graph)
            .await
            .last_error_code
            .as_deref(),
        Some("AADSTS700082")
    );
    regained_from_the_pane(&w, &a).await;
}

/// Entra busy when background work renews the rep's Graph token (503 `temporarily_unavailable`,
/// then 500 `server_error`) is passing: the rep's status says Microsoft 365 did not answer (it
/// clears by itself), the grant is kept, and the next try renews it.
#[tokio::test]
async fn entra_busy_while_renewing_is_passing_and_the_grant_is_kept() {
    use outforce_sandbox::entra::TokenFault;
    let w = world().await;
    let a = granted(&w).await;
    for fault in [TokenFault::TemporarilyUnavailable, TokenFault::ServerError] {
        age_access_token(&w, REP_A).await;
        w.tenant.entra.script_token_faults(vec![fault]);
        let check = mailbox_check(&w).await;
        assert_eq!(
            rep_entry(&check, &a)["code"],
            "graph_unavailable",
            "{fault:?}: {check}"
        );
        assert_eq!(
            w.stored_connection(REP_A, Provider::Graph)
                .await
                .status
                .as_str(),
            "connected",
            "{fault:?}: the grant is kept"
        );
    }
    assert_eq!(rep_entry(&mailbox_check(&w).await, &a)["status"], "ok");
}

#[tokio::test]
async fn conditional_access_comes_back_as_a_claims_challenge() {
    let w = world().await;
    let claims = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;
    w.tenant.entra.set_obo_failure(
        REP_A,
        Some(OboFailure::InteractionRequired {
            claims: claims.into(),
        }),
    );
    let response = w
        .app
        .request(
            Method::GET,
            "/api/v1/graph/connection",
            &w.token(REP_A),
            None,
        )
        .await;
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        challenge.contains("error=\"insufficient_claims\""),
        "{challenge}"
    );
    let encoded = base64::engine::general_purpose::STANDARD.encode(claims);
    assert!(
        challenge.contains(&format!("claims=\"{encoded}\"")),
        "{challenge}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "graph_interaction_required");

    w.tenant
        .entra
        .set_obo_failure(REP_A, Some(OboFailure::ConsentRequired));
    let (status, body) = graph_connection(&w, REP_A).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "graph_consent_required");

    w.tenant.entra.set_obo_failure(REP_A, None);
    assert_eq!(graph_connection(&w, REP_A).await.0, 200);
}

#[tokio::test]
async fn application_access_reports_which_mailboxes_and_permissions_work() {
    let w = world().await;
    w.mailbox_by_application(&["Calendars.ReadWrite"]).await;
    let _ = w.me(REP_A).await;
    let _ = w.me(REP_B).await;
    assert_eq!(w.me(REP_A).await["graph"]["mode"], "application");

    let check = mailbox_check(&w).await;
    assert_eq!(check["mode"], "application");
    let a = rep_entry(&check, &user_id(&w, REP_A).await).clone();
    assert_eq!(
        a["mailbox"],
        json!({ "calendar": "ok", "contacts": "ErrorAccessDenied", "categories": "ErrorAccessDenied" })
    );
    assert_eq!(a["status"], "limited");
    let b = rep_entry(&check, &user_id(&w, REP_B).await).clone();
    assert_eq!(
        b["mailbox"]["calendar"], "ErrorAccessDenied",
        "outside the access policy"
    );
    let tokens = w.tenant.entra.calls("token");
    assert_eq!(tokens, 1, "one app token for the whole tenant");

    let (status, body) = graph_connection(&w, REP_A).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mode"], "application");
    assert_eq!(
        w.tenant.entra.calls("token"),
        tokens,
        "the cached app token served"
    );
}

#[tokio::test]
async fn application_access_works_with_a_certificate_instead_of_a_secret() {
    let pair = crate::signed_in::key_pair();
    let dir = tempfile::tempdir().unwrap();
    let (cert_file, key_file) = (dir.path().join("app.crt"), dir.path().join("app.key"));
    std::fs::write(&cert_file, &pair.certificate_pem).unwrap();
    std::fs::write(&key_file, &pair.private_key_pem).unwrap();
    let w = world_with(|loaded| {
        loaded.settings.graph.client_secret = None;
        loaded.settings.graph.certificate_file = Some(cert_file);
        loaded.settings.graph.private_key_file = Some(key_file);
    })
    .await;
    w.tenant
        .entra
        .add_app_certificate(API, &pair.certificate_der, &pair.public_key_pem)
        .unwrap();
    w.tenant.entra.register_app(AppRegistration {
        client_secret: "not-sent".into(),
        application_permissions: vec!["Calendars.ReadWrite".into(), "Contacts.ReadWrite".into()],
        ..registration()
    });
    let (status, _) = w
        .admin(
            Method::PUT,
            "/api/v1/admin/graph",
            Some(json!({ "mode": "application" })),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = graph_connection(&w, REP_A).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["mailbox"],
        json!({ "calendar": "ok", "contacts": "ok", "categories": "ErrorAccessDenied" }),
        "without MailboxSettings the category list is out of reach, and optional"
    );
    assert_eq!(body["state"], "connected");
}

#[tokio::test]
async fn a_reps_mailbox_grant_is_theirs_alone() {
    let w = world().await;
    assert_eq!(graph_connection(&w, REP_A).await.0, 200);
    assert_eq!(
        w.tenant.entra.calls("token"),
        1,
        "A's grant, from A's token"
    );
    // B's first call takes B's own grant from B's token (in the background, since any pane
    // call of an unwatched rep does): A's never serves B.
    assert_eq!(graph_connection(&w, REP_B).await.0, 200);
    assert_eq!(
        w.tenant.entra.calls("token"),
        2,
        "B got a grant of their own"
    );
    let (a, b) = (
        w.stored_connection(REP_A, Provider::Graph).await,
        w.stored_connection(REP_B, Provider::Graph).await,
    );
    assert_ne!(a.id, b.id);
    assert_eq!(b.user_id, w.user(REP_B).await.id);

    // The same object id in another tenant is another person, with no grant here.
    const OTHER_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
    let elsewhere = w
        .tenant
        .entra
        .mint(&TokenSpec::user(OTHER_TENANT, REP_A, API))
        .unwrap();
    let response = w
        .app
        .request(Method::GET, "/api/v1/me", &elsewhere, None)
        .await;
    let me: Value = response.json().await.unwrap();
    // Not A's grant: either none yet, or one of its own from its own token (the background
    // grant any pane call of an unwatched rep starts may already have been taken).
    let own_grant = w.tenant.entra.calls("token") == 3;
    assert!(me["graph"]["state"] == "not_connected" || own_grant, "{me}");
}
