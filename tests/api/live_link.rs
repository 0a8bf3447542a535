//! `GET /api/v1/events/{id}/link?wait=&after=`: the pane hears that its meeting synced when it
//! does, not at its next poll; a wait is bounded per rep, and a write on one instance wakes a
//! wait on another (PostgreSQL).

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::db::{self, Backend};
use crate::helpers::{TestApp, spawn_with};
use crate::world::{REP_A, World, world_with};

/// The rep's meeting in Outlook, the sandbox's Graph slow enough that the sync takes a while.
async fn slow_world(adjust: impl FnOnce(&mut outforce::config::Loaded)) -> (World, String) {
    let w = world_with(adjust).await;
    w.connect(REP_A).await;
    w.mailbox_by_application(&["Calendars.ReadWrite"]).await;
    let id = w
        .graph
        .create_event(
            REP_A,
            json!({
                "subject": "Renewal call",
                "start": { "dateTime": crate::helpers::today_plus(1, "T09:00:00"), "timeZone": "UTC" },
                "end": { "dateTime": crate::helpers::today_plus(1, "T10:00:00"), "timeZone": "UTC" },
            }),
        )
        .unwrap();
    w.graph.set_latency(Duration::from_millis(300));
    (w, id)
}

/// The rep presses Sync on the meeting in the pane; the link the PUT answered.
async fn selected(w: &World, id: &str) -> Value {
    let (status, link) = w
        .rep_call(
            REP_A,
            Method::PUT,
            &format!("/api/v1/events/{id}/link"),
            Some(json!({ "who_ids": [], "sync": true })),
        )
        .await;
    assert_eq!(status, 200, "{link}");
    link
}

async fn call(
    app: &TestApp,
    w: &World,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    app.call(method, path, &w.token(REP_A), body).await
}

/// Waits as the pane does, from `version`, until the link is synced; the link and how long it
/// took.
async fn wait_until_synced(
    app: &TestApp,
    w: &World,
    id: &str,
    mut version: String,
) -> (Value, Duration) {
    let started = Instant::now();
    for _ in 0..20 {
        let path = format!("/api/v1/events/{id}/link?wait=20&after={version}");
        let (status, link) = call(app, w, Method::GET, &path, None).await;
        assert_eq!(status, 200, "{link}");
        if link["state"] == "synced" {
            return (link, started.elapsed());
        }
        version = link["version"].as_str().unwrap().to_string();
    }
    panic!("the link never became synced");
}

#[tokio::test]
async fn a_meeting_never_related_is_not_synced_rather_than_not_found() {
    let (w, id) = slow_world(|_| {}).await;
    let (status, link) = w
        .rep_call(
            REP_A,
            Method::GET,
            &format!("/api/v1/events/{id}/link"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{link}");
    assert_eq!(link["state"], "not_synced");
    assert_eq!(link["sync"], false);
    assert_eq!(link["version"], "0");
}

#[tokio::test]
async fn a_wait_answers_when_the_meeting_synced_not_at_its_deadline() {
    let (w, id) = slow_world(|_| {}).await;
    let link = selected(&w, &id).await;
    assert_eq!(link["state"], "queued");
    let version = link["version"].as_str().unwrap().to_string();
    assert_ne!(version, "0");

    let (link, took) = wait_until_synced(&w.app, &w, &id, version).await;
    assert!(link["salesforce_event_id"].is_string(), "{link}");
    assert!(
        took < Duration::from_secs(20),
        "the wait was answered by the write, not by its 20 s deadline ({took:?})"
    );

    // Unchanged, a wait ends at its deadline with the same version.
    let same = link["version"].as_str().unwrap();
    let started = Instant::now();
    let (status, again) = w
        .rep_call(
            REP_A,
            Method::GET,
            &format!("/api/v1/events/{id}/link?wait=1&after={same}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["version"], same);
    assert!(started.elapsed() >= Duration::from_millis(900), "it waited");
}

#[tokio::test]
async fn waits_are_bounded_per_rep_and_in_length() {
    let (w, id) = slow_world(|_| {}).await;
    let path = format!("/api/v1/events/{id}/link");
    let (status, body) = w
        .rep_call(REP_A, Method::GET, &format!("{path}?wait=26&after=0"), None)
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "wait");

    let waits: Vec<_> = (0..outforce::live::WAITS_PER_REP)
        .map(|_| {
            let client = w.app.client.clone();
            let url = format!("{}{path}?wait=3&after=0", w.app.address);
            let token = w.token(REP_A);
            tokio::spawn(async move {
                client
                    .get(url)
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    crate::eventually::eventually("the waits open", Duration::from_secs(5), || async {
        crate::eventually::when(w.app.state.live.open(), |open| {
            *open == outforce::live::WAITS_PER_REP
        })
    })
    .await;
    let response = w
        .app
        .client
        .get(format!("{}{path}?wait=3&after=0", w.app.address))
        .bearer_auth(w.token(REP_A))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "5");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_waits");
    for wait in waits {
        assert_eq!(wait.await.unwrap(), 200, "the granted waits end normally");
    }
    assert_eq!(w.app.state.live.open(), 0, "every place is given back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_one_instance_wakes_a_wait_on_another() {
    let (url, _) = db::fresh_url(Backend::Postgres).await;
    let mut second = None;
    let (w, id) = slow_world(|loaded| {
        loaded.settings.database.url = Some(secrecy::SecretString::from(url.clone()));
        loaded.database_url = secrecy::SecretString::from(url.clone());
        let mut other = loaded.clone();
        other.settings.http.port = 0;
        // The second instance runs no jobs: the write can only come from the first.
        other.settings.jobs.workers = 0;
        second = Some(other);
    })
    .await;
    let b = spawn_with(second.unwrap(), outforce::startup::registry()).await;

    let link = selected(&w, &id).await;
    let version = link["version"].as_str().unwrap().to_string();
    let (link, took) = wait_until_synced(&b, &w, &id, version).await;
    assert_eq!(link["state"], "synced");
    assert!(
        took < Duration::from_secs(20),
        "woken by the other instance's write ({took:?})"
    );
    b.stop().await;
}
