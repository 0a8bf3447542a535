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
//! 3. Every meeting synced (`scope: all`): 1,000 meetings with a customer attendee synced and
//!    related with no selection, and the calls of a poll at steady state.
//!
//! `cargo bench --bench sync` runs on a SQLite file; `cargo bench --bench sync -- --postgres`
//! on a fresh database of the machine's PostgreSQL (127.0.0.1:5432, user postgres).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[path = "support/service.rs"]
mod service;

use outforce::ids::UserId;
use outforce::state::AppState;
use outforce::storage::{self, mailbox_watches};
use outforce_sandbox::graph::Graph;
use outforce_sandbox::salesforce::faults::Fault;
use serde_json::json;
use service::{API, Emulators, REP, TENANT, percentile, total};

const LATENCY: Duration = Duration::from_millis(50);
const TIMED: usize = 40;
const BULK: usize = 1000;

struct Bench {
    address: String,
    token: String,
    client: reqwest::Client,
    state: AppState,
    user_id: UserId,
    tenant_id: outforce::ids::TenantId,
    /// Kept running for as long as the bench.
    emulators: Emulators,
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
    b.emulators
        .sf
        .randomize_faults(1, 1.0, vec![Fault::Latency(LATENCY)]);
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
    b.emulators.sf.clear_faults();
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
    let sf_calls = b.emulators.sf.all_calls();
    let (sf_before, graph_before) = (total(&sf_calls), total(&b.graph.all_calls()));
    let started = Instant::now();
    for id in &ids {
        b.select(id).await;
    }
    b.until_count("Bulk %", BULK).await;
    let created_in = started.elapsed();
    let (sf_created, graph_created) = (
        total(&b.emulators.sf.all_calls()) - sf_before,
        total(&b.graph.all_calls()) - graph_before,
    );
    let sf_created_by = calls_since(&sf_calls, &b.emulators.sf.all_calls());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (sf_before, graph_before) = (
        total(&b.emulators.sf.all_calls()),
        total(&b.graph.all_calls()),
    );
    let started = Instant::now();
    for (i, id) in ids.iter().enumerate() {
        b.edit(id, &format!("Edited {i}"));
    }
    b.until_count("Edited %", BULK).await;
    let updated_in = started.elapsed();
    let (sf_updated, graph_updated) = (
        total(&b.emulators.sf.all_calls()) - sf_before,
        total(&b.graph.all_calls()) - graph_before,
    );
    println!(
        "{BULK} meetings selected in the pane: synced in {:.1} s ({:.0}/s); Salesforce calls {sf_created} ({sf_created_by}), Graph calls {graph_created}",
        created_in.as_secs_f64(),
        BULK as f64 / created_in.as_secs_f64()
    );
    println!(
        "{BULK} meetings edited in Outlook: synced in {:.1} s ({:.0}/s); Salesforce calls {sf_updated}, Graph calls {graph_updated}",
        updated_in.as_secs_f64(),
        BULK as f64 / updated_in.as_secs_f64()
    );

    // A backlog: 1,000 meetings arrive in Outlook already carrying the selection category (no
    // pane), found by the notifications' delta rounds and written together.
    b.backlog(
        "meetings tagged in Outlook (the category, no pane)",
        "Tagged %",
        |i| {
            b.tagged_outlook_event(&format!("Tagged {i}"), i);
        },
    )
    .await;

    tokio::time::sleep(Duration::from_secs(3)).await;
    b.two_polls("one poll of the mailbox", TIMED + 2 * BULK)
        .await;
    every_meeting(&b).await;
    b.state.db.close().await;
    if let Some(drop) = drop_database {
        drop.await;
    }
}

/// `scope: all`: 1,000 new meetings, each with an attendee who is one of 100 Contacts, synced
/// and related with no selection (their attendees looked up together); then the steady state,
/// a poll with nothing changed.
async fn every_meeting(b: &Bench) {
    const CUSTOMERS: usize = 100;
    for c in 0..CUSTOMERS {
        let contact = json!({ "LastName": format!("Customer {c}"), "Email": format!("buyer{c}@customer.example") });
        b.emulators
            .sf
            .create_record(&b.org_id, "Contact", contact)
            .unwrap();
    }
    let db = &b.state.db;
    let settings =
        outforce::sync::model::settings::SyncSettings::parse(&json!({ "scope": "all" })).unwrap();
    outforce::storage::sync_configs::audited::create(
        db,
        &b.tenant_id,
        outforce::storage::sync_configs::audited::Draft {
            name: "Everything",
            is_default: true,
            settings: &settings,
        },
        "admin",
        storage::now(),
    )
    .await
    .unwrap();
    mailbox_watches::forget_tenant_rounds(db, &b.tenant_id, storage::now())
        .await
        .unwrap();
    // The configuration changed: the next round syncs every selected meeting again (writing
    // none that the new configuration leaves as it is). That is done before the figures.
    b.poll_once().await;
    service::until_idle(&b.state).await;
    let customer_meeting = |i: usize| {
        let day = storage::now().date_naive() + chrono::Days::new(1 + (i % 20) as u64);
        let at =
            |hour: u32| json!({ "dateTime": format!("{day}T{hour:02}:00:00"), "timeZone": "UTC" });
        let event = json!({
            "subject": format!("Customer meeting {i}"),
            "start": at(14),
            "end": at(15),
            "attendees": [{ "type": "required", "emailAddress": { "address": format!("buyer{}@customer.example", i % CUSTOMERS) } }],
        });
        b.graph.create_event(REP, event).unwrap();
    };
    b.backlog(
        "meetings with a customer attendee, every meeting synced (scope all, no selection)",
        "Customer meeting %",
        customer_meeting,
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    b.two_polls("every meeting synced, one poll", TIMED + 3 * BULK)
        .await;
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

/// The emulators, the service (its workers and sweeper running) and the rep, connected, their
/// mailbox reached by application permission and notified over plain HTTP on loopback.
async fn start(database_url: &str, dir: &std::path::Path) -> Bench {
    let emulators = Emulators::start(dir, &["Calendars.ReadWrite"]);
    let graph = Graph::start(&emulators.authority, &emulators.entra).unwrap();
    graph.add_mailbox(TENANT, REP, "rep@bench.example", "Bench Rep");
    graph.set_access_policy(API, &[REP]);
    graph.allow_http_webhooks(true);
    // The bench puts some 15,000 requests to one mailbox in a few minutes, above Outlook's
    // 10,000 per app and mailbox in 10 minutes, which would hold the mailbox (as it should) and
    // stall the figures; the limit is not what this bench measures.
    graph.set_request_budget(1_000_000, std::time::Duration::from_secs(600));
    let service = service::serve_watched(&emulators, &graph, database_url, 3600).await;
    Bench {
        address: service.address,
        token: service.token,
        client: service.client,
        state: service.state,
        user_id: service.user.id,
        tenant_id: service.tenant.id.clone(),
        org_id: emulators.org_id.clone(),
        emulators,
        graph,
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

    /// As [`Bench::outlook_event`], with the selection category on it.
    fn tagged_outlook_event(&self, subject: &str, n: usize) -> String {
        let day = storage::now().date_naive() + chrono::Days::new(1 + (n % 20) as u64);
        let at =
            |hour: u32| json!({ "dateTime": format!("{day}T{hour:02}:00:00"), "timeZone": "UTC" });
        let event = json!({
            "subject": subject,
            "start": at(11),
            "end": at(12),
            "categories": ["Salesforce"],
        });
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
        self.emulators
            .sf
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
            if Instant::now() >= deadline {
                panic!(
                    "never {want} Events where {soql_where} ({} now); {}",
                    self.count(soql_where),
                    self.where_things_stand().await
                );
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// The links by state and code, and the jobs by kind and state: what a stalled run says.
    async fn where_things_stand(&self) -> String {
        use outforce::storage::Db;
        const LINKS: &str = "SELECT state || ' ' || COALESCE(last_error_code, '-'), COUNT(*) \
                             FROM event_links GROUP BY 1 ORDER BY 1";
        const JOBS: &str = "SELECT kind || ' ' || state, COUNT(*) FROM jobs GROUP BY 1 ORDER BY 1";
        let mut seen = Vec::new();
        for sql in [LINKS, JOBS] {
            let rows: Vec<(String, i64)> = match &self.state.db {
                Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
                Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
            }
            .unwrap_or_default();
            seen.push(format!("{rows:?}"));
        }
        format!("links {}; jobs {}", seen[0], seen[1])
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

    /// Times a backlog of 1,000 meetings that `make` puts in Outlook, until Salesforce holds
    /// them all (`like` their subjects), and prints its calls.
    async fn backlog(&self, what: &str, like: &str, make: impl Fn(usize)) {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let sf_before = total(&self.emulators.sf.all_calls());
        let graph_before = total(&self.graph.all_calls());
        let started = Instant::now();
        for i in 0..BULK {
            make(i);
        }
        self.until_count(like, BULK).await;
        let took = started.elapsed();
        println!(
            "{BULK} {what}: synced in {:.1} s ({:.0}/s); Salesforce calls {}, Graph calls {}",
            took.as_secs_f64(),
            BULK as f64 / took.as_secs_f64(),
            total(&self.emulators.sf.all_calls()) - sf_before,
            total(&self.graph.all_calls()) - graph_before
        );
    }

    /// Two polls and their calls: the first reads the changes the notifications already
    /// carried (and writes nothing); the second finds nothing changed.
    async fn two_polls(&self, label: &str, meetings: usize) {
        for what in ["after the changes", "nothing changed"] {
            let graph_before = total(&self.graph.all_calls());
            let sf_before = total(&self.emulators.sf.all_calls());
            self.poll_once().await;
            println!(
                "{label} ({meetings} meetings in the window), {what}: Graph calls {}, Salesforce calls {}",
                total(&self.graph.all_calls()) - graph_before,
                total(&self.emulators.sf.all_calls()) - sf_before
            );
        }
    }

    /// Runs one poll of the mailbox and waits for it to finish.
    async fn poll_once(&self) {
        let before = self.last_poll().await;
        let job = outforce::sync::jobs::PollMailbox {
            user_id: self.user_id.clone(),
        };
        self.state.queue.enqueue(&job).await.unwrap();
        for _ in 0..12_000 {
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

/// Each endpoint's calls between two counts, busiest first.
fn calls_since(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> String {
    let mut calls: Vec<(u64, &str)> = after
        .iter()
        .map(|(endpoint, n)| {
            (
                n - before.get(endpoint).copied().unwrap_or(0),
                endpoint.as_str(),
            )
        })
        .filter(|(n, _)| *n > 0)
        .collect();
    calls.sort_by(|a, b| b.cmp(a));
    let shown: Vec<String> = calls.iter().map(|(n, e)| format!("{e} {n}")).collect();
    shown.join(", ")
}
