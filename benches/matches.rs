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

use base64::Engine as _;
use outforce::ids::{EntraTenantId, OrgId, SalesforceUserId};
use outforce::salesforce::session::ConnectedAs;
use outforce::startup::Application;
use outforce::storage::{self, tenants, users};
use outforce_sandbox::entra::{AppRegistration, Entra, TokenSpec};
use outforce_sandbox::salesforce::Salesforce;
use outforce_sandbox::tls::Authority;
use secrecy::SecretString;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const API: &str = "2c3caa80-93f9-425e-8b85-0745f50c0d24";
const REP: &str = "6467882c-fdfd-4354-a1ed-4e13f064be25";
const ATTENDEES: usize = 20;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let wrk_found = Command::new("wrk").arg("--version").output().is_ok();
    assert!(wrk_found, "wrk is needed: apt-get install wrk");
    let authority = Authority::new().unwrap();
    let entra = Entra::start(&authority).unwrap();
    entra.register_app(AppRegistration {
        tenant_id: TENANT.into(),
        client_id: API.into(),
        client_secret: "bench".into(),
        app_id_uri: format!("api://bench/{API}"),
        application_permissions: Vec::new(),
    });
    let sf = Salesforce::start(&authority).unwrap();
    let org = sf.add_org("Bench", 10_000_000);
    let sf_user = sf.add_user(&org.id, "rep@bench.example", "Bench", "Rep");
    let account = sf
        .create_record(&org.id, "Account", serde_json::json!({ "Name": "Acme" }))
        .unwrap();
    let attendees: Vec<serde_json::Value> = (0..ATTENDEES)
        .map(|i| {
            let email = format!("person{i}@acme.example");
            if i % 2 == 0 {
                sf.create_record(
                    &org.id,
                    "Contact",
                    serde_json::json!({ "LastName": format!("Person {i}"), "Email": email, "AccountId": account }),
                )
                .unwrap();
            }
            serde_json::json!({ "email": email, "name": format!("Person {i}") })
        })
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    authority.write_pem(&ca).unwrap();
    let mut loaded = outforce::config::load(None).unwrap();
    let settings = &mut loaded.settings;
    settings.http.port = 0;
    settings.entra.authority = entra.base_url().into();
    settings.entra.client_id = Some(API.into());
    settings.entra.app_id_uri = Some(format!("api://bench/{API}"));
    settings.outbound.extra_ca_files = vec![ca];
    settings.salesforce.consumer_key = Some("bench-key".into());
    settings.salesforce.consumer_secret = Some(SecretString::from("bench-secret".to_string()));
    settings.salesforce.login_url = sf.login_url().into();
    let key = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
    settings.secrets.keys = vec![SecretString::from(format!("bench:{key}"))];
    // Keep the log out of the figures.
    settings.log.filter = "warn".into();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    settings.database.url = Some(SecretString::from(url.clone()));
    loaded.database_url = SecretString::from(url);
    let app = Application::build(loaded).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until(std::future::pending()));

    // The rep, connected to the org (as the dialog would have left them), the org tied.
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
    tenants::bind_entra_tenant_to_org(&state.db, &entra_tenant, &org_id, storage::now())
        .await
        .unwrap();
    let tenant = tenants::find_by_entra_id(&state.db, &entra_tenant)
        .await
        .unwrap()
        .unwrap();
    let user = users::find_by_object_id(&state.db, &tenant.id, &REP.into())
        .await
        .unwrap()
        .unwrap();
    let access = SecretString::from(sf.issue_session(&sf_user.id, "bench-key").unwrap());
    state
        .sessions
        .remember(
            &user.id,
            &ConnectedAs {
                instance_url: sf.base_url(),
                org_id: &org_id,
                salesforce_user_id: &SalesforceUserId::from(sf_user.id.clone()),
                username: Some("rep@bench.example"),
                access_token: &access,
                refresh_token: None,
            },
        )
        .await
        .unwrap();
    let body = serde_json::json!({ "attendees": attendees }).to_string();
    let warm = client
        .post(format!("{address}/api/v1/matches"))
        .bearer_auth(&token)
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
