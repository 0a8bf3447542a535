#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark should stop loudly at the first surprise"
)]

//! The resident memory of a `serve` process with 1,000 reps' mailboxes under sync, then idle:
//! the release binary on its own (so the figure is the service's alone, not the emulators'),
//! against the sandbox's emulators over loopback.
//!
//! First an in-process instance without workers signs 1,000 reps in (each with a Salesforce
//! session, a mailbox reached by application permission, one meeting selected in the pane) and
//! stops. Then `outforce serve` starts on the same database and does everything: 1,000
//! meetings synced, each mailbox's delta round every 20 s. (The service refuses a public URL
//! that is not HTTPS, and the emulators do not trust one, so Graph's notifications are left out:
//! the polls find every change.) Its resident set (`VmRSS`) is sampled throughout; the peak
//! (`VmHWM`) and the resident set after a minute of idling are printed.
//!
//! `cargo bench --bench memory` (SQLite) or `cargo bench --bench memory -- --postgres`.

use std::time::{Duration, Instant};

#[path = "support/service.rs"]
mod service;

#[path = "../tests/support/child.rs"]
mod child;

use outforce::startup::Application;
use outforce::storage;
use outforce::storage::tenants::{self, GraphAccessMode};
use outforce_sandbox::graph::Graph;
use secrecy::SecretString;
use serde_json::json;
use service::{API, APP_SECRET, Emulators, TENANT};

const REPS: usize = 1000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let postgres = std::env::args().any(|a| a == "--postgres");
    let dir = tempfile::tempdir().unwrap();
    let database_url = if postgres {
        fresh_postgres(true).await
    } else {
        format!("sqlite://{}", dir.path().join("memory.db").display())
    };
    let emulators = Emulators::start(dir.path(), &["Calendars.ReadWrite"]);
    let graph = Graph::start(&emulators.authority, &emulators.entra).unwrap();
    let mut loaded = emulators.settings(&database_url);
    let settings = &mut loaded.settings;
    settings.graph.base_url = graph.base_url().into();
    settings.graph.client_secret = Some(SecretString::from(APP_SECRET.to_string()));
    settings.http.port = 0;
    settings.sync.sweep_interval_secs = 1;
    settings.sync.poll_interval_secs = 20;
    let settings = settings.clone();

    // 1. The reps signed in and their meetings selected, by an instance that runs no job.
    let started = Instant::now();
    let mut setup = loaded;
    setup.settings.jobs.workers = 0;
    let app = Application::build(setup).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let mut reps = Vec::with_capacity(REPS);
    for n in 0..REPS {
        let rep = format!("00000000-0000-4000-8000-{n:012}");
        let email = format!("rep{n}@bench.example");
        graph.add_mailbox(TENANT, &rep, &email, &format!("Rep {n}"));
        let sf_user = emulators
            .sf
            .add_user(&emulators.org_id, &email, "Rep", &n.to_string());
        let (token, tenant, _) = emulators
            .sign_in(&state, &client, &address, &rep, &sf_user.id, &email)
            .await;
        if n == 0 {
            let mode = GraphAccessMode::Application;
            tenants::set_graph_access_mode(&state.db, &tenant.id, mode, storage::now())
                .await
                .unwrap();
        }
        // Inside the sync's window whenever the benchmark runs.
        let day = storage::now().date_naive() + chrono::Days::new(3);
        let at =
            |hour: u32| json!({ "dateTime": format!("{day}T{hour:02}:00:00"), "timeZone": "UTC" });
        let event = json!({ "subject": format!("Memory {n}"), "start": at(9), "end": at(10) });
        let id = graph.create_event(&rep, event).unwrap();
        let linked = client
            .put(format!("{address}/api/v1/events/{id}/link"))
            .bearer_auth(&token)
            .json(&json!({ "who_ids": [], "sync": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(linked.status(), 200);
        reps.push(rep);
    }
    let rep_ids: Vec<&str> = reps.iter().map(String::as_str).collect();
    graph.set_access_policy(API, &rep_ids);
    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
    state.db.close().await;
    println!(
        "{REPS} reps signed in, each with a meeting selected, in {:.0} s",
        started.elapsed().as_secs_f64()
    );

    // 2. `outforce serve` alone does the work.
    let config = dir.path().join("serve.toml");
    std::fs::write(&config, child::config(&settings, &database_url)).unwrap();
    let mut serve = child::start("serve", &config, &dir.path().join("serve.log"));
    let pid = serve.id();
    let started = Instant::now();
    let mut peak_while_syncing = 0;
    loop {
        peak_while_syncing = peak_while_syncing.max(kib(pid, "VmRSS"));
        let synced = emulators
            .sf
            .query(
                &emulators.org_id,
                "SELECT Id FROM Event WHERE Subject LIKE 'Memory %'",
            )
            .unwrap()
            .len();
        if synced == REPS {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "only {synced} of {REPS} synced"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "{REPS} mailboxes' meetings synced by `serve` in {:.1} s: resident {:.1} MiB at most (sampled), high-water mark {:.1} MiB",
        started.elapsed().as_secs_f64(),
        mib(peak_while_syncing),
        mib(kib(pid, "VmHWM"))
    );
    let graph_before: u64 = graph.all_calls().values().sum();
    let idle_from = Instant::now();
    let mut idle_peak = 0;
    while idle_from.elapsed() < Duration::from_secs(60) {
        idle_peak = idle_peak.max(kib(pid, "VmRSS"));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let graph_calls = graph.all_calls().values().sum::<u64>() - graph_before;
    println!(
        "then a minute idle (every mailbox polled every 20 s: {graph_calls} Graph calls): resident {:.1} MiB now, {:.1} MiB at most",
        mib(kib(pid, "VmRSS")),
        mib(idle_peak)
    );
    serve.kill().unwrap();
    serve.wait().unwrap();
    if postgres {
        fresh_postgres(false).await;
    }
}

/// A `/proc/<pid>/status` figure, in KiB.
fn kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// This run's database on the machine's PostgreSQL: created (`create`), or dropped.
async fn fresh_postgres(create: bool) -> String {
    let admin = sqlx::PgPool::connect("postgres://postgres@127.0.0.1:5432/postgres")
        .await
        .unwrap();
    let name = format!("outforce_memory_{}", std::process::id());
    let statement = if create {
        format!("CREATE DATABASE {name}")
    } else {
        format!("DROP DATABASE {name} WITH (FORCE)")
    };
    sqlx::query(sqlx::AssertSqlSafe(statement))
        .execute(&admin)
        .await
        .unwrap();
    format!("postgres://postgres@127.0.0.1:5432/{name}")
}
