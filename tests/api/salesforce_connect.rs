//! Connecting a rep to Salesforce through the sandbox, as the Office dialog does it: a ticket
//! from the API, then a browser (cookies, redirects) through start, the login page and the
//! callback; the connection stored with sealed tokens; denial, replays, another browser's state
//! and another org refused; disconnecting revokes at Salesforce.

use outforce_sandbox::salesforce::LoginPage;
use secrecy::ExposeSecret as _;

use crate::signed_in;
use reqwest::Method;

use crate::world::{REP_A, REP_B, browser, unbound_world, world};

#[tokio::test]
async fn a_rep_connects_through_the_dialog_and_tokens_are_stored_sealed() {
    let w = world().await;
    let browser = browser(&w);
    let start = w.ticket(REP_A).await;
    let callback = w.until_callback(&browser, &start).await.unwrap();
    assert!(
        callback.contains("code=") && callback.contains("state="),
        "{callback}"
    );
    let result = w.page(&browser, &callback).await;
    assert_eq!(
        result,
        serde_json::json!({ "status": "ok", "code": "connected" })
    );
    assert_eq!(w.me(REP_A).await["salesforce"]["state"], "connected");

    let user = w.user(REP_A).await;
    assert_eq!(
        user.salesforce_user_id.as_deref(),
        Some(w.sf_user_a.as_str())
    );
    let connection = w
        .stored_connection(REP_A, outforce::storage::connections::Provider::Salesforce)
        .await;
    assert_eq!(
        connection.external_org_id.as_deref(),
        Some(w.org_id.as_str())
    );
    assert_eq!(
        connection.instance_url.as_deref(),
        Some(w.sf.base_url()),
        "the instance, not the login host"
    );
    let access = connection.access_token_sealed.unwrap();
    let refresh = connection.refresh_token_sealed.unwrap();
    for sealed in [&access, &refresh] {
        let text = String::from_utf8_lossy(sealed);
        assert!(
            !text.contains("!AR8AQ") && !text.contains("5Aep861"),
            "no token in clear in the column"
        );
    }
    let opened = w.app.state.sealer.open(&access).unwrap();
    assert!(
        opened.expose_secret().contains("!AR8AQ"),
        "the sealed value is the access token"
    );
    let limits = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(w.tenant.authority.pem().as_bytes()).unwrap(),
        )
        .build()
        .unwrap()
        .get(format!("{}/services/data/v64.0/limits", w.sf.base_url()))
        .bearer_auth(opened.expose_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(
        limits.status(),
        200,
        "the stored access token works at the instance"
    );

    let replayed = w.page(&browser, &callback).await;
    assert_eq!(replayed["code"], "state_invalid", "a callback works once");
    let spent_ticket = w.page(&browser, &start).await;
    assert_eq!(
        spent_ticket["code"], "ticket_invalid",
        "a ticket works once"
    );

    assert_eq!(w.disconnect_with(&w.token(REP_A)).await, 204);
    assert_eq!(
        w.sf.calls("revoke"),
        1,
        "the token was revoked at Salesforce"
    );
    assert_eq!(w.me(REP_A).await["salesforce"]["state"], "not_connected");
}

#[tokio::test]
async fn a_denial_is_reported_to_the_task_pane() {
    let w = world().await;
    w.sf.set_login_page(LoginPage::Deny);
    assert_eq!(w.connect(REP_A).await, "salesforce_denied");
    assert_eq!(w.me(REP_A).await["salesforce"]["state"], "not_connected");
}

#[tokio::test]
async fn a_callback_carrying_another_reps_state_is_refused() {
    let w = world().await;
    let (browser_a, browser_b) = (browser(&w), browser(&w));
    let _ = w
        .until_callback(&browser_a, &w.ticket(REP_A).await)
        .await
        .unwrap();
    let callback_b = w
        .until_callback(&browser_b, &w.ticket(REP_B).await)
        .await
        .unwrap();
    let result = w.page(&browser_a, &callback_b).await;
    assert_eq!(result["code"], "state_mismatch");
    assert_eq!(w.me(REP_B).await["salesforce"]["state"], "not_connected");
    assert_eq!(w.me(REP_A).await["salesforce"]["state"], "not_connected");
}

#[tokio::test]
async fn a_second_org_for_the_same_tenant_is_refused() {
    let w = world().await;
    assert_eq!(w.connect(REP_A).await, "connected");
    let other_org = w.sf.add_org("Elsewhere", 1_000);
    let stranger =
        w.sf.add_user(&other_org.id, "blake@elsewhere.example", "Blake", "Else");
    w.sf.set_login_page(LoginPage::Approve(stranger.id));
    assert_eq!(w.connect(REP_B).await, "org_mismatch");
    assert_eq!(w.me(REP_B).await["salesforce"]["state"], "not_connected");
}

#[tokio::test]
async fn tickets_need_a_rep_and_an_allowed_login_host() {
    let w = world().await;
    let anonymous = w
        .app
        .client
        .post(format!(
            "{}/api/v1/salesforce/connect-ticket",
            w.app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let (status, body) = w.ticket_for(REP_A, Some("https://evil.example")).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "login_host_not_allowed");

    // An Experience Cloud site (with its path prefix) is a login host too.
    let (status, ticket) = w
        .ticket_for(REP_A, Some("https://contoso.my.site.com/partners"))
        .await;
    assert_eq!(status, 201);
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let start = no_redirects
        .get(format!(
            "{}{}",
            w.app.address,
            ticket["start_url"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 302);
    let location = start.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("https://contoso.my.site.com/partners/services/oauth2/authorize?"),
        "{location}"
    );
}

#[tokio::test]
async fn a_rep_never_sees_or_uses_another_reps_connection() {
    let w = world().await;
    assert_eq!(w.connect(REP_A).await, "connected");

    // Rep B, same tenant: not connected, and cannot disconnect A.
    assert_eq!(w.me(REP_B).await["salesforce"]["state"], "not_connected");
    assert_eq!(w.disconnect_with(&w.token(REP_B)).await, 404);

    // The same object id in another tenant is another person.
    const OTHER_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
    let elsewhere = w
        .tenant
        .entra
        .mint(&outforce_sandbox::entra::TokenSpec::user(
            OTHER_TENANT,
            REP_A,
            signed_in::API,
        ))
        .unwrap();
    let me = w.me_with(&elsewhere).await;
    assert_eq!(me["tenant_id"], OTHER_TENANT);
    assert_eq!(me["salesforce"]["state"], "not_connected");
    assert_eq!(w.disconnect_with(&elsewhere).await, 404);

    assert_eq!(
        w.me(REP_A).await["salesforce"]["state"],
        "connected",
        "A's connection is untouched"
    );
    assert_eq!(w.sf.calls("revoke"), 0);
}

#[tokio::test]
async fn a_callback_with_a_repeated_state_still_reaches_the_task_pane() {
    let w = world().await;
    let browser = browser(&w);
    let callback = w
        .until_callback(&browser, &w.ticket(REP_A).await)
        .await
        .unwrap();
    let repeated = format!("{callback}&state=another");
    let result = w.page(&browser, &repeated).await;
    assert_eq!(result["code"], "state_invalid");
    assert_eq!(w.me(REP_A).await["salesforce"]["state"], "not_connected");
}

#[tokio::test]
async fn a_malformed_ticket_request_is_refused_with_the_field_named() {
    let w = world().await;
    let token = w.token(REP_A);
    let post = |body: &'static str, content_type: &'static str| {
        w.app
            .client
            .post(format!(
                "{}/api/v1/salesforce/connect-ticket",
                w.app.address
            ))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    for (body, code, named) in [
        (r#"{"login": 5}"#, "invalid_field", "login"),
        (r#"{"logn": "sandbox"}"#, "invalid_field", "logn"),
        (r#"["sandbox"]"#, "invalid_json", "object"),
        ("not json", "invalid_json", "JSON"),
    ] {
        let response = post(body, "application/json").await.unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code, "{body}: {error}");
        assert!(
            error["error"]["message"].as_str().unwrap().contains(named),
            "{body}: {error}"
        );
    }
    let wrong_type = post(r#"{"login": "sandbox"}"#, "text/plain").await.unwrap();
    assert_eq!(wrong_type.status(), 415);
    assert_eq!(post("", "application/json").await.unwrap().status(), 201);
    let sandbox = post(r#"{"login": "sandbox"}"#, "application/json; charset=utf-8")
        .await
        .unwrap();
    assert_eq!(sandbox.status(), 201);
}

#[tokio::test]
async fn only_an_admin_ties_the_tenant_to_its_salesforce_org() {
    let w = unbound_world().await;
    assert_eq!(w.connect(REP_A).await, "org_not_bound");
    assert_eq!(w.me(REP_A).await["salesforce"]["state"], "not_connected");

    // The admin's own sign-in ties the tenant to the org it reaches.
    let (status, ticket) = w
        .admin(Method::POST, "/api/v1/salesforce/connect-ticket", None)
        .await;
    assert_eq!(status, 201, "{ticket}");
    let browser = browser(&w);
    let start = format!("{}{}", w.app.address, ticket["start_url"].as_str().unwrap());
    let callback = w.until_callback(&browser, &start).await.unwrap();
    assert_eq!(w.page(&browser, &callback).await["code"], "connected");
    let (_, tenant) = w.admin(Method::GET, "/api/v1/admin/tenant", None).await;
    assert_eq!(tenant["salesforce_org_id"], w.org_id.as_str());
    assert_eq!(w.connect(REP_A).await, "connected");
}

#[tokio::test]
async fn an_admin_ties_unties_and_reties_the_org_by_its_id() {
    let w = unbound_world().await;
    let org = "/api/v1/admin/salesforce/org";
    let (status, body) = w
        .admin(
            Method::PUT,
            org,
            Some(serde_json::json!({ "org_id": &w.org_id[..15] })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["salesforce_org_id"],
        w.org_id.as_str(),
        "the 15-character Id from Setup, kept in its 18-character form"
    );
    assert_eq!(w.connect(REP_A).await, "connected");

    let elsewhere = w.sf.add_org("Elsewhere", 1_000);
    let (status, body) = w
        .admin(
            Method::PUT,
            org,
            Some(serde_json::json!({ "org_id": elsewhere.id })),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "salesforce_org_already_bound");
    for bad in ["001000000000000AAA", "00D12", "00D-not-an-id!!"] {
        let (status, body) = w
            .admin(Method::PUT, org, Some(serde_json::json!({ "org_id": bad })))
            .await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"]["code"], "invalid_field");
    }
    let (status, _) = w
        .app
        .call(
            Method::PUT,
            org,
            &w.token(REP_A),
            Some(serde_json::json!({ "org_id": elsewhere.id })),
        )
        .await;
    assert_eq!(status, 403, "a rep cannot choose the org");

    let (status, _) = w.admin(Method::DELETE, org, None).await;
    assert_eq!(status, 204);
    assert_eq!(
        w.me(REP_A).await["salesforce"]["state"],
        "not_connected",
        "connections to the old org are forgotten"
    );
    let (status, _) = w
        .admin(
            Method::PUT,
            org,
            Some(serde_json::json!({ "org_id": elsewhere.id })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        w.connect(REP_A).await,
        "org_mismatch",
        "the rep signs in to the old org"
    );
}
