//! Contract tests of the Salesforce emulator's OAuth 2.0 and REST front door, against
//! reference/wire-contracts.md §0, §1.9, §1.10 and §3.

use crate::client;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use outforce_sandbox::salesforce::{ConnectedApp, LoginPage, Salesforce, User};
use outforce_sandbox::tls::Authority;
use serde_json::{Value, json};

const KEY: &str = "3MVG9outforce.consumer.key";
const SECRET: &str = "5A1E2B7F00C0FFEE";
const CALLBACK: &str = "https://outforce.example/auth/salesforce/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

struct Fixture {
    sf: Salesforce,
    http: reqwest::Client,
    rep: User,
    org_id: String,
    _authority: Authority,
}

fn start(rotate: bool) -> Fixture {
    let authority = Authority::new().unwrap();
    let sf = Salesforce::start(&authority).unwrap();
    let org = sf.add_org("Contoso", 15_000);
    let rep = sf.add_user(&org.id, "rep@contoso.example", "Avery", "Rep");
    sf.add_connected_app(ConnectedApp {
        consumer_key: KEY.into(),
        consumer_secret: SECRET.into(),
        callback_urls: vec![CALLBACK.into()],
        rotate_refresh_tokens: rotate,
        jwt_certificate_pem: None,
        pre_authorized_users: Vec::new(),
    });
    sf.set_login_page(LoginPage::Approve(rep.id.clone()));
    let http = client::trusting(&authority, false);
    Fixture {
        sf,
        http,
        rep,
        org_id: org.id,
        _authority: authority,
    }
}

fn challenge(verifier: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

impl Fixture {
    /// The browser's trip to the login page: returns the redirect's query parameters.
    async fn authorize(&self, client_id: &str, redirect_uri: &str) -> (u16, Vec<(String, String)>) {
        let response = self
            .http
            .get(format!("{}/services/oauth2/authorize", self.sf.base_url()))
            .query(&[
                ("response_type", "code"),
                ("client_id", client_id),
                ("redirect_uri", redirect_uri),
                ("scope", "api refresh_token"),
                ("state", "st-42"),
                ("code_challenge", &challenge(VERIFIER)),
                ("code_challenge_method", "S256"),
            ])
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        let query = location
            .and_then(|l| l.split_once('?').map(|(_, q)| q.to_string()))
            .map(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(&q).unwrap())
            .unwrap_or_default();
        (status, query)
    }

    async fn token(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/services/oauth2/token", self.sf.base_url()))
            .form(form)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn code(&self) -> String {
        let (status, query) = self.authorize(KEY, CALLBACK).await;
        assert_eq!(status, 302);
        query.into_iter().find(|(k, _)| k == "code").unwrap().1
    }

    async fn exchange(&self, code: &str, verifier: Option<&str>) -> (u16, Value) {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", KEY),
            ("client_secret", SECRET),
            ("redirect_uri", CALLBACK),
        ];
        if let Some(verifier) = verifier {
            form.push(("code_verifier", verifier));
        }
        self.token(&form).await
    }

    async fn connect(&self) -> Value {
        let (status, body) = self.exchange(&self.code().await, Some(VERIFIER)).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    async fn limits(&self, token: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/services/data/v62.0/limits", self.sf.base_url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    async fn refresh(&self, refresh_token: &str) -> (u16, Value) {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", KEY),
            ("client_secret", SECRET),
        ])
        .await
    }
}

#[tokio::test]
async fn web_server_flow_with_pkce_returns_the_salesforce_token_response() {
    let f = start(false);
    let (status, query) = f.authorize(KEY, CALLBACK).await;
    assert_eq!(status, 302);
    assert!(
        query.iter().any(|(k, v)| k == "state" && v == "st-42"),
        "{query:?}"
    );
    let code = query.iter().find(|(k, _)| k == "code").unwrap().1.clone();

    let (status, body) = f.exchange(&code, Some(VERIFIER)).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("expires_in").is_none(),
        "Salesforce sends no expires_in"
    );
    let issued_at = body["issued_at"].as_str().expect("issued_at is a string");
    assert_eq!(issued_at.len(), 13, "epoch milliseconds");
    assert_eq!(body["instance_url"], f.sf.base_url());
    assert_eq!(
        body["id"],
        format!("{}/id/{}/{}", f.sf.base_url(), f.org_id, f.rep.id)
    );
    assert_eq!(body["token_type"], "Bearer");
    assert!(
        body["access_token"]
            .as_str()
            .unwrap()
            .starts_with(&f.org_id[..15])
    );
    assert!(
        body["refresh_token"].is_string(),
        "the refresh_token scope brings one"
    );
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, SECRET.as_bytes());
    let message = format!("{}{issued_at}", body["id"].as_str().unwrap());
    let expected = STANDARD.encode(aws_lc_rs::hmac::sign(&key, message.as_bytes()).as_ref());
    assert_eq!(body["signature"], expected);

    let (status, again) = f.exchange(&code, Some(VERIFIER)).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant")),
        "a code works once"
    );
    assert_eq!(f.sf.calls("authorize"), 1);
}

#[tokio::test]
async fn pkce_and_client_errors_have_salesforce_shapes() {
    let f = start(false);
    let (s, b) = f
        .exchange(
            &f.code().await,
            Some("a-different-verifier-of-enough-length-0123456789"),
        )
        .await;
    assert_eq!(
        (s, b),
        (
            400,
            json!({"error": "invalid_request", "error_description": "invalid code verifier"})
        )
    );
    let (s, b) = f.exchange(&f.code().await, None).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_grant")));
    let code = f.code().await;
    let (s, b) = f
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", KEY),
            ("client_secret", "wrong"),
            ("redirect_uri", CALLBACK),
        ])
        .await;
    assert_eq!(
        (s, b),
        (
            400,
            json!({"error": "invalid_client", "error_description": "invalid client credentials"})
        )
    );
    let (s, b) = f
        .token(&[("grant_type", "password"), ("client_id", KEY)])
        .await;
    assert_eq!(
        (s, b["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );

    let (status, _) = f.authorize("unknown-key", CALLBACK).await;
    assert_eq!(
        status, 400,
        "an unknown client gets an error page, not a redirect"
    );
    let (status, _) = f.authorize(KEY, "https://evil.example/callback").await;
    assert_eq!(
        status, 400,
        "an unregistered callback gets an error page, not a redirect"
    );
}

#[tokio::test]
async fn a_denial_redirects_with_access_denied() {
    let f = start(false);
    f.sf.set_login_page(LoginPage::Deny);
    let (status, query) = f.authorize(KEY, CALLBACK).await;
    assert_eq!(status, 302);
    let get = |key: &str| {
        query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("error"), Some("access_denied"));
    assert_eq!(
        get("error_description"),
        Some("end-user denied authorization")
    );
    assert_eq!(get("state"), Some("st-42"));
    assert_eq!(get("code"), None);
}

#[tokio::test]
async fn userinfo_and_the_identity_url_describe_the_user() {
    let f = start(false);
    let token = f.connect().await;
    let access = token["access_token"].as_str().unwrap();
    let info: Value = f
        .http
        .get(format!("{}/services/oauth2/userinfo", f.sf.base_url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (info["user_id"].as_str(), info["organization_id"].as_str()),
        (Some(f.rep.id.as_str()), Some(f.org_id.as_str()))
    );
    assert_eq!(info["preferred_username"], "rep@contoso.example");
    assert_eq!(info["sub"], token["id"]);
    let identity: Value = f
        .http
        .get(token["id"].as_str().unwrap())
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(identity["username"], "rep@contoso.example");
    assert!(
        identity["urls"]["rest"]
            .as_str()
            .unwrap()
            .ends_with("/services/data/v{version}/")
    );

    let refused = f
        .http
        .get(format!("{}/services/oauth2/userinfo", f.sf.base_url()))
        .bearer_auth("00Dbogus!token")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.text().await.unwrap(), "Bad_OAuth_Token");
}

#[tokio::test]
async fn an_expired_session_is_invalid_session_id_until_refreshed() {
    let f = start(false);
    let token = f.connect().await;
    let access = token["access_token"].as_str().unwrap();
    let ok = f.limits(access).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["sforce-limit-info"], "api-usage=1/15000");
    let limits: Value = ok.json().await.unwrap();
    assert_eq!(
        (
            &limits["DailyApiRequests"]["Max"],
            &limits["DailyApiRequests"]["Remaining"]
        ),
        (&json!(15000), &json!(14999))
    );

    f.sf.expire_sessions(&f.rep.id);
    let expired = f.limits(access).await;
    assert_eq!(expired.status(), 401);
    assert_eq!(
        expired.json::<Value>().await.unwrap(),
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    );

    let (status, refreshed) = f.refresh(token["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{refreshed}");
    assert!(
        refreshed.get("refresh_token").is_none(),
        "no rotation: no new refresh token"
    );
    assert_eq!(
        f.limits(refreshed["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn sessions_time_out_after_the_org_timeout() {
    let f = start(false);
    f.sf.set_session_timeout(Duration::from_millis(300));
    let token = f.connect().await;
    assert_eq!(
        f.limits(token["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        f.limits(token["access_token"].as_str().unwrap())
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn rotation_returns_a_new_refresh_token_and_voids_the_old_one() {
    let f = start(true);
    let token = f.connect().await;
    let first = token["refresh_token"].as_str().unwrap();
    let (status, refreshed) = f.refresh(first).await;
    assert_eq!(status, 200);
    let second = refreshed["refresh_token"]
        .as_str()
        .expect("rotation returns a refresh token");
    assert_ne!(second, first);
    let (status, body) = f.refresh(first).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": "invalid_grant", "error_description": "expired access/refresh token"})
        )
    );
    assert_eq!(f.refresh(second).await.0, 200);
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_sessions() {
    let f = start(false);
    let token = f.connect().await;
    let (access, refresh) = (
        token["access_token"].as_str().unwrap(),
        token["refresh_token"].as_str().unwrap(),
    );
    let revoked = f
        .http
        .post(format!("{}/services/oauth2/revoke", f.sf.base_url()))
        .form(&[("token", refresh)])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    assert_eq!(
        f.limits(access).await.status(),
        401,
        "its access tokens die with it"
    );
    assert_eq!(f.refresh(refresh).await.1["error"], "invalid_grant");
    let unknown = f
        .http
        .post(format!("{}/services/oauth2/revoke", f.sf.base_url()))
        .form(&[("token", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["error"],
        "invalid_token"
    );

    let again = f.connect().await;
    f.sf.revoke_refresh_tokens(&f.rep.id);
    assert_eq!(
        f.refresh(again["refresh_token"].as_str().unwrap()).await.1["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn the_daily_allowance_runs_out_with_request_limit_exceeded() {
    let f = start(false);
    let token = f.connect().await;
    f.sf.set_api_remaining(&f.org_id, 1);
    assert_eq!(
        f.limits(token["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
    let refused = f.limits(token["access_token"].as_str().unwrap()).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.headers().get("retry-after").is_none());
    assert_eq!(
        refused.headers()["sforce-limit-info"],
        "api-usage=15000/15000"
    );
    assert_eq!(
        refused.json::<Value>().await.unwrap()[0]["errorCode"],
        "REQUEST_LIMIT_EXCEEDED"
    );
}

#[tokio::test]
async fn jwt_bearer_acts_as_a_pre_authorized_user() {
    let authority = Authority::new().unwrap();
    let sf = Salesforce::start(&authority).unwrap();
    let org = sf.add_org("Contoso", 15_000);
    let approved = sf.add_user(&org.id, "approved@contoso.example", "Pat", "Approved");
    sf.add_user(&org.id, "stranger@contoso.example", "Sam", "Stranger");
    let key = rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
        .unwrap();
    let cert = rcgen::CertificateParams::new(Vec::<String>::new())
        .unwrap()
        .self_signed(&key)
        .unwrap();
    sf.add_connected_app(ConnectedApp {
        consumer_key: KEY.into(),
        consumer_secret: SECRET.into(),
        callback_urls: Vec::new(),
        rotate_refresh_tokens: false,
        jwt_certificate_pem: Some(cert.pem()),
        pre_authorized_users: vec![approved.id.clone()],
    });
    let http = client::trusting(&authority, true);
    let signing = jsonwebtoken::EncodingKey::from_rsa_pem(key.serialize_pem().as_bytes()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let assertion = |iss: &str, sub: &str, aud: &str| {
        let claims = json!({ "iss": iss, "sub": sub, "aud": aud, "exp": now + 120 });
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
            &claims,
            &signing,
        )
        .unwrap()
    };
    let exchange = |assertion: String| {
        let http = http.clone();
        let url = format!("{}/services/oauth2/token", sf.base_url());
        async move {
            let response = http
                .post(url)
                .form(&[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                    ("assertion", assertion.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };

    let (status, body) = exchange(assertion(KEY, "approved@contoso.example", sf.base_url())).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("refresh_token").is_none(),
        "the JWT bearer flow never returns a refresh token"
    );
    assert_eq!(
        body["id"],
        format!("{}/id/{}/{}", sf.base_url(), org.id, approved.id)
    );

    let (s, b) = exchange(assertion(KEY, "stranger@contoso.example", sf.base_url())).await;
    assert_eq!(
        (s, b),
        (
            400,
            json!({"error": "invalid_grant", "error_description": "user hasn't approved this consumer"})
        )
    );
    let (s, b) = exchange(assertion(
        KEY,
        "approved@contoso.example",
        "https://contoso.my.salesforce.com",
    ))
    .await;
    assert_eq!(
        (s, b["error_description"].as_str()),
        (400, Some("audience is invalid"))
    );
    let (s, b) = exchange(assertion(
        "unknown-key",
        "approved@contoso.example",
        sf.base_url(),
    ))
    .await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_client_id")));
}

#[tokio::test]
async fn the_identity_url_returns_the_documented_shape() {
    let f = start(false);
    let token = f.connect().await;
    let access = token["access_token"].as_str().unwrap();
    let response = f
        .http
        .get(token["id"].as_str().unwrap())
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
    let identity: Value = response.json().await.unwrap();
    for key in [
        "id",
        "asserted_user",
        "user_id",
        "organization_id",
        "username",
        "nick_name",
        "display_name",
        "email",
        "email_verified",
        "first_name",
        "last_name",
        "timezone",
        "photos",
        "addr_street",
        "addr_city",
        "addr_state",
        "addr_country",
        "addr_zip",
        "mobile_phone",
        "mobile_phone_verified",
        "is_lightning_login_user",
        "status",
        "urls",
        "active",
        "user_type",
        "language",
        "locale",
        "utcOffset",
        "last_modified_date",
        "is_app_installed",
    ] {
        assert!(identity.get(key).is_some(), "identity lacks {key}");
    }
    assert!(identity["photos"]["thumbnail"].is_string());
    assert_eq!(identity["mobile_phone_verified"], false);
    let urls = identity["urls"].as_object().unwrap();
    for key in [
        "enterprise",
        "metadata",
        "partner",
        "rest",
        "sobjects",
        "search",
        "query",
        "recent",
        "tooling_soap",
        "tooling_rest",
        "profile",
        "feeds",
        "groups",
        "users",
        "feed_items",
        "feed_elements",
        "custom_domain",
    ] {
        assert!(urls.contains_key(key), "urls lacks {key}");
    }
    let org15 = &f.org_id[..15];
    assert!(
        urls["enterprise"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/services/Soap/c/{{version}}/{org15}")),
        "SOAP URLs name the 15-character org id"
    );
}

#[tokio::test]
async fn limits_report_every_allocation_with_per_app_buckets() {
    let f = start(false);
    let token = f.connect().await;
    let response = f.limits(token["access_token"].as_str().unwrap()).await;
    assert_eq!(
        response.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
    let usage = response.headers()["sforce-limit-info"]
        .to_str()
        .unwrap()
        .to_string();
    let limits: Value = response.json().await.unwrap();
    let all = limits.as_object().unwrap();
    assert!(
        all.len() >= 45,
        "a real org reports about 50: {}",
        all.len()
    );
    for (name, limit) in all {
        assert!(limit["Max"].is_u64(), "{name}");
        assert!(limit["Remaining"].is_u64(), "{name}");
    }
    let api = &limits["DailyApiRequests"];
    assert_eq!(api["Max"], 15_000);
    let used = api["Max"].as_u64().unwrap() - api["Remaining"].as_u64().unwrap();
    assert_eq!(usage, format!("api-usage={used}/15000"));
    assert_eq!(
        api["Salesforce for Outlook"],
        json!({ "Max": 0, "Remaining": 0 })
    );
    assert!(api["Workbench"].is_object());
    for name in [
        "DailyAsyncApexExecutions",
        "DailyBulkApiBatches",
        "DailyStreamingApiEvents",
        "DataStorageMB",
        "FileStorageMB",
        "HourlyDashboardRefreshes",
        "MassEmail",
        "SingleEmail",
        "PermissionSets",
    ] {
        assert!(all.contains_key(name), "{name}");
    }
}

#[tokio::test]
async fn json_is_sent_as_application_json_charset_utf8_as_salesforce_sends_it() {
    let f = start(false);
    let oauth_error = f
        .http
        .post(format!("{}/services/oauth2/token", f.sf.login_url()))
        .form(&[("grant_type", "authorization_code"), ("code", "bogus")])
        .send()
        .await
        .unwrap();
    assert_eq!(oauth_error.status(), 400);
    assert_eq!(
        oauth_error.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
    let token = f.connect().await;
    let access = token["access_token"].as_str().unwrap();
    for path in [
        "/services/data",
        "/services/data/v64.0/query?q=SELECT+Id+FROM+User",
        "/services/data/v64.0/sobjects/Contact/003000000000000AAA",
        "/services/oauth2/userinfo",
    ] {
        let response = f
            .http
            .get(format!("{}{path}", f.sf.base_url()))
            .bearer_auth(access)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["content-type"],
            "application/json;charset=UTF-8",
            "{path}"
        );
    }
}
