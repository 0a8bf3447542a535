//! An Entra outage does not take the service down: cached keys keep serving while a refresh
//! fails (and `/readyz` says so), and without keys every caller gets a prompt 503 from one fetch.

use std::time::{Duration, Instant};

use outforce_sandbox::entra::{Entra, KeysOutage, TokenSpec};
use serde_json::Value;

use crate::eventually::{eventually, when};
use crate::helpers::{TestApp, spawn_with};
use crate::signed_in::{self, API, TENANT};

const CALLERS: usize = 100;

struct Outage {
    app: TestApp,
    entra: Entra,
    _dirs: (tempfile::TempDir, Option<tempfile::TempDir>),
}

/// An instance whose keys are fresh for `refresh_secs`, with a one-second fetch timeout.
async fn outage(refresh_secs: u64) -> Outage {
    let tenant = signed_in::tenant();
    let (mut loaded, db_dir) = tenant.settings().await;
    let entra = &mut loaded.settings.entra;
    entra.keys_refresh_secs = refresh_secs;
    entra.keys_fetch_timeout_secs = 1;
    entra.keys_retry_after_failure_secs = 1;
    let app = spawn_with(loaded, outforce::startup::registry()).await;
    let signed_in::Tenant { entra, ca_dir, .. } = tenant;
    Outage {
        app,
        entra,
        _dirs: (ca_dir, db_dir),
    }
}

impl Outage {
    /// Distinct tokens, so that none is answered from the validation cache.
    fn tokens(&self, count: usize) -> Vec<String> {
        (0..count)
            .map(|i| {
                let rep = format!("00000000-0000-4000-8000-{i:012}");
                self.entra
                    .mint(&TokenSpec::user(TENANT, &rep, API))
                    .unwrap()
            })
            .collect()
    }

    /// Sends every token at once; each answer's status and code, and when it arrived.
    async fn all_at_once(&self, tokens: Vec<String>) -> Vec<(u16, Value, Instant)> {
        let calls: Vec<_> = tokens
            .into_iter()
            .map(|token| {
                let request = self
                    .app
                    .client
                    .get(format!("{}/api/v1/me", self.app.address))
                    .bearer_auth(token);
                tokio::spawn(async move {
                    let response = request.send().await.unwrap();
                    let status = response.status().as_u16();
                    let body: Value = response.json().await.unwrap();
                    (status, body, Instant::now())
                })
            })
            .collect();
        let mut answers = Vec::new();
        for call in calls {
            answers.push(call.await.unwrap());
        }
        answers
    }

    async fn readiness(&self) -> Value {
        self.app
            .client
            .get(format!("{}/readyz", self.app.address))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

fn spread(answers: &[(u16, Value, Instant)]) -> Duration {
    let first = answers.iter().map(|a| a.2).min().unwrap();
    let last = answers.iter().map(|a| a.2).max().unwrap();
    last - first
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_keys_keep_serving_while_the_keys_endpoint_hangs_then_fails() {
    let o = outage(1).await;
    assert_eq!(o.all_at_once(o.tokens(1)).await[0].0, 200);
    assert_eq!(o.readiness().await["entra_keys"], "fresh");
    o.entra.set_keys_outage(Some(KeysOutage::Hang));
    tokio::time::sleep(Duration::from_millis(1_100)).await;

    let tokens = o.tokens(CALLERS);
    let started = Instant::now();
    let answers = o.all_at_once(tokens).await;
    println!(
        "100 callers on stale keys: {:?} between first and last answer",
        spread(&answers)
    );
    assert!(
        answers.iter().all(|a| a.0 == 200),
        "stale keys still validate: {:?}",
        answers.iter().find(|a| a.0 != 200)
    );
    assert!(
        spread(&answers) < Duration::from_secs(1),
        "nobody waited on the hanging refresh: {:?} between first and last, {:?} in all",
        spread(&answers),
        started.elapsed()
    );
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let ready = o.readiness().await;
    assert_eq!(
        (ready["status"].as_str(), ready["entra_keys"].as_str()),
        (Some("degraded"), Some("stale")),
        "{ready}"
    );
    let metrics = o
        .app
        .client
        .get(format!("{}/metrics", o.app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("outforce_entra_keys{state=\"stale\"} 1"),
        "{metrics}"
    );

    o.entra.set_keys_outage(Some(KeysOutage::Fail));
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let answers = o.all_at_once(o.tokens(10)).await;
    assert!(
        answers.iter().all(|a| a.0 == 200),
        "still served when it fails"
    );

    o.entra.set_keys_outage(None);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    o.all_at_once(o.tokens(1)).await;
    eventually(
        "the keys fresh again once Entra answered",
        Duration::from_secs(5),
        || async { when(o.readiness().await, |r| r["entra_keys"] == "fresh") },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_cached_keys_every_caller_gets_a_prompt_503_from_one_fetch() {
    let o = outage(3600).await;
    o.entra.set_keys_outage(Some(KeysOutage::Hang));
    let started = Instant::now();
    let answers = o.all_at_once(o.tokens(CALLERS)).await;
    for (status, body, _) in &answers {
        assert_eq!(*status, 503, "{body}");
        assert_eq!(body["error"]["code"], "unavailable", "{body}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the callers waited on one fetch with a one-second timeout, not on a hundred: {:?}",
        started.elapsed()
    );
    assert_eq!(o.entra.calls("keys_v2"), 1, "one fetch, not a hundred");
    assert_eq!(o.readiness().await["entra_keys"], "unavailable");

    // The failure is remembered for the back-off: callers meanwhile get it at once.
    o.entra.set_keys_outage(Some(KeysOutage::Fail));
    let answers = o.all_at_once(o.tokens(10)).await;
    assert!(answers.iter().all(|a| a.0 == 503));
    assert_eq!(o.entra.calls("keys_v2"), 1);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let answers = o.all_at_once(o.tokens(10)).await;
    assert!(answers.iter().all(|a| a.0 == 503));
    assert_eq!(
        o.entra.calls("keys_v2"),
        2,
        "after the back-off, one more fetch (which fails)"
    );

    o.entra.set_keys_outage(None);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let answers = o.all_at_once(o.tokens(5)).await;
    assert!(answers.iter().all(|a| a.0 == 200), "Entra is back");
}
