//! An Entra tenant with outforce's app, two mailboxes, tokens from the Entra emulator, and a
//! client for the Graph emulator.

use outforce_sandbox::entra::{AppRegistration, Entra, TokenSpec};
use outforce_sandbox::graph::Graph;
use outforce_sandbox::tls::Authority;
use serde_json::{Value, json};

pub use super::answer::Answer;
use super::answer::send;
use super::client;

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const APP: &str = "2c3caa80-93f9-425e-8b85-0745f50c0d24";
pub const SECRET: &str = "s3cr3t~value";
pub const REP: &str = "6467882c-fdfd-4354-a1ed-4e13f064be25";
pub const REP_UPN: &str = "avery@contoso.example";
pub const COLLEAGUE: &str = "0c4e9ab2-1d7a-4a2f-9d59-4c0c1e6d2f11";

pub struct World {
    pub entra: Entra,
    pub graph: Graph,
    pub authority: Authority,
    http: reqwest::Client,
    /// App-only (client credentials).
    pub app: String,
    /// Delegated for the rep (on-behalf-of).
    pub rep: String,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn world() -> World {
    let authority = Authority::new().unwrap();
    let entra = Entra::start(&authority).unwrap();
    let graph = Graph::start(&authority, &entra).unwrap();
    entra.register_app(AppRegistration {
        tenant_id: TENANT.into(),
        client_id: APP.into(),
        client_secret: SECRET.into(),
        app_id_uri: format!("api://outforce.example/{APP}"),
        application_permissions: vec![
            "Calendars.ReadWrite".into(),
            "Contacts.ReadWrite".into(),
            "MailboxSettings.ReadWrite".into(),
            "GroupMember.Read.All".into(),
        ],
    });
    graph.add_mailbox(TENANT, REP, REP_UPN, "Avery Rep");
    graph.add_mailbox(
        TENANT,
        COLLEAGUE,
        "casey@contoso.example",
        "Casey Colleague",
    );
    let http = client::trusting(&authority, false);
    let token_url = format!("{}/{TENANT}/oauth2/v2.0/token", entra.base_url());
    let app: Value = http
        .post(&token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("client_secret", SECRET),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let assertion = entra.mint(&TokenSpec::user(TENANT, REP, APP)).unwrap();
    let rep: Value = http
        .post(&token_url)
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("client_id", APP),
            ("client_secret", SECRET),
            ("assertion", &assertion),
            ("requested_token_use", "on_behalf_of"),
            ("scope", "https://graph.microsoft.com/Calendars.ReadWrite https://graph.microsoft.com/Contacts.ReadWrite"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    World {
        app: app["access_token"].as_str().unwrap().to_string(),
        rep: rep["access_token"].as_str().unwrap().to_string(),
        entra,
        graph,
        authority,
        http,
    }
}

/// A meeting body in the rep's zone.
pub fn meeting(subject: &str, start: &str, end: &str) -> Value {
    json!({
        "subject": subject,
        "body": { "contentType": "html", "content": "<p>Agenda: <b>pricing</b></p>" },
        "start": { "dateTime": start, "timeZone": "Pacific Standard Time" },
        "end": { "dateTime": end, "timeZone": "Pacific Standard Time" },
        "location": { "displayName": "HQ" },
        "attendees": [{ "type": "required", "emailAddress": { "name": "Jane Doe", "address": "jane@acme.example" } }],
    })
}

impl World {
    /// Calls `/v1.0/{path}` with a token and headers.
    pub async fn call(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let url = if path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}/v1.0/{path}", self.graph.base_url())
        };
        let request = self
            .http
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url)
            .bearer_auth(token);
        send(request, headers, body).await
    }

    pub async fn app_call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.call(&self.app, method, path, body, &[]).await
    }

    pub async fn create(&self, body: Value) -> Value {
        let answer = self
            .app_call("POST", &format!("users/{REP}/events"), Some(body))
            .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        answer.body
    }
}

/// The innerError every Graph error carries.
pub fn assert_envelope(answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.code(), code, "{}", answer.body);
    assert!(answer.body["error"]["message"].is_string());
    let inner = &answer.body["error"]["innerError"];
    assert!(
        inner["request-id"].is_string() && inner["date"].is_string(),
        "{}",
        answer.body
    );
}
