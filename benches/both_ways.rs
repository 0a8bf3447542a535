#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark should stop loudly at the first surprise"
)]

//! The sync both ways (`direction: both`, `scope: all`), release-built against the sandbox's
//! emulators over loopback, one rep watched through Graph's notifications. Prints figures;
//! asserts only that the sync did its work.
//!
//! 1. With 50 ms added to every Salesforce and Graph call, the mailbox polled every
//!    `POLL_SECS`: the time from an edit in Salesforce to the Outlook event changed, p50 and
//!    p95 over 20 Events edited at moments spread over the interval (bounded by the poll
//!    interval: Salesforce tells nobody of a change).
//! 2. Without added latency: 1,000 meetings with a customer attendee synced with no selection,
//!    then the calls of one poll at steady state (nothing changed on either side).
//!
//! `cargo bench --bench both_ways` runs on a SQLite file.

use std::time::{Duration, Instant};

#[path = "support/service.rs"]
mod service;

use outforce::storage::{self, mailbox_watches};
use outforce_sandbox::graph::Graph;
use outforce_sandbox::salesforce::faults::Fault;
use serde_json::{Value, json};
use service::{API, Emulators, REP, Service, TENANT, percentile, total};

const LATENCY: Duration = Duration::from_millis(50);
const POLL_SECS: u64 = 5;
const TIMED: usize = 20;
const BULK: usize = 1000;
const CUSTOMERS: usize = 100;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let emulators = Emulators::start(dir.path(), &["Calendars.ReadWrite"]);
    let graph = Graph::start(&emulators.authority, &emulators.entra).unwrap();
    graph.add_mailbox(TENANT, REP, "rep@bench.example", "Bench Rep");
    graph.set_access_policy(API, &[REP]);
    graph.allow_http_webhooks(true);
    let database_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let service = service::serve_watched(&emulators, &graph, &database_url, POLL_SECS).await;
    let db = &service.state.db;
    let settings = outforce::sync::model::settings::SyncSettings::parse(
        &json!({ "direction": "both", "scope": "all" }),
    )
    .unwrap();
    outforce::storage::sync_configs::audited::create(
        db,
        &service.tenant.id,
        outforce::storage::sync_configs::audited::Draft {
            name: "Both ways",
            is_default: true,
            settings: &settings,
        },
        "admin",
        storage::now(),
    )
    .await
    .unwrap();
    outforce::sync::watch::start_watching(&service.state, &service.user.id)
        .await
        .unwrap();
    let b = Bench {
        emulators,
        graph,
        service,
    };
    println!("both-ways benchmark on SQLite, the mailbox polled every {POLL_SECS} s");

    // 1. Salesforce → Outlook latency.
    b.emulators
        .sf
        .randomize_faults(1, 1.0, vec![Fault::Latency(LATENCY)]);
    b.graph.set_latency(LATENCY);
    let ids: Vec<String> = (0..TIMED)
        .map(|i| b.salesforce_event(&format!("From Salesforce {i}"), i))
        .collect();
    b.until_outlook(|events| {
        events
            .iter()
            .filter(|e| {
                e["subject"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("From Salesforce"))
            })
            .count()
            == TIMED
    })
    .await;
    let mut latencies = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let subject = format!("From Salesforce {i} (moved)");
        // Each edit at its own moment of the poll's interval, as a rep's would be.
        let offset = (i as u64 * 997) % (POLL_SECS * 1000);
        tokio::time::sleep(Duration::from_millis(offset)).await;
        let started = Instant::now();
        b.emulators
            .sf
            .update_record(&b.emulators.org_id, id, json!({ "Subject": subject }))
            .unwrap();
        b.until_outlook(|events| events.iter().any(|e| e["subject"] == subject))
            .await;
        latencies.push(started.elapsed());
    }
    b.emulators.sf.clear_faults();
    b.graph.set_latency(Duration::ZERO);
    println!(
        "Salesforce edit → Outlook event updated ({TIMED} Events, {} ms added per call, poll every {POLL_SECS} s): p50 {} ms, p95 {} ms",
        LATENCY.as_millis(),
        percentile(&mut latencies, 50),
        percentile(&mut latencies, 95)
    );

    // 2. Every meeting with a customer synced, then the steady state.
    for c in 0..CUSTOMERS {
        let contact = json!({ "LastName": format!("Customer {c}"), "Email": format!("buyer{c}@customer.example") });
        b.emulators
            .sf
            .create_record(&b.emulators.org_id, "Contact", contact)
            .unwrap();
    }
    let started = Instant::now();
    for i in 0..BULK {
        b.customer_meeting(i);
    }
    b.until_events_like("Customer meeting %", BULK).await;
    println!(
        "{BULK} meetings with a customer attendee synced both ways (scope all) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Two polls' worth of quiet, then one poll measured alone.
    tokio::time::sleep(Duration::from_secs(2 * POLL_SECS + 2)).await;
    let (sf_before, graph_before) = (
        total(&b.emulators.sf.all_calls()),
        total(&b.graph.all_calls()),
    );
    let polls_before = b.polls().await;
    b.until_polled(polls_before).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "steady state, {} meetings in the window, one poll of the mailbox and one read of Salesforce: Graph calls {}, Salesforce calls {}",
        BULK + TIMED,
        total(&b.graph.all_calls()) - graph_before,
        total(&b.emulators.sf.all_calls()) - sf_before
    );
    b.graph.clear_faults();
}

struct Bench {
    emulators: Emulators,
    graph: Graph,
    service: Service,
}

impl Bench {
    /// A Salesforce Event of the rep's, one a day from tomorrow at 13:00 UTC; its Id.
    fn salesforce_event(&self, subject: &str, n: usize) -> String {
        let day = storage::now().date_naive() + chrono::Days::new(1 + (n % 20) as u64);
        self.emulators
            .sf
            .create_record(
                &self.emulators.org_id,
                "Event",
                json!({
                    "Subject": subject,
                    "StartDateTime": format!("{day}T13:00:00Z"),
                    "EndDateTime": format!("{day}T14:00:00Z"),
                    "OwnerId": self.emulators.sf_user_id,
                }),
            )
            .unwrap()
    }

    fn customer_meeting(&self, i: usize) {
        let day = storage::now().date_naive() + chrono::Days::new(1 + (i % 20) as u64);
        let at =
            |hour: u32| json!({ "dateTime": format!("{day}T{hour:02}:00:00"), "timeZone": "UTC" });
        let event = json!({
            "subject": format!("Customer meeting {i}"),
            "start": at(15),
            "end": at(16),
            "attendees": [{ "type": "required", "emailAddress": { "address": format!("buyer{}@customer.example", i % CUSTOMERS) } }],
        });
        self.graph.create_event(REP, event).unwrap();
    }

    async fn until_outlook(&self, wanted: impl Fn(&[Value]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let (_, body) = self
                .graph
                .as_owner(REP, "GET", "events?$top=5000&$select=subject", None)
                .unwrap();
            if wanted(body["value"].as_array().unwrap()) {
                return;
            }
            assert!(Instant::now() < deadline, "Outlook never got there");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn until_events_like(&self, like: &str, want: usize) {
        let deadline = Instant::now() + Duration::from_secs(300);
        let soql = format!("SELECT Id FROM Event WHERE Subject LIKE '{like}'");
        while self
            .emulators
            .sf
            .query(&self.emulators.org_id, &soql)
            .unwrap()
            .len()
            != want
        {
            assert!(Instant::now() < deadline, "never {want} Events like {like}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// When the mailbox was last polled.
    async fn polls(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        mailbox_watches::find(&self.service.state.db, &self.service.user.id)
            .await
            .unwrap()
            .and_then(|w| w.last_poll_at)
    }

    async fn until_polled(&self, before: Option<chrono::DateTime<chrono::Utc>>) {
        let deadline = Instant::now() + Duration::from_secs(3 * POLL_SECS);
        while self.polls().await == before {
            assert!(Instant::now() < deadline, "the mailbox was never polled");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
