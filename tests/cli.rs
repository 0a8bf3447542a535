//! The `outforce` binary as an operator runs it: bad configuration, migrate, graceful stop.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::db::{self, Backend};
use crate::eventually::eventually;
use crate::helpers::free_port;
use crate::process::{Killed, read_until, sigterm, url_after, wait_for_exit};

fn outforce() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_outforce"));
    // Start from a clean slate: no OUTFORCE_* setting of the caller's leaks into the test.
    for (key, _) in std::env::vars() {
        if key.starts_with("OUTFORCE_") {
            command.env_remove(key);
        }
    }
    command
        .env("OUTFORCE_LOG__FORMAT", "json")
        .stdin(Stdio::null());
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run outforce")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn unknown_database_scheme_is_refused_naming_the_variable() {
    let output = run(outforce()
        .arg("serve")
        .env("OUTFORCE_DATABASE__URL", "mysql://root@localhost/x"));
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("OUTFORCE_DATABASE__URL"), "{message}");
    assert!(
        message.contains("unknown database scheme `mysql`"),
        "{message}"
    );
    assert!(
        !message.contains("root@localhost"),
        "the URL may hold a password: {message}"
    );
}

#[test]
fn malformed_variable_is_refused_naming_it() {
    let output = run(outforce().arg("serve").env("OUTFORCE_HTTP__PORT", "eighty"));
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("OUTFORCE_HTTP__PORT"), "{message}");
}

#[test]
fn a_salesforce_api_version_that_is_not_one_is_refused() {
    let output = run(outforce()
        .arg("serve")
        .env("OUTFORCE_SALESFORCE__API_VERSION", "v64.0"));
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("OUTFORCE_SALESFORCE__API_VERSION"),
        "{message}"
    );
    assert!(message.contains("64.0"), "{message}");
}

#[test]
fn an_entra_authority_over_plain_http_is_refused_naming_the_setting() {
    let output = run(outforce().arg("serve").env(
        "OUTFORCE_ENTRA__AUTHORITY",
        "http://login.microsoftonline.com",
    ));
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("OUTFORCE_ENTRA__AUTHORITY"), "{message}");
    assert!(message.contains("https://"), "{message}");
}

#[test]
fn misspelled_variable_is_refused_rather_than_ignored() {
    // One underscore instead of two: silently running on SQLite would be worse than stopping.
    let output = run(outforce()
        .arg("serve")
        .env("OUTFORCE_DATABASE_URL", "postgres://db/outforce"));
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("OUTFORCE_DATABASE_URL"), "{message}");
    assert!(message.contains("no such setting"), "{message}");
}

#[test]
fn unreadable_tls_key_is_refused_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    let output = run(outforce()
        .arg("serve")
        .env("OUTFORCE_HTTP__TLS__CERT_PATH", &cert_path)
        .env(
            "OUTFORCE_HTTP__TLS__KEY_PATH",
            dir.path().join("missing-key.pem"),
        ));
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("OUTFORCE_HTTP__TLS__KEY_PATH"),
        "{message}"
    );
    assert!(message.contains("cannot read"), "{message}");
}

#[test]
fn bad_value_in_the_config_file_names_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("outforce.toml");
    std::fs::write(&file, "[jobs]\nlease_secs = 1\n").unwrap();
    let output = run(outforce().arg("--config").arg(&file).arg("serve"));
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("`jobs.lease_secs` in") && message.contains("outforce.toml"),
        "{message}"
    );
}

#[test]
fn missing_config_file_is_refused() {
    let output = run(outforce().args(["--config", "/nonexistent/outforce.toml", "migrate"]));
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("/nonexistent/outforce.toml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn migrate_creates_the_schema_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("data/outforce.db").display());
    for _ in 0..2 {
        let output = run(outforce()
            .arg("migrate")
            .env("OUTFORCE_DATABASE__URL", &url));
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert!(dir.path().join("data/outforce.db").exists());
}

/// A `serve` process and its port.
struct Serve {
    child: Killed,
    port: u16,
}

/// Starts `outforce serve` on a free port and waits until it logs the address.
fn start_serve(database_url: &str) -> Serve {
    start_serve_with(outforce().env("OUTFORCE_DATABASE__URL", database_url))
}

fn start_serve_with(command: &mut Command) -> Serve {
    let mut child = command
        .arg("serve")
        .env("OUTFORCE_HTTP__PORT", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start outforce serve");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let port = loop {
        let line = lines
            .next()
            .expect("serve exited before listening")
            .unwrap();
        if let Some(address) = line.split("\"address\":\"").nth(1) {
            let address = address.split('"').next().unwrap();
            break address.rsplit(':').next().unwrap().parse().unwrap();
        }
    };
    // Keep draining the log so the process never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Serve {
        child: Killed(child),
        port,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_request_in_flight_finish_then_exits_0() {
    use sqlx::Connection as _;

    let (url, _) = db::fresh_url(Backend::Postgres).await;
    let mut serve = start_serve(&url);
    let base = format!("http://127.0.0.1:{}", serve.port);
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Hold a lock that /readyz must wait for, so its request is in flight when SIGTERM comes.
    let mut blocker = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut lock = blocker.begin().await.unwrap();
    sqlx::query("LOCK TABLE _sqlx_migrations IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();
    let in_flight = tokio::spawn({
        let client = client.clone();
        let url = format!("{base}/readyz");
        async move { client.get(url).send().await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !in_flight.is_finished(),
        "the request should be waiting on the lock"
    );

    sigterm(&serve.child);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        serve.child.try_wait().unwrap().is_none(),
        "the process must wait for the request"
    );
    let refused = client.get(format!("{base}/healthz")).send().await;
    assert!(
        refused.is_err(),
        "no new connections are accepted while stopping"
    );

    lock.rollback().await.unwrap();
    let response = in_flight
        .await
        .unwrap()
        .expect("the in-flight request completes");
    assert_eq!(response.status(), 200);
    let status = wait_for_exit(&mut serve.child, Duration::from_secs(20));
    assert_eq!(status.code(), Some(0));
}

#[test]
fn sigterm_on_an_idle_sqlite_service_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("outforce.db").display());
    let mut serve = start_serve(&url);
    sigterm(&serve.child);
    assert_eq!(
        wait_for_exit(&mut serve.child, Duration::from_secs(20)).code(),
        Some(0)
    );
}

/// What Kubernetes sets in every pod of a namespace with a Service named `outforce`.
const SERVICE_LINKS: [(&str, &str); 8] = [
    ("OUTFORCE_SERVICE_HOST", "10.96.0.12"),
    ("OUTFORCE_SERVICE_PORT", "8080"),
    ("OUTFORCE_SERVICE_PORT_HTTP", "8080"),
    ("OUTFORCE_PORT", "tcp://10.96.0.12:8080"),
    ("OUTFORCE_PORT_8080_TCP", "tcp://10.96.0.12:8080"),
    ("OUTFORCE_PORT_8080_TCP_PROTO", "tcp"),
    ("OUTFORCE_PORT_8080_TCP_PORT", "8080"),
    ("OUTFORCE_PORT_8080_TCP_ADDR", "10.96.0.12"),
];

#[tokio::test]
async fn kubernetes_service_link_variables_are_ignored_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("outforce.db").display());
    let mut command = outforce();
    command.env("OUTFORCE_DATABASE__URL", &url);
    for (name, value) in SERVICE_LINKS {
        command.env(name, value);
    }
    let serve = start_serve_with(&mut command);
    let health = reqwest::get(format!("http://127.0.0.1:{}/healthz", serve.port))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    // A setting spelt like one is still refused.
    let output = run(outforce()
        .arg("migrate")
        .env("OUTFORCE_DATABASE__URL", &url)
        .env("OUTFORCE_PORT", "8080"));
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("OUTFORCE_PORT"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn serve_takes_port_and_bind_and_a_worker_serves_health_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("outforce.db").display());
    let port = free_port();
    let child = outforce()
        .args(["serve", "--port", &port.to_string(), "--bind", "127.0.0.1"])
        .env("OUTFORCE_DATABASE__URL", &url)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let _serve = Killed(child);
    assert_eq!(wait_for_health(port).await, 200);

    let health_port = free_port();
    let child = outforce()
        .args(["worker", "--health-port", &health_port.to_string()])
        .env("OUTFORCE_DATABASE__URL", &url)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let _worker = Killed(child);
    assert_eq!(wait_for_health(health_port).await, 200);
    let ready: serde_json::Value = reqwest::get(format!("http://127.0.0.1:{health_port}/readyz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["database"], "ok");
}

/// `/healthz`'s status once something listens on `port`.
async fn wait_for_health(port: u16) -> u16 {
    let what = format!("something listening on {port}");
    let url = format!("http://127.0.0.1:{port}/healthz");
    let response = eventually(&what, Duration::from_secs(20), || reqwest::get(&url)).await;
    response.status().as_u16()
}

#[test]
fn the_example_config_file_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/outforce.example.toml");
    let url = format!("sqlite://{}", dir.path().join("outforce.db").display());
    let output = run(outforce()
        .args(["--config", example, "migrate"])
        .env("OUTFORCE_DATABASE__URL", &url));
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn the_test_harness_variables_are_not_settings() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("outforce.db").display());
    let output = run(outforce()
        .arg("migrate")
        .env("OUTFORCE_DATABASE__URL", &url)
        .env("OUTFORCE_TEST_POSTGRES_URL", "postgres://elsewhere/test"));
    assert!(output.status.success(), "{}", stderr(&output));
}

#[tokio::test]
async fn serve_with_no_configuration_runs_on_a_local_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut serve = start_serve_with(outforce().current_dir(dir.path()));
    let ready = reqwest::get(format!("http://127.0.0.1:{}/readyz", serve.port))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert!(dir.path().join("outforce-data/outforce.db").exists());
    sigterm(&serve.child);
    assert_eq!(
        wait_for_exit(&mut serve.child, Duration::from_secs(20)).code(),
        Some(0)
    );
}

#[test]
fn worker_runs_until_sigterm_then_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("outforce.db").display());
    let mut child = Killed(
        outforce()
            .arg("worker")
            .env("OUTFORCE_DATABASE__URL", &url)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = child.stdout.take().unwrap();
    let started = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains("workers started"));
    assert!(started, "the worker never reported starting");
    sigterm(&child);
    assert_eq!(
        wait_for_exit(&mut child, Duration::from_secs(20)).code(),
        Some(0)
    );
}

// The emulators are in the binary only with the `sandbox` feature (the default).
#[cfg(feature = "sandbox")]
#[tokio::test]
async fn sandbox_prints_urls_that_answer_over_https_with_its_ca() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Killed(
        outforce()
            .args(["sandbox", "--dir"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let lines = read_until(&mut child, "Press Ctrl-C");
    let entra = url_after(&lines, "Entra ID:");
    let salesforce = url_after(&lines, "Salesforce:");
    let graph = url_after(&lines, "Graph:");
    let ca = std::fs::read(dir.path().join("sandbox-ca.pem")).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
        .build()
        .unwrap();
    let metadata = client
        .get(format!(
            "{entra}/common/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(metadata.status(), 200);
    let versions = client
        .get(format!("{salesforce}/services/data"))
        .send()
        .await
        .unwrap();
    assert_eq!(versions.status(), 200);
    let unauthenticated = client
        .get(format!("{graph}/me/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        unauthenticated.status(),
        401,
        "Graph answers, and asks for a token"
    );
    sigterm(&child);
    assert_eq!(
        wait_for_exit(&mut child, Duration::from_secs(20)).code(),
        Some(0)
    );
}

#[test]
fn a_public_url_over_plain_http_stops_start_up_naming_the_setting() {
    let output = run(outforce()
        .arg("serve")
        .env("OUTFORCE_HTTP__PUBLIC_URL", "http://outforce.contoso.com"));
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("OUTFORCE_HTTP__PUBLIC_URL"), "{message}");
    assert!(message.contains("https://"), "{message}");
}

#[test]
fn an_add_in_id_that_is_not_a_guid_stops_start_up_naming_the_setting() {
    let output = run(outforce()
        .arg("serve")
        .env("OUTFORCE_ADDIN__ID", "outforce"));
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("OUTFORCE_ADDIN__ID"), "{message}");
    assert!(message.contains("GUID"), "{message}");
}

#[test]
fn the_manifest_command_prints_what_an_admin_uploads() {
    let output = run(outforce()
        .args(["manifest", "--format", "json"])
        .env("OUTFORCE_HTTP__PUBLIC_URL", "https://outforce.contoso.com"));
    assert!(output.status.success(), "{}", stderr(&output));
    let manifest: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(manifest["id"], "4f1e9a2c-7b3d-4e8a-9c61-5d2f0b8e7a13");
    assert_eq!(
        manifest["extensions"][0]["runtimes"][0]["code"]["page"],
        "https://outforce.contoso.com/pane/"
    );
    let xml = run(outforce()
        .arg("manifest")
        .env("OUTFORCE_HTTP__PUBLIC_URL", "https://outforce.contoso.com"));
    assert!(String::from_utf8_lossy(&xml.stdout).starts_with("<?xml"));
}
