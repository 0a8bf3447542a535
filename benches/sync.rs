#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark should stop loudly at the first surprise"
)]

//! The Outlook → Salesforce sync end to end, against the sandbox's emulators over loopback: the
//! service release-built with its workers, one rep whose mailbox is reached by application
//! permission and watched through Graph's notifications (plain HTTP on loopback, as the sandbox
//! allows for this). Prints figures; asserts only that the sync did its work.
//!
//! 1. With 50 ms added to every Salesforce and Graph call: the time from the pane's
//!    `PUT …/link` to the Salesforce Event existing, and from an Outlook edit (reported by a
//!    notification) to the Event updated, p50 and p95 over 40 meetings each.
//! 2. Without added latency: Salesforce and Graph calls per 1,000 meetings created and per
//!    1,000 updated, meetings synced per second, and Graph calls for one poll of a mailbox
//!    where nothing changed.
//!
//! `cargo bench --bench sync` runs on a SQLite file; `cargo bench --bench sync -- --postgres`
//! on a fresh database of the machine's PostgreSQL (127.0.0.1:5432, user postgres).

use std::time::{Duration, Instant};

use base64::Engine as _;
use outforce::ids::{EntraTenantId, OrgId, SalesforceUserId, UserId};
use outforce::salesforce::session::ConnectedAs;
use outforce::startup::Application;
use outforce::state::AppState;
use outforce::storage::tenants::GraphAccessMode;
use outforce::storage::{self, mailbox_watches, tenants, users};
use outforce_sandbox::entra::{AppRegistration, Entra, TokenSpec};
use outforce_sandbox::graph::Graph;
use outforce_sandbox::salesforce::Salesforce;
use outforce_sandbox::salesforce::faults::Fault;
use outforce_sandbox::tls::Authority;
use secrecy::SecretString;
use serde_json::json;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const API: &str = "2c3caa80-93f9-425e-8b85-0745f50c0d24";
const REP: &str = "6467882c-fdfd-4354-a1ed-4e13f064be25";
const LATENCY: Duration = Duration::from_millis(50);
const TIMED: usize = 40;
const BULK: usize = 1000;

struct Bench {
    address: String,
    token: String,
    client: reqwest::Client,
    state: AppState,
    user_id: UserId,
    sf: Salesforce,
    graph: Graph,
    org_id: String,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let postgres = std::env::args().any(|a| a == "--postgres");
    let dir = tempfile::tempdir().unwrap();
    let (database_url, drop_database) = database(postgres, dir.path()).await;
    let b = start(&database_url, dir.path()).await;
    println!(
        "sync benchmark on {}",
        if postgres { "PostgreSQL" } else { "SQLite" }
    );

    // 1. Latency, with 50 ms on every call to either service.
    b.sf.randomize_faults(1, 1.0, vec![Fault::Latency(LATENCY)]);
    b.graph.set_latency(LATENCY);
    let mut selected = Vec::new();
    let mut edited = Vec::new();
    let mut timed = Vec::new();
    for i in 0..TIMED {
        let subject = format!("Timed {i}");
        let id = b.outlook_event(&subject, i);
        timed.push(id.clone());
        let started = Instant::now();
        b.select(&id).await;
        b.until_subject(&subject, 1).await;
        selected.push(started.elapsed());
        if i == 0 {
            b.until_watched().await;
        }
    }
    // Edits only once every first sync has settled, so each edit is timed alone.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (i, id) in timed.iter().enumerate() {
        let new = format!("Timed {i} (moved)");
        let started = Instant::now();
        b.edit(id, &new);
        b.until_subject(&new, 1).await;
        edited.push(started.elapsed());
    }
    b.sf.clear_faults();
    b.graph.set_latency(Duration::ZERO);
    println!(
        "PUT …/link → Salesforce Event exists ({TIMED} meetings, {} ms added per call): p50 {} ms, p95 {} ms",
        LATENCY.as_millis(),
        percentile(&mut selected, 50),
        percentile(&mut selected, 95)
    );
    println!(
        "Outlook edit → notification → Salesforce Event updated ({TIMED} meetings): p50 {} ms, p95 {} ms",
        percentile(&mut edited, 50),
        percentile(&mut edited, 95)
    );

    // 2. Calls and throughput, without added latency.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let ids: Vec<String> = (0..BULK)
        .map(|i| b.outlook_event(&format!("Bulk {i}"), i))
        .collect();
    let (sf_before, graph_before) = (total(&b.sf.all_calls()), total(&b.graph.all_calls()));
    let started = Instant::now();
    for id in &ids {
        b.select(id).await;
    }
    b.until_count("Bulk %", BULK).await;
    let created_in = started.elapsed();
    let (sf_created, graph_created) = (
        total(&b.sf.all_calls()) - sf_before,
        total(&b.graph.all_calls()) - graph_before,
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (sf_before, graph_before) = (total(&b.sf.all_calls()), total(&b.graph.all_calls()));
    let started = Instant::now();
    for (i, id) in ids.iter().enumerate() {
        b.edit(id, &format!("Edited {i}"));
    }
    b.until_count("Edited %", BULK).await;
    let updated_in = started.elapsed();
    let (sf_updated, graph_updated) = (
        total(&b.sf.all_calls()) - sf_before,
        total(&b.graph.all_calls()) - graph_before,
    );
    println!(
        "{BULK} meetings selected in the pane: synced in {:.1} s ({:.0}/s); Salesforce calls {sf_created}, Graph calls {graph_created}",
        created_in.as_secs_f64(),
        BULK as f64 / created_in.as_secs_f64()
    );
    println!(
        "{BULK} meetings edited in Outlook: synced in {:.1} s ({:.0}/s); Salesforce calls {sf_updated}, Graph calls {graph_updated}",
        updated_in.as_secs_f64(),
        BULK as f64 / updated_in.as_secs_f64()
    );

    tokio::time::sleep(Duration::from_secs(3)).await;
    // The first poll reads the 1,000 edits the notifications already carried (and writes
    // nothing); the second finds nothing changed.
    for what in ["after the edits", "nothing changed"] {
        let graph_before = total(&b.graph.all_calls());
        let sf_before = total(&b.sf.all_calls());
        b.poll_once().await;
        println!(
            "one poll of the mailbox ({} meetings in the window), {what}: Graph calls {}, Salesforce calls {}",
            TIMED + BULK,
            total(&b.graph.all_calls()) - graph_before,
            total(&b.sf.all_calls()) - sf_before
        );
    }
    b.state.db.close().await;
    if let Some(drop) = drop_database {
        drop.await;
    }
}

/// A SQLite file in `dir`, or a fresh PostgreSQL database (and how to drop it).
async fn database(
    postgres: bool,
    dir: &std::path::Path,
) -> (
    String,
    Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>>,
) {
    if !postgres {
        return (format!("sqlite://{}", dir.join("bench.db").display()), None);
    }
    let admin_url = "postgres://postgres@127.0.0.1:5432/postgres";
    let name = format!("outforce_bench_{}", std::process::id());
    let admin = sqlx::PgPool::connect(admin_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
    let drop = Box::pin(async move {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {name} WITH (FORCE)"
        )))
        .execute(&admin)
        .await;
    });
    (url, Some(drop))
}

/// The emulators, the service (its workers and sweeper running) and the rep, connected.
async fn start(database_url: &str, dir: &std::path::Path) -> Bench {
    let authority = Authority::new().unwrap();
    let entra = Entra::start(&authority).unwrap();
    entra.register_app(AppRegistration {
        tenant_id: TENANT.into(),
        client_id: API.into(),
        client_secret: "bench".into(),
        app_id_uri: format!("api://bench/{API}"),
        application_permissions: vec!["Calendars.ReadWrite".into()],
    });
    let sf = Salesforce::start(&authority).unwrap();
    let org = sf.add_org("Bench", 10_000_000);
    let sf_user = sf.add_user(&org.id, "rep@bench.example", "Bench", "Rep");
    let graph = Graph::start(&authority, &entra).unwrap();
    graph.add_mailbox(TENANT, REP, "rep@bench.example", "Bench Rep");
    graph.set_access_policy(API, &[REP]);
    graph.allow_http_webhooks(true);

    let ca = dir.join("ca.pem");
    authority.write_pem(&ca).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut loaded = outforce::config::load(None).unwrap();
    let settings = &mut loaded.settings;
    settings.http.port = port;
    settings.http.public_url = Some(format!("http://127.0.0.1:{port}"));
    settings.entra.authority = entra.base_url().into();
    settings.entra.client_id = Some(API.into());
    settings.entra.app_id_uri = Some(format!("api://bench/{API}"));
    settings.outbound.extra_ca_files = vec![ca];
    settings.salesforce.consumer_key = Some("bench-key".into());
    settings.salesforce.consumer_secret = Some(SecretString::from("bench-secret".to_string()));
    settings.salesforce.login_url = sf.login_url().into();
    settings.graph.base_url = graph.base_url().into();
    settings.graph.client_secret = Some(SecretString::from("bench".to_string()));
    settings.sync.sweep_interval_secs = 1;
    settings.sync.poll_interval_secs = 3600;
    let key = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
    settings.secrets.keys = vec![SecretString::from(format!("bench:{key}"))];
    settings.log.filter = "warn".into();
    settings.database.url = Some(SecretString::from(database_url.to_string()));
    loaded.database_url = SecretString::from(database_url.to_string());
    let app = Application::build(loaded).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until(std::future::pending()));

    let token = entra.mint(&TokenSpec::user(TENANT, REP, API)).unwrap();
    let client = reqwest::Client::new();
    let me = client
        .get(format!("{address}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let org_id = OrgId::from(org.id.clone());
    let entra_tenant = EntraTenantId::new(TENANT);
    let now = storage::now();
    tenants::bind_entra_tenant_to_org(&state.db, &entra_tenant, &org_id, now)
        .await
        .unwrap();
    let tenant = tenants::find_by_entra_id(&state.db, &entra_tenant)
        .await
        .unwrap()
        .unwrap();
    tenants::set_graph_access_mode(&state.db, &tenant.id, GraphAccessMode::Application, now)
        .await
        .unwrap();
    let user = users::find_by_object_id(&state.db, &tenant.id, &REP.into())
        .await
        .unwrap()
        .unwrap();
    let access = SecretString::from(sf.issue_session(&sf_user.id, "bench-key").unwrap());
    let connected = ConnectedAs {
        instance_url: sf.base_url(),
        org_id: &org_id,
        salesforce_user_id: &SalesforceUserId::from(sf_user.id.clone()),
        username: Some("rep@bench.example"),
        access_token: &access,
        refresh_token: None,
    };
    state.sessions.remember(&user.id, &connected).await.unwrap();
    Bench {
        address,
        token,
        client,
        state,
        user_id: user.id,
        sf,
        graph,
        org_id: org.id,
    }
}

impl Bench {
    /// A meeting in the rep's calendar, one a day from tomorrow at 9:00 UTC; its id.
    fn outlook_event(&self, subject: &str, n: usize) -> String {
        let day = storage::now().date_naive() + chrono::Days::new(1 + (n % 20) as u64);
        let at =
            |hour: u32| json!({ "dateTime": format!("{day}T{hour:02}:00:00"), "timeZone": "UTC" });
        let event = json!({ "subject": subject, "start": at(9), "end": at(10) });
        self.graph.create_event(REP, event).unwrap()
    }

    async fn select(&self, id: &str) {
        let body = json!({ "who_ids": [], "sync": true });
        let response = self
            .client
            .put(format!("{}/api/v1/events/{id}/link", self.address))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    fn edit(&self, id: &str, subject: &str) {
        let (status, body) = self
            .graph
            .as_owner(
                REP,
                "PATCH",
                &format!("events/{id}"),
                Some(json!({ "subject": subject })),
            )
            .unwrap();
        assert_eq!(status, 200, "{body}");
    }

    fn count(&self, soql_where: &str) -> usize {
        self.sf
            .query(
                &self.org_id,
                &format!("SELECT Id FROM Event WHERE {soql_where}"),
            )
            .unwrap()
            .len()
    }

    async fn until_subject(&self, subject: &str, want: usize) {
        self.until(&format!("Subject = '{subject}'"), want).await;
    }

    async fn until_count(&self, like: &str, want: usize) {
        self.until(&format!("Subject LIKE '{like}'"), want).await;
    }

    async fn until(&self, soql_where: &str, want: usize) {
        let deadline = Instant::now() + Duration::from_secs(300);
        while self.count(soql_where) != want {
            assert!(
                Instant::now() < deadline,
                "never {want} Events where {soql_where}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    async fn until_watched(&self) {
        for _ in 0..1000 {
            let watch = mailbox_watches::find(&self.state.db, &self.user_id)
                .await
                .unwrap();
            if watch.is_some_and(|w| w.subscription_id.is_some()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the mailbox was never watched");
    }

    /// Runs one poll of the mailbox and waits for it to finish.
    async fn poll_once(&self) {
        let before = self.last_poll().await;
        let job = outforce::sync::PollMailbox {
            user_id: self.user_id.to_string(),
        };
        self.state.queue.enqueue(&job).await.unwrap();
        for _ in 0..1000 {
            if self.last_poll().await != before {
                // Whatever the round queued has run too.
                tokio::time::sleep(Duration::from_secs(1)).await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the poll never ran");
    }

    async fn last_poll(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        mailbox_watches::find(&self.state.db, &self.user_id)
            .await
            .unwrap()
            .and_then(|w| w.last_poll_at)
    }
}

fn total(calls: &std::collections::BTreeMap<String, u64>) -> u64 {
    calls.values().sum()
}

/// The `p`th percentile, in milliseconds.
fn percentile(samples: &mut [Duration], p: usize) -> u128 {
    samples.sort_unstable();
    let index = (samples.len() * p).div_ceil(100).saturating_sub(1);
    samples[index.min(samples.len() - 1)].as_millis()
}
