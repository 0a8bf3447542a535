//! `outforce demo` as a newcomer runs it, twice on the same directory (as `bash scripts/demo`
//! does): each run shows its meetings, watches the rep's calendar from the pane's first call,
//! and answers an admin's preview.

#![cfg(feature = "sandbox")]

use std::process::Stdio;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::eventually::{eventually, when};
use crate::helpers::free_port;
use crate::process::{Killed, read_until, sigterm, url_after, wait_for_exit};

/// An admin of the demo tenant, as the emulated Entra ID mints them.
const ADMIN: &str = "d2f5a3c1-7b4e-4a9d-8c3f-1e6b9a0d4c27";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_started_twice_on_one_directory_works_each_time() {
    let dir = tempfile::tempdir().unwrap();
    for run in 1..=2 {
        let port = free_port();
        let mut child = Killed(
            std::process::Command::new(env!("CARGO_BIN_EXE_outforce"))
                .args(["demo", "--port", &port.to_string(), "--data-dir"])
                .arg(dir.path())
                .env_remove("OUTFORCE_CONFIG")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let lines = read_until(&mut child, "Press Ctrl-C");
        if run == 2 {
            assert!(
                lines.iter().any(|l| l.contains("starts afresh")),
                "it says so: {lines:?}"
            );
        }
        let control = url_after(&lines, "sandbox control API:");
        let control = control.trim_end_matches('/');
        let entra = lines.iter().find(|l| l.contains("Entra ID:")).unwrap();
        let tenant = entra
            .split("tenant ")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap();
        let api = entra
            .split("API app ")
            .nth(1)
            .unwrap()
            .trim_end_matches(')');
        let base = format!("http://127.0.0.1:{port}");
        let ca = std::fs::read(dir.path().join("sandbox-ca.pem")).unwrap();
        let http = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
            .build()
            .unwrap();

        let meetings: Value = http
            .get(format!("{base}/demo/api/meetings"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            !meetings["meetings"].as_array().unwrap().is_empty(),
            "run {run}: {meetings}"
        );
        assert_eq!(
            meetings["rep"]["iana_time_zone"], "America/New_York",
            "the meeting list shows times in the mailbox's zone (Eastern Standard Time)"
        );

        // The pane's first call: the rep's calendar is watched and read.
        let token: Value = http
            .post(format!("{base}/demo/api/token"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = token["access_token"].as_str().unwrap().to_string();
        let rep = claims(&token)["oid"].as_str().unwrap().to_string();
        let me = http
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200, "run {run}");
        let what = format!("run {run}: the rep's calendar was read");
        eventually(&what, Duration::from_secs(30), || async {
            let status: Value = http
                .get(format!("{base}/api/v1/sync/status"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            when(status, |s| {
                !s["last_poll_at"].is_null() && s["mailbox_error"].is_null()
            })
        })
        .await;

        // The rep connects Salesforce through the dialog (the demo's login page approves them).
        let ticket: Value = http
            .post(format!("{base}/api/v1/salesforce/connect-ticket"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let browser = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
            .cookie_store(true)
            .build()
            .unwrap();
        let start = ticket["start_url"].as_str().unwrap();
        let page = browser
            .get(format!("{base}{start}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("\"connected\""), "run {run}: {page}");

        // An admin's dry run for the rep.
        let minted: Value = http
            .post(format!("{control}/entra/tokens"))
            .json(
                &json!({ "tenant_id": tenant, "object_id": ADMIN, "audience": api,
                           "scopes": "access_as_user", "roles": ["Outforce.Admin"] }),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let admin = minted["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("{minted}"))
            .to_string();
        let config: Value = http
            .post(format!("{base}/api/v1/admin/sync-configs"))
            .bearer_auth(&admin)
            .json(&json!({ "name": format!("Run {run}"), "settings": { "scope": "all" } }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = config["id"]
            .as_str()
            .unwrap_or_else(|| panic!("run {run}: {config}"));
        let preview = http
            .post(format!("{base}/api/v1/admin/sync-configs/{id}/preview"))
            .bearer_auth(&admin)
            .json(&json!({ "user": rep }))
            .send()
            .await
            .unwrap();
        assert_eq!(preview.status(), 200, "run {run}");
        let preview: Value = preview.json().await.unwrap();
        assert!(
            preview["meetings"].as_u64().unwrap() > 0,
            "run {run}: {preview}"
        );

        sigterm(&child);
        assert_eq!(
            wait_for_exit(&mut child, Duration::from_secs(20)).code(),
            Some(0)
        );
    }
}

/// A JWT's claims.
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}
