//! Fault injection over the wire: scripted faults have Salesforce's bodies, and the same seed
//! gives the same faults in the same order.

use crate::client;

use outforce_sandbox::salesforce::Salesforce;
use outforce_sandbox::salesforce::faults::Fault;
use outforce_sandbox::tls::Authority;
use serde_json::Value;

struct Fixture {
    sf: Salesforce,
    http: reqwest::Client,
    token: String,
    _authority: Authority,
}

/// An emulator with a rep who holds a live session.
fn connected() -> Fixture {
    let authority = Authority::new().unwrap();
    let sf = Salesforce::start(&authority).unwrap();
    let org = sf.add_org("Contoso", 1_000_000);
    let rep = sf.add_user(&org.id, "rep@contoso.example", "Avery", "Rep");
    let token = sf.issue_session(&rep.id, "key").unwrap();
    let http = client::trusting(&authority, true);
    Fixture {
        sf,
        http,
        token,
        _authority: authority,
    }
}

impl Fixture {
    async fn limits(&self) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}/services/data/v62.0/limits", self.sf.base_url()))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn statuses(&self, seed: u64) -> Vec<u16> {
        self.sf.randomize_faults(
            seed,
            0.4,
            vec![
                Fault::InternalError,
                Fault::Unavailable,
                Fault::UnableToLockRow,
            ],
        );
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(self.limits().await.0);
        }
        self.sf.clear_faults();
        statuses
    }
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults_over_the_wire() {
    let f = connected();
    let first = f.statuses(42).await;
    let again = f.statuses(42).await;
    let other = f.statuses(43).await;
    assert_eq!(first, again);
    assert_ne!(first, other);
    assert!(
        first.contains(&200) && first.iter().any(|s| *s >= 400),
        "{first:?}"
    );
    assert_eq!(f.limits().await.0, 200, "clearing the plan ends the faults");
}

#[tokio::test]
async fn scripted_faults_answer_with_salesforce_error_bodies() {
    let f = connected();
    f.sf.script_faults(
        "/services/data/v62.0/limits",
        vec![
            Fault::UnableToLockRow,
            Fault::InvalidSession,
            Fault::DuplicatesDetected,
            Fault::InternalError,
            Fault::Unavailable,
        ],
    );
    let (status, body) = f.limits().await;
    assert_eq!(
        (status, body[0]["errorCode"].as_str()),
        (400, Some("UNABLE_TO_LOCK_ROW"))
    );
    let (status, body) = f.limits().await;
    assert_eq!(
        (status, body[0]["errorCode"].as_str()),
        (401, Some("INVALID_SESSION_ID"))
    );
    let (status, body) = f.limits().await;
    assert_eq!(
        (status, body[0]["errorCode"].as_str()),
        (400, Some("DUPLICATES_DETECTED"))
    );
    assert_eq!(body[0]["duplicateResult"]["allowSave"], false);
    let (status, body) = f.limits().await;
    assert_eq!(
        (status, body[0]["errorCode"].as_str()),
        (500, Some("UNKNOWN_EXCEPTION"))
    );
    let (status, body) = f.limits().await;
    assert_eq!(
        (status, body[0]["errorCode"].as_str()),
        (503, Some("SERVER_UNAVAILABLE"))
    );
    assert_eq!(f.limits().await.0, 200, "the script is spent");
}

#[tokio::test]
async fn latency_delays_the_answer_without_changing_it() {
    let f = connected();
    f.sf.script_faults(
        "/services/data",
        vec![Fault::Latency(std::time::Duration::from_millis(200))],
    );
    let started = std::time::Instant::now();
    let (status, body) = f.limits().await;
    assert_eq!(status, 200);
    assert!(body["DailyApiRequests"].is_object());
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(200),
        "the injected delay was applied"
    );
}

#[tokio::test]
async fn a_dropped_connection_loses_the_answer_and_the_next_call_works() {
    let f = connected();
    f.sf.script_faults(
        "/services/data/v62.0/limits",
        vec![Fault::DroppedConnection],
    );
    let url = format!("{}/services/data/v62.0/limits", f.sf.base_url());
    let outcome = match f.http.get(&url).bearer_auth(&f.token).send().await {
        Ok(response) => response.bytes().await.map(|_| ()),
        Err(error) => Err(error),
    };
    assert!(outcome.is_err(), "the client sees the connection break");
    assert_eq!(f.limits().await.0, 200);
}
