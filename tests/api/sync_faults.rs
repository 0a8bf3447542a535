//! The sync under a failing Salesforce and a throttling Graph: a fifth of Salesforce's answers
//! are errors, timeouts, ended sessions or dropped connections, a tenth of Graph's are 429s,
//! and still every meeting arrives exactly once; and a Graph failing in passing is waited out,
//! never answered by writing the pane's partial view of a meeting.

use std::time::Duration;

use outforce::storage::event_links::{self, LinkState};
use outforce_sandbox::graph::GraphFault;
use outforce_sandbox::salesforce::faults::Fault;
use reqwest::Method;
use serde_json::json;

use crate::calendar::watched_with;
use crate::helpers::{day, free_port, today_plus};
use crate::world::{REP_A, world_with};

const MEETINGS: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_fifth_of_salesforce_calls_failing_and_graph_throttling_every_meeting_arrives_once()
{
    let port = free_port();
    let w = world_with(|loaded| {
        loaded.settings.http.port = port;
        loaded.settings.http.public_url = Some(format!("http://127.0.0.1:{port}"));
        loaded.settings.sync.transient_retry_secs = 1;
        // A call that takes longer is given up: the answer is lost, the write may be done.
        loaded.settings.outbound.timeout_secs = 1;
    })
    .await;
    w.graph.allow_http_webhooks(true);
    w.mailbox_by_application(&["Calendars.ReadWrite"]).await;
    w.connect(REP_A).await;
    let ids: Vec<String> = (0..MEETINGS)
        .map(|n| {
            let at = |minute: usize| {
                json!({
                    "dateTime": today_plus(day(n / 60) - 3, &format!("T{:02}:{:02}:00", 8 + (n / 6) % 10, minute)),
                    "timeZone": "W. Europe Standard Time",
                })
            };
            let event = json!({
                "subject": format!("Weathered {n}"),
                "start": at((n % 6) * 10),
                "end": at((n % 6) * 10 + 5),
            });
            w.graph.create_event(REP_A, event).unwrap()
        })
        .collect();

    w.sf.randomize_faults(
        13,
        0.2,
        vec![
            Fault::Unavailable,
            Fault::InternalError,
            Fault::UnableToLockRow,
            Fault::InvalidSession,
            Fault::DroppedConnection,
            Fault::Latency(Duration::from_millis(1500)),
        ],
    );
    w.graph
        .randomize_faults(14, 0.1, vec![GraphFault::Throttled(0.2)]);
    for id in &ids {
        let path = format!("/api/v1/events/{id}/link");
        let body = json!({ "who_ids": [], "sync": true });
        let (status, link) = w.rep_call(REP_A, Method::PUT, &path, Some(body)).await;
        assert_eq!(status, 200, "{link}");
    }

    w.until_links_in(LinkState::Synced, MEETINGS, Duration::from_secs(300))
        .await;
    let user = w.user(REP_A).await;
    let db = &w.app.state.db;
    w.sf.clear_faults();
    w.graph.clear_faults();

    let by_subject = w.events_by_subject();
    assert_eq!(by_subject.len(), MEETINGS, "none missing");
    let doubled: Vec<_> = by_subject.values().filter(|ids| ids.len() > 1).collect();
    assert!(doubled.is_empty(), "written twice: {doubled:?}");
    for (n, id) in ids.iter().enumerate() {
        let link = event_links::find_by_outlook_id(db, &user.id, id)
            .await
            .unwrap()
            .unwrap();
        let event = link.salesforce_event_id.unwrap();
        assert_eq!(
            by_subject[&format!("Weathered {n}")],
            std::slice::from_ref(&event),
            "meeting {n}'s link names its own Event"
        );
    }
    let dead: Vec<_> = outforce::storage::jobs::list_dead(db, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|job| (job.kind, job.attempts, job.last_error))
        .collect();
    assert!(dead.is_empty(), "no job given up: {dead:?}");
}

#[tokio::test]
async fn a_mailbox_failing_in_passing_makes_the_sync_read_again_not_write_the_panes_view() {
    let w = watched_with(3600, false, |loaded| {
        loaded.settings.sync.transient_retry_secs = 1;
    })
    .await;
    w.default_policy(json!({ "private": "skip" })).await;
    let id = w.meeting_in_outlook("Acquisition talks", json!({ "sensitivity": "private" }));
    // The pane's view of the meeting says nothing of its privacy, body or free/busy.
    w.graph.script_faults(
        &format!("/v1.0/users/{REP_A}/events"),
        vec![GraphFault::InternalError, GraphFault::InternalError],
    );
    let meeting = json!({
        "subject": "Acquisition talks",
        "start": today_plus(2, "T15:00:00Z"),
        "end": today_plus(2, "T16:00:00Z"),
    });
    let body = json!({ "who_ids": [], "sync": true, "meeting": meeting });
    let path = format!("/api/v1/events/{id}/link");
    let (status, link) = w.rep_call(REP_A, Method::PUT, &path, Some(body)).await;
    assert_eq!(status, 200, "{link}");

    let waiting = w
        .link_until(&id, "said it waits for Graph", |link| {
            link["error"] == "graph_unavailable"
        })
        .await;
    assert_eq!(waiting["state"], "queued", "waiting, not failed");
    let done = w
        .link_until(&id, "read it from Graph", |link| link["state"] == "failed")
        .await;
    assert_eq!(done["error"], "private", "{done}");
    assert!(
        w.salesforce_events().is_empty(),
        "the private meeting never left the mailbox"
    );
    let counts = outforce::storage::jobs::counts(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(counts.dead, 0, "no job given up: {counts:?}");
}

#[tokio::test]
async fn a_meeting_neither_graph_nor_the_pane_shows_fails_and_says_so() {
    let w = watched_with(3600, false, |_| {}).await;
    // Not in the mailbox (deleted before the sync ever saw it), and no view from the pane.
    w.select_in_pane("AAMkADk0-never-in-the-mailbox=").await;
    let link = w
        .link_until("AAMkADk0-never-in-the-mailbox=", "gave up on it", |link| {
            link["state"] == "failed"
        })
        .await;
    assert_eq!(link["error"], "outlook_unreadable", "{link}");
    let history = w.history("AAMkADk0-never-in-the-mailbox=").await;
    let last = history.last().unwrap();
    assert_eq!(last["action"], "skipped", "{history:?}");
    assert_eq!(last["because"], "outlook_unreadable", "{history:?}");
    assert!(w.salesforce_events().is_empty());
}
