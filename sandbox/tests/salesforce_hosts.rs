//! Salesforce's hosts: production users log in at the production login host, sandbox users at
//! the sandbox login host, anyone at My Domain; tokens name the instance, and the REST API
//! answers only there.

use crate::client;

use outforce_sandbox::salesforce::{ConnectedApp, LoginPage, Salesforce};
use outforce_sandbox::tls::Authority;
use serde_json::Value;

const CALLBACK: &str = "https://outforce.example/auth/salesforce/callback";

/// Runs the web server flow at `host` for the user the login page approves: the token response,
/// or `None` when the login page refused the user.
async fn connect(http: &reqwest::Client, host: &str) -> Option<Value> {
    let authorize = format!(
        "{host}/services/oauth2/authorize?response_type=code&client_id=key&redirect_uri={}&state=s",
        &serde_urlencoded::to_string([("", CALLBACK)]).unwrap()[1..]
    );
    let response = http.get(&authorize).send().await.unwrap();
    if response.status() != 302 {
        let page = response.text().await.unwrap();
        assert!(
            page.contains("Please check your username and password"),
            "{page}"
        );
        return None;
    }
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let code = location
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let code = serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("c={code}")).unwrap()
        [0]
    .1
    .clone();
    let token = http
        .post(format!("{host}/services/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "key"),
            ("client_secret", "secret"),
            ("redirect_uri", CALLBACK),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    Some(token.json().await.unwrap())
}

#[tokio::test]
async fn each_org_logs_in_at_its_own_host_or_at_my_domain() {
    let authority = Authority::new().unwrap();
    let sf = Salesforce::start(&authority).unwrap();
    let http = client::trusting(&authority, false);
    let production = sf.add_org("Contoso", 10_000);
    let sandbox = sf.add_sandbox_org("Contoso UAT", 10_000);
    let live_rep = sf.add_user(&production.id, "rep@contoso.example", "Avery", "Rep");
    let uat_rep = sf.add_user(&sandbox.id, "rep@contoso.example.uat", "Avery", "Rep");
    sf.add_connected_app(ConnectedApp {
        consumer_key: "key".into(),
        consumer_secret: "secret".into(),
        callback_urls: vec![CALLBACK.into()],
        rotate_refresh_tokens: false,
        jwt_certificate_pem: None,
        pre_authorized_users: Vec::new(),
    });
    assert_ne!(sf.login_url(), sf.test_login_url());

    sf.set_login_page(LoginPage::Approve(live_rep.id.clone()));
    let token = connect(&http, sf.login_url()).await.unwrap();
    assert_eq!(
        token["instance_url"],
        sf.base_url(),
        "the token names the instance, not the login host"
    );
    assert!(
        connect(&http, sf.test_login_url()).await.is_none(),
        "a production user at test.salesforce.com"
    );

    sf.set_login_page(LoginPage::Approve(uat_rep.id.clone()));
    assert!(
        connect(&http, sf.login_url()).await.is_none(),
        "a sandbox user at login.salesforce.com"
    );
    assert!(connect(&http, sf.test_login_url()).await.is_some());
    let my_domain = connect(&http, sf.base_url()).await.unwrap();

    let access = my_domain["access_token"].as_str().unwrap();
    let on_instance = http
        .get(format!("{}/services/data/v64.0/limits", sf.base_url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(on_instance.status(), 200);
    let on_login_host = http
        .get(format!("{}/services/data/v64.0/limits", sf.login_url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(
        on_login_host.status(),
        404,
        "the REST API is not on the login host"
    );

    let text = http
        .post(format!(
            "{}/services/data/v64.0/sobjects/Contact",
            sf.base_url()
        ))
        .bearer_auth(access)
        .header("Content-Type", "text/plain")
        .body("LastName=Doe")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);
    sf.stop().await;
}

#[tokio::test]
async fn a_records_page_names_it_in_lightning_and_classic() {
    let authority = Authority::new().unwrap();
    let sf = Salesforce::start(&authority).unwrap();
    let http = client::trusting(&authority, false);
    let org = sf.add_org("Contoso", 1_000);
    let deal = sf
        .create_record(
            &org.id,
            "Opportunity",
            serde_json::json!({ "Name": "Acme <renewal> 2027", "StageName": "Prospecting", "CloseDate": "2027-01-31" }),
        )
        .unwrap();
    let page = |path: String| {
        let http = http.clone();
        async move {
            let response = http.get(path).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    };
    let base = sf.base_url();
    for path in [
        format!("{base}/lightning/r/Opportunity/{deal}/view"),
        format!("{base}/{deal}"),
        format!("{base}/{}", &deal[..15]),
    ] {
        let html = page(path.clone()).await;
        assert!(
            html.contains("<h1>Acme &lt;renewal&gt; 2027</h1>"),
            "{path}: {html}"
        );
        assert!(html.contains("Opportunity"), "{html}");
    }
    let wrong_type = page(format!("{base}/lightning/r/Account/{deal}/view")).await;
    assert!(wrong_type.contains("Record unavailable"), "{wrong_type}");
    sf.delete_record(&org.id, &deal).unwrap();
    let gone = page(format!("{base}/{deal}")).await;
    assert!(gone.contains("Record unavailable"), "{gone}");
}
