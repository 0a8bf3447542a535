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
    println!(
        "POST /api/v1/matches, {ATTENDEES} attendees, warm, 32 connections: {} req/s, p50 {}, p99 {}, non-2xx {}, Salesforce calls during the run {}",
        value("Requests/sec:"),
        value("50%"),
        value("99%"),
        value("Non-2xx"),
        sf.calls("composite") - calls_warm
    );
}
