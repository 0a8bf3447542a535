//! An org with a rep who holds a live session, and a client that speaks to its REST API.

use outforce_sandbox::salesforce::Salesforce;
use outforce_sandbox::tls::Authority;
use serde_json::{Value, json};

pub use super::answer::Answer;
use super::answer::send;
use super::client;

pub struct Org {
    pub sf: Salesforce,
    pub org_id: String,
    pub rep_id: String,
    http: reqwest::Client,
    token: String,
    _authority: Authority,
}

impl Answer {
    /// The `errorCode` of the first error in a REST error body.
    pub fn error_code(&self) -> &str {
        self.body[0]["errorCode"].as_str().unwrap_or_default()
    }
}

pub fn org() -> Org {
    let authority = Authority::new().unwrap();
    let sf = Salesforce::start(&authority).unwrap();
    let org = sf.add_org("Contoso", 1_000_000);
    let rep = sf.add_user(&org.id, "rep@contoso.example", "Avery", "Rep");
    let token = sf.issue_session(&rep.id, "key").unwrap();
    Org {
        http: client::trusting(&authority, true),
        sf,
        org_id: org.id,
        rep_id: rep.id,
        token,
        _authority: authority,
    }
}

impl Org {
    /// Calls `/services/data/v64.0/{path}`.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.call_with(method, &format!("/services/data/v64.0/{path}"), body, &[])
            .await
    }

    /// Calls a path from the host root, with extra headers.
    pub async fn call_with(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let request = self
            .http
            .request(method, format!("{}{path}", self.sf.base_url()))
            .bearer_auth(&self.token);
        send(request, headers, body).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call("GET", path, None).await
    }

    pub async fn query(&self, soql: &str) -> Answer {
        self.get(&format!("query?q={}", urlencode(soql))).await
    }

    /// Seeds a record through the emulator's API (not over the wire).
    pub fn seed(&self, sobject: &str, fields: Value) -> String {
        self.sf
            .create_record(&self.org_id, sobject, fields)
            .unwrap()
    }

    pub fn account(&self, name: &str) -> String {
        self.seed("Account", json!({ "Name": name }))
    }

    pub fn contact(&self, first: &str, last: &str, email: &str, account: Option<&str>) -> String {
        self.seed(
            "Contact",
            json!({ "FirstName": first, "LastName": last, "Email": email, "AccountId": account }),
        )
    }
}

pub fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).unwrap()[1..].to_string()
}
