//! A tenant whose reps connect to a Salesforce org and reach their mailboxes in Microsoft Graph
//! (the sandbox's emulators), an admin, and a browser that goes through the Office dialog's sign-in as a
//! person would: cookies kept, redirects followed.

use std::time::Duration;

use base64::Engine as _;
use outforce::storage::connections::{self, Connection, Provider};
use outforce::storage::event_links::{self, LinkState};
use outforce::storage::{tenants, users};
use outforce_sandbox::entra::{AppRegistration, TokenSpec};
use outforce_sandbox::graph::Graph;
use outforce_sandbox::salesforce::{ConnectedApp, LoginPage, Salesforce};
use reqwest::Method;
use secrecy::SecretString;
use serde_json::Value;

use crate::eventually::{eventually, when};
use crate::helpers::{TestApp, spawn_with};
use crate::signed_in;

pub const REP_A: &str = "6467882c-fdfd-4354-a1ed-4e13f064be25";
pub const REP_B: &str = "0c4e9ab2-1d7a-4a2f-9d59-4c0c1e6d2f11";

/// outforce's client secret at Entra, distinctive enough to be searched for.
pub const GRAPH_CLIENT_SECRET: &str = "graph-client-secret-Zq81";
/// The connected app's consumer secret.
pub const CONSUMER_SECRET: &str = "outforce-secret";

/// An object id holding the admin role.
pub const ADMIN: &str = "b7a3e1f0-5c1d-4e8e-9f1a-2a0c4d6e8f10";

/// outforce's app registration in the tenant, with the secret the server is configured with.
pub fn registration() -> AppRegistration {
    AppRegistration {
        client_secret: GRAPH_CLIENT_SECRET.into(),
        ..signed_in::registration()
    }
}

pub struct World {
    pub app: TestApp,
    pub tenant: signed_in::Tenant,
    pub sf: Salesforce,
    pub graph: Graph,
    pub org_id: String,
    pub sf_user_a: String,
    pub sf_user_b: String,
    _db_dir: Option<tempfile::TempDir>,
}

/// Rule 7 over the whole suite: every world checks, as it ends, that nothing outforce wrote to
/// Outlook made Exchange mail an attendee (a test that failed already is left to its own
/// failure).
impl Drop for World {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.assert_nothing_mailed_by_outforce();
        }
    }
}

/// A world whose admin has tied the tenant to the org (what an admin does first).
/// A meeting's attendees as Graph takes them (`{"attendees": [...]}`), each required.
pub fn attendees(addresses: &[&str]) -> Value {
    let list: Vec<Value> = addresses
        .iter()
        .map(|a| serde_json::json!({ "type": "required", "emailAddress": { "address": a, "name": a } }))
        .collect();
    serde_json::json!({ "attendees": list })
}

/// The meeting key field on Event, as the README tells an admin to add it.
pub fn key_field() -> outforce_sandbox::salesforce::schema::Field {
    use outforce_sandbox::salesforce::schema::{Field, Kind, TextFlavor};
    let text = Kind::Text {
        flavor: TextFlavor::String,
        length: 255,
    };
    Field::new("Outforce_Key__c", "Outforce Key", text).external_id()
}

pub async fn world() -> World {
    world_with(|_| {}).await
}

/// A world whose tenant has no Salesforce org yet.
pub async fn unbound_world() -> World {
    unbound_world_with(|_| {}).await
}

/// A world whose server settings `adjust` changes before it starts, its tenant tied to the org.
pub async fn world_with(adjust: impl FnOnce(&mut outforce::config::Loaded)) -> World {
    let world = unbound_world_with(adjust).await;
    // Straight into storage rather than through the admin API, so that the admin is not one of
    // the tenant's known reps in tests that count them.
    let tied = tenants::bind_entra_tenant_to_org(
        &world.app.state.db,
        &outforce::ids::EntraTenantId::new(signed_in::TENANT.to_string()),
        &outforce::ids::OrgId::from(world.org_id.clone()),
        outforce::storage::now(),
    )
    .await
    .unwrap();
    assert!(tied);
    world
}

/// A world whose server settings `adjust` changes before it starts; no org tied to the tenant.
pub async fn unbound_world_with(adjust: impl FnOnce(&mut outforce::config::Loaded)) -> World {
    let tenant = signed_in::tenant();
    let sf = Salesforce::start(&tenant.authority).unwrap();
    let org = sf.add_org("Contoso", 100_000);
    let user_a = sf.add_user(&org.id, "avery@contoso.example", "Avery", "Rep");
    let user_b = sf.add_user(&org.id, "blake@contoso.example", "Blake", "Rep");
    let graph = Graph::start(&tenant.authority, &tenant.entra).unwrap();
    graph.add_mailbox(
        signed_in::TENANT,
        REP_A,
        "avery@contoso.example",
        "Avery Rep",
    );
    graph.add_mailbox(
        signed_in::TENANT,
        REP_B,
        "blake@contoso.example",
        "Blake Rep",
    );
    tenant.entra.register_app(registration());
    let (mut loaded, db_dir) = tenant.settings().await;
    loaded.settings.graph.base_url = graph.base_url().into();
    loaded.settings.graph.client_secret = Some(SecretString::from(GRAPH_CLIENT_SECRET.to_string()));
    let settings = &mut loaded.settings.salesforce;
    settings.consumer_key = Some("outforce-key".into());
    settings.consumer_secret = Some(SecretString::from(CONSUMER_SECRET.to_string()));
    settings.login_url = sf.login_url().into();
    settings.sandbox_login_url = sf.test_login_url().into();
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    loaded.settings.secrets.keys = vec![SecretString::from(format!("test:{key}"))];
    adjust(&mut loaded);
    let app = spawn_with(loaded, outforce::startup::registry()).await;
    sf.set_login_page(LoginPage::Approve(user_a.id.clone()));
    let world = World {
        app,
        tenant,
        sf,
        graph,
        org_id: org.id,
        sf_user_a: user_a.id,
        sf_user_b: user_b.id,
        _db_dir: db_dir,
    };
    world.sf.add_connected_app(world.connected_app());
    world
}

/// A browser: cookies, and redirects followed up to our callback (which it stops at, so that a
/// test can replay or redirect it).
pub fn browser(w: &World) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(w.tenant.authority.pem().as_bytes()).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(ca)
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            if attempt.url().path() == "/auth/salesforce/callback" {
                attempt.stop()
            } else {
                attempt.follow()
            }
        }))
        .build()
        .unwrap()
}

impl World {
    /// How many of REP_A's links are in `state`.
    pub async fn links_in(&self, state: LinkState) -> usize {
        let user = self.user(REP_A).await;
        event_links::list_for_user(&self.app.state.db, &user.id, state, 100_000)
            .await
            .unwrap()
            .len()
    }

    /// Waits (up to `within`) until at least `count` of REP_A's links are in `state`.
    pub async fn until_links_in(&self, state: LinkState, count: usize, within: Duration) {
        let what = format!("{count} links became {state:?}");
        eventually(&what, within, || async {
            when(self.links_in(state).await, |now_in| *now_in >= count)
        })
        .await;
    }

    /// The org's Events: their Ids by subject.
    pub fn events_by_subject(&self) -> std::collections::HashMap<String, Vec<String>> {
        let mut events = std::collections::HashMap::<String, Vec<String>>::new();
        for event in self
            .sf
            .query(&self.org_id, "SELECT Id, Subject FROM Event")
            .unwrap()
        {
            let subject = event["Subject"].as_str().unwrap_or_default().to_string();
            let id = event["Id"].as_str().unwrap().to_string();
            events.entry(subject).or_default().push(id);
        }
        events
    }

    /// Application access to REP_A's mailbox with `permissions`, as an admin sets it up
    /// (consent, an access policy limited to REP_A, then the admin API).
    pub async fn mailbox_by_application(&self, permissions: &[&str]) {
        self.tenant.entra.register_app(AppRegistration {
            application_permissions: permissions.iter().map(|p| p.to_string()).collect(),
            ..registration()
        });
        self.graph.set_access_policy(signed_in::API, &[REP_A]);
        let mode = serde_json::json!({ "mode": "application" });
        let (status, body) = self
            .admin(Method::PUT, "/api/v1/admin/graph", Some(mode))
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// A record put straight into the sandbox org; its Id.
    pub fn seed(&self, sobject: &str, fields: Value) -> String {
        self.sf
            .create_record(&self.org_id, sobject, fields)
            .unwrap()
    }

    /// A rep's call with their bearer token.
    pub async fn rep_call(
        &self,
        rep: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.app.call(method, path, &self.token(rep), body).await
    }

    /// outforce's connected app in the org, as the admin installed it.
    pub fn connected_app(&self) -> ConnectedApp {
        ConnectedApp {
            consumer_key: "outforce-key".into(),
            consumer_secret: CONSUMER_SECRET.into(),
            callback_urls: vec![format!("{}/auth/salesforce/callback", self.app.address)],
            rotate_refresh_tokens: false,
            jwt_certificate_pem: None,
            pre_authorized_users: Vec::new(),
        }
    }

    /// `GET /api/v1/salesforce/connection` for a rep: the status and the body.
    pub async fn connection(&self, rep: &str) -> (u16, Value) {
        let token = self.token(rep);
        self.app
            .call(Method::GET, "/api/v1/salesforce/connection", &token, None)
            .await
    }

    /// A call as an admin: the status and the body.
    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut spec = TokenSpec::user(signed_in::TENANT, ADMIN, signed_in::API);
        spec.roles = vec!["Outforce.Admin".into()];
        let token = self.tenant.entra.mint(&spec).unwrap();
        self.app.call(method, path, &token, body).await
    }

    /// Nothing outforce wrote to Outlook made Exchange mail an attendee (rule 7): every
    /// invitation, update or cancellation the emulator recorded was the owner's own, in Outlook.
    pub fn assert_nothing_mailed_by_outforce(&self) {
        let ours: Vec<_> = self
            .graph
            .sent_notices()
            .into_iter()
            .filter(|n| n.by != "outlook")
            .collect();
        assert!(
            ours.is_empty(),
            "outforce made Exchange mail attendees: {ours:?}"
        );
    }

    /// The tenant's default sync configuration, with these settings.
    pub async fn default_policy(&self, settings: Value) {
        let settings = outforce::sync::model::settings::SyncSettings::parse(&settings).unwrap();
        let db = &self.app.state.db;
        let user = self.user(REP_A).await;
        outforce::storage::sync_configs::audited::create(
            db,
            &user.tenant_id,
            outforce::storage::sync_configs::audited::Draft {
                name: "Everyone",
                is_default: true,
                settings: &settings,
            },
            "admin",
            outforce::storage::now(),
        )
        .await
        .unwrap();
    }

    /// A rep as stored (they must have called the API once).
    /// REP_A's link of `id` once `wanted` holds of it (ten seconds at most).
    pub async fn link_until(&self, id: &str, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let path = format!("/api/v1/events/{id}/link");
        let what = format!("the link {what}");
        eventually(&what, Duration::from_secs(10), || async {
            when(
                self.rep_call(REP_A, Method::GET, &path, None).await.1,
                &wanted,
            )
        })
        .await
    }

    /// How many jobs wait in the queue.
    pub async fn pending_jobs(&self) -> i64 {
        outforce::storage::jobs::counts(&self.app.state.db)
            .await
            .unwrap()
            .pending
    }

    /// Once no job runs or is due (later ones, such as the next poll, may wait): what was
    /// queued so far has been carried out.
    pub async fn until_idle(&self) {
        use outforce::storage::{jobs, now};
        let quiet = std::cell::Cell::new(0);
        eventually("the queue went idle", Duration::from_secs(10), || async {
            let busy = jobs::busy(&self.app.state.db, now()).await.unwrap();
            quiet.set(if busy == 0 { quiet.get() + 1 } else { 0 });
            // Twice in a row: a job may queue the next as it ends.
            when(busy, |_| quiet.get() == 2)
        })
        .await;
    }

    /// Once nothing of the sync waits, even for later (a retry, a merge): only the polls and
    /// the watch, which come at their hour.
    pub async fn until_quiet(&self) {
        eventually(
            "nothing of the sync waits",
            Duration::from_secs(30),
            || async {
                let waiting = self.pending_jobs_of("event.sync").await
                    + self.pending_jobs_of("salesforce.poll").await;
                when(waiting, |w| *w == 0)
            },
        )
        .await;
        self.until_idle().await;
    }

    /// How many jobs of `kind` wait in the queue.
    pub async fn pending_jobs_of(&self, kind: &str) -> i64 {
        use outforce::storage::Db;
        let sql = "SELECT COUNT(*) FROM jobs WHERE state = 'pending' AND kind = $1";
        match &self.app.state.db {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).bind(kind).fetch_one(pool).await,
            Db::Postgres(pool) => sqlx::query_scalar(sql).bind(kind).fetch_one(pool).await,
        }
        .unwrap()
    }

    pub async fn user(&self, rep: &str) -> users::User {
        let db = &self.app.state.db;
        let tenant = tenants::find_by_entra_id(db, &signed_in::TENANT.into())
            .await
            .unwrap()
            .unwrap();
        users::find_by_object_id(db, &tenant.id, &rep.into())
            .await
            .unwrap()
            .unwrap()
    }

    /// A rep's stored connection to `provider`.
    pub async fn stored_connection(&self, rep: &str, provider: Provider) -> Connection {
        let user = self.user(rep).await;
        connections::find(&self.app.state.db, &user.id, provider)
            .await
            .unwrap()
            .unwrap()
    }

    pub fn token(&self, rep: &str) -> String {
        self.tenant.token(rep)
    }

    /// `POST /api/v1/salesforce/connect-ticket` for a rep choosing `login`: the status and body.
    pub async fn ticket_for(&self, rep: &str, login: Option<&str>) -> (u16, Value) {
        let body = login.map(|login| serde_json::json!({ "login": login }));
        self.app
            .call(
                Method::POST,
                "/api/v1/salesforce/connect-ticket",
                &self.token(rep),
                body,
            )
            .await
    }

    /// A rep's ticket: the start URL the dialog opens.
    pub async fn ticket(&self, rep: &str) -> String {
        let (status, body) = self.ticket_for(rep, None).await;
        assert_eq!(status, 201, "{body}");
        format!(
            "{}{}",
            self.app.address,
            body["start_url"].as_str().unwrap()
        )
    }

    /// Opens the start URL in `browser` up to the redirect to our callback; the callback URL,
    /// or the page the sign-in stopped on.
    pub async fn until_callback(
        &self,
        browser: &reqwest::Client,
        start: &str,
    ) -> Result<String, String> {
        let response = browser.get(start).send().await.unwrap();
        if response.status() == 302 {
            return Ok(response.headers()["location"].to_str().unwrap().to_string());
        }
        Err(response.text().await.unwrap())
    }

    /// The result the dialog page hands the task pane.
    pub async fn page(&self, browser: &reqwest::Client, url: &str) -> Value {
        let page = browser.get(url).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("messageParent"), "{page}");
        let start = page.find("var result = ").unwrap() + "var result = ".len();
        let end = page[start..].find(";").unwrap() + start;
        serde_json::from_str(&page[start..end].replace("<\\/", "</")).unwrap()
    }

    pub async fn me(&self, rep: &str) -> Value {
        self.me_with(&self.token(rep)).await
    }

    pub async fn me_with(&self, token: &str) -> Value {
        self.app
            .call(Method::GET, "/api/v1/me", token, None)
            .await
            .1
    }

    /// `DELETE /api/v1/salesforce/connection` with `token`; the status.
    pub async fn disconnect_with(&self, token: &str) -> u16 {
        let path = "/api/v1/salesforce/connection";
        self.app.call(Method::DELETE, path, token, None).await.0
    }

    /// The whole dialog in a fresh browser: ticket, start, login page, callback; the code the
    /// task pane is told.
    pub async fn connect(&self, rep: &str) -> Value {
        let browser = browser(self);
        let callback = self
            .until_callback(&browser, &self.ticket(rep).await)
            .await
            .unwrap();
        self.page(&browser, &callback).await["code"].clone()
    }
}
