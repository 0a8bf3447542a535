#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark should stop loudly at the first surprise"
)]

//! `POST /api/v1/matches` under load, as the task pane calls it: 20 attendees, a valid token,
//! the match cache warm, driven by `wrk` from a second process over loopback. The service runs
//! release-built on a SQLite file beside the Entra and Salesforce emulators. Prints wrk's
//! requests per second and latency percentiles; asserts nothing. Needs `wrk` (Debian's `wrk`
//! package). Run with `cargo bench --bench matches`.
//!
//! With `-- --waits N`, N task panes (N/4 reps, four each: the most a rep may hold) first open
//! long-polls on their meeting's link (`GET …/link?wait=25&after=0`, asked again as each one
//! ends) on the same instance, and hold them for the whole run: what the live state costs the
//! rest of the API.

use std::process::Command;

#[path = "support/service.rs"]
mod service;

use service::Emulators;

const ATTENDEES: usize = 20;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let wrk_found = Command::new("wrk").arg("--version").output().is_ok();
    assert!(wrk_found, "wrk is needed: apt-get install wrk");
    let dir = tempfile::tempdir().unwrap();
    let emulators = Emulators::start(dir.path(), &[]);
    let (sf, org_id) = (&emulators.sf, &emulators.org_id);
    let account = sf
        .create_record(org_id, "Account", serde_json::json!({ "Name": "Acme" }))
        .unwrap();
    let attendees: Vec<serde_json::Value> = (0..ATTENDEES)
        .map(|i| {
            let email = format!("person{i}@acme.example");
            if i % 2 == 0 {
                sf.create_record(
                    org_id,
                    "Contact",
                    serde_json::json!({ "LastName": format!("Person {i}"), "Email": email, "AccountId": account }),
                )
                .unwrap();
            }
            serde_json::json!({ "email": email, "name": format!("Person {i}") })
        })
        .collect();

    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let service = emulators.serve(emulators.settings(&url)).await;
    let (address, token, client) = (service.address.clone(), &service.token, &service.client);
    let body = serde_json::json!({ "attendees": attendees }).to_string();
    let warm = client
        .post(format!("{address}/api/v1/matches"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(warm.status(), 200, "{}", warm.text().await.unwrap());
    let calls_warm = sf.calls("composite");
    let waits = waits_asked();
    let mut panes = hold_waits(&emulators, &address, waits).await;
    if waits > 0 {
        let state = service.state.clone();
        let open = async {
            while state.live.open() < waits {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(60), open)
            .await
            .expect("the waits opened");
        // Each new rep's first call queues the background set-up of their mailbox: done before
        // the run, so that what is measured is the waits being held, not the reps arriving.
        service::until_idle(&service.state).await;
        let jobs = outforce::storage::jobs::counts(&service.state.db)
            .await
            .unwrap();
        println!("jobs after the reps arrived: {jobs:?}");
    }

    let script = dir.path().join("matches.lua");
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = [[{body}]]\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = \"Bearer {token}\"\n"
        ),
    )
    .unwrap();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("wrk")
            .args(["-t", "2", "-c", "32", "-d", "10s", "--latency", "-s"])
            .arg(&script)
            .arg(format!("{address}/api/v1/matches"))
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}");
    // The figure after a line's label (`Requests/sec:   3409.91`, `99%   14.85ms`).
    let value = |label: &str| {
        report
            .lines()
            .map(str::trim_start)
            .find(|l| l.starts_with(label))
            .and_then(|l| l.split_whitespace().last())
            .unwrap_or("0")
            .to_string()
    };
    let open_at_end = service.state.live.open();
    panes.abort_all();
    println!(
        "POST /api/v1/matches, {ATTENDEES} attendees, warm, 32 connections, {waits} link waits held (open at the end: {open_at_end}): {} req/s, p50 {}, p99 {}, non-2xx {}, Salesforce calls during the run {}",
        value("Requests/sec:"),
        value("50%"),
        value("99%"),
        value("Non-2xx"),
        sf.calls("composite") - calls_warm
    );
}

/// `--waits N` on the command line (0 without it).
fn waits_asked() -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--waits")
        .and_then(|at| args.get(at + 1))
        .map_or(0, |n| n.parse().expect("--waits takes a number"))
}

/// `count` panes waiting on their meeting's link, four per rep, each asking again as a wait
/// ends, until the set is aborted.
async fn hold_waits(
    emulators: &Emulators,
    address: &str,
    count: usize,
) -> tokio::task::JoinSet<()> {
    use outforce_sandbox::entra::TokenSpec;
    let mut panes = tokio::task::JoinSet::new();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(count)
        .build()
        .unwrap();
    for pane in 0..count {
        let rep = format!(
            "00000000-0000-4000-8000-{:012}",
            pane / outforce::live::WAITS_PER_REP
        );
        let token = emulators
            .entra
            .mint(&TokenSpec::user(service::TENANT, &rep, service::API))
            .unwrap();
        let url = format!("{address}/api/v1/events/AAMkAGI-pane-{pane}/link?wait=25&after=0");
        let client = client.clone();
        panes.spawn(async move {
            loop {
                let answer = client.get(&url).bearer_auth(&token).send().await;
                match answer {
                    Ok(response) if response.status() == 200 => {}
                    _ => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
                }
            }
        });
    }
    panes
}
