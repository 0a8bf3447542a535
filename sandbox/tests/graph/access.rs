use outforce_sandbox::entra::TokenSpec;

use super::fixture::{APP, COLLEAGUE, REP, REP_UPN, TENANT, assert_envelope, world};

#[tokio::test]
async fn tokens_are_checked_as_graph_checks_them() {
    let w = world().await;
    let path = format!("users/{REP}/events");
    let none = w.call("", "GET", &path, None, &[]).await;
    assert_envelope(&none, 401, "InvalidAuthenticationToken");
    assert_eq!(none.body["error"]["message"], "Access token is empty.");
    assert!(
        none.header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );

    // A token for our own API, not for Graph.
    let wrong_audience = w.entra.mint(&TokenSpec::user(TENANT, REP, APP)).unwrap();
    let refused = w.call(&wrong_audience, "GET", &path, None, &[]).await;
    assert_envelope(&refused, 401, "InvalidAuthenticationToken");
    assert_eq!(
        refused.body["error"]["message"],
        "Access token validation failure. Invalid audience."
    );

    w.entra.rotate_keys().unwrap();
    assert_envelope(
        &w.app_call("GET", &path, None).await,
        401,
        "InvalidAuthenticationToken",
    );
}

#[tokio::test]
async fn a_delegated_token_reaches_only_its_own_mailbox() {
    let w = world().await;
    assert_eq!(
        w.call(&w.rep, "GET", "me/events", None, &[]).await.status,
        200
    );
    assert_eq!(
        w.call(&w.rep, "GET", &format!("users/{REP_UPN}/events"), None, &[])
            .await
            .status,
        200,
        "by UPN too"
    );
    let other = w
        .call(
            &w.rep,
            "GET",
            &format!("users/{COLLEAGUE}/events"),
            None,
            &[],
        )
        .await;
    assert_envelope(&other, 403, "ErrorAccessDenied");
    let unknown = w
        .call(
            &w.rep,
            "GET",
            "users/nobody@contoso.example/events",
            None,
            &[],
        )
        .await;
    assert_envelope(&unknown, 404, "ErrorInvalidUser");
    assert_envelope(
        &w.app_call("GET", "me/events", None).await,
        400,
        "BadRequest",
    );
}

#[tokio::test]
async fn an_application_access_policy_limits_the_apps_mailboxes() {
    let w = world().await;
    w.graph.set_access_policy(APP, &[REP]);
    assert_eq!(
        w.app_call("GET", &format!("users/{REP}/events"), None)
            .await
            .status,
        200
    );
    let blocked = w
        .app_call("GET", &format!("users/{COLLEAGUE}/events"), None)
        .await;
    assert_envelope(&blocked, 403, "ErrorAccessDenied");
    assert!(
        blocked.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("AppOnly AccessPolicy")
    );
}
