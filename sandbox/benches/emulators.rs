#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark should stop loudly at the first surprise"
)]

//! How fast the emulators answer, so that they do not dominate outforce's benchmarks: requests
//! per second for a Salesforce SOQL query (1,000 contacts, a filter and a parent field) and a
//! Graph event GET (200 events in the mailbox), over loopback HTTPS with keep-alive, from one
//! client and from 4 concurrent clients (Outlook's per-mailbox limit). Prints figures; asserts
//! nothing. Run with `cargo bench -p outforce-sandbox --bench emulators`.

use std::time::{Duration, Instant};

use outforce_sandbox::entra::{AppRegistration, Entra};
use outforce_sandbox::graph::Graph;
use outforce_sandbox::salesforce::Salesforce;
use outforce_sandbox::tls::Authority;
use serde_json::{Value, json};

const REQUESTS: usize = 2_000;
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const APP: &str = "2c3caa80-93f9-425e-8b85-0745f50c0d24";
const USER: &str = "6467882c-fdfd-4354-a1ed-4e13f064be25";

fn client(authority: &Authority) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(authority.pem().as_bytes()).unwrap();
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .build()
        .unwrap()
}

/// Sends `REQUESTS` GETs from `clients` concurrent clients; requests per second and the
/// median and 99th-percentile latency.
async fn measure(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    clients: usize,
) -> (f64, Duration, Duration) {
    let per_client = REQUESTS / clients;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, url, token) = (http.clone(), url.to_string(), token.to_string());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let sent = Instant::now();
                let response = http.get(&url).bearer_auth(&token).send().await.unwrap();
                assert_eq!(
                    response.status(),
                    200,
                    "{}",
                    response.text().await.unwrap_or_default()
                );
                response.bytes().await.unwrap();
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    (
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.5),
        at(0.99),
    )
}

fn print(name: &str, clients: usize, (rate, p50, p99): (f64, Duration, Duration)) {
    println!(
        "{name:<32} {clients} client(s): {rate:>8.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let authority = Authority::new().unwrap();
    let http = client(&authority);

    let sf = Salesforce::start(&authority).unwrap();
    let org = sf.add_org("Bench", u64::MAX / 2);
    let rep = sf.add_user(&org.id, "rep@bench.example", "Bench", "Rep");
    let session = sf.issue_session(&rep.id, "key").unwrap();
    let account = sf
        .create_record(&org.id, "Account", json!({ "Name": "Acme" }))
        .unwrap();
    for i in 0..1_000 {
        sf.create_record(&org.id, "Contact", json!({ "LastName": format!("Person {i}"), "Email": format!("p{i}@acme.example"), "AccountId": account })).unwrap();
    }
    let soql = "SELECT Id, Email, Account.Name FROM Contact WHERE Email IN ('p1@acme.example', 'p500@acme.example', 'p999@acme.example')";
    let query_url = format!(
        "{}/services/data/v64.0/query?{}",
        sf.base_url(),
        serde_urlencoded::to_string([("q", soql)]).unwrap()
    );

    let entra = Entra::start(&authority).unwrap();
    let graph = Graph::start(&authority, &entra).unwrap();
    entra.register_app(AppRegistration {
        tenant_id: TENANT.into(),
        client_id: APP.into(),
        client_secret: "bench".into(),
        app_id_uri: format!("api://bench/{APP}"),
        application_permissions: vec!["Calendars.ReadWrite".into()],
    });
    graph.add_mailbox(TENANT, USER, "rep@bench.example", "Bench Rep");
    graph.set_request_budget(usize::MAX, Duration::from_secs(600));
    let mut event_id = String::new();
    for day in 0..200 {
        let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(day);
        event_id = graph
            .create_event(USER, json!({
                "subject": format!("Meeting {day}"),
                "start": { "dateTime": format!("{start}T09:00:00"), "timeZone": "Pacific Standard Time" },
                "end": { "dateTime": format!("{start}T10:00:00"), "timeZone": "Pacific Standard Time" },
                "attendees": [{ "type": "required", "emailAddress": { "address": "jane@acme.example" } }],
            }))
            .unwrap();
    }
    let token: Value = http
        .post(format!("{}/{TENANT}/oauth2/v2.0/token", entra.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("client_secret", "bench"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    let event_url = format!("{}/v1.0/users/{USER}/events/{event_id}", graph.base_url());

    println!("{REQUESTS} requests each, loopback HTTPS, keep-alive");
    for clients in [1, 4] {
        print(
            "Salesforce query (1,000 contacts)",
            clients,
            measure(&http, &query_url, &session, clients).await,
        );
        print(
            "Graph event GET (200 events)",
            clients,
            measure(&http, &event_url, &token, clients).await,
        );
    }
}
