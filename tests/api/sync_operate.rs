//! Operating the sync: an admin's reset of a rep's sync re-reads everything and writes nothing
//! twice, and the error report groups the tenant's failures by cause with what to do.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use outforce::storage::event_links::{self, LinkState};
use reqwest::Method;
use serde_json::{Value, json};

use crate::eventually::{eventually, when};
use crate::helpers::today_plus;
use crate::world::{REP_A, REP_B, World, key_field, world, world_with};

const MEETINGS: usize = 1000;

impl World {
    /// Each selected meeting's Salesforce Event, by Outlook id.
    async fn events_by_meeting(&self) -> BTreeMap<String, Option<String>> {
        let user = self.user(REP_A).await;
        event_links::all_for_user(&self.app.state.db, &user.id)
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.outlook_event_id, l.salesforce_event_id))
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_and_a_full_rescan_of_1000_synced_meetings_keeps_1000_events_and_every_link() {
    let w = world_with(|loaded| {
        loaded.settings.sync.poll_interval_secs = 3600;
        loaded.settings.sync.sweep_interval_secs = 1;
    })
    .await;
    w.mailbox_by_application(&["Calendars.ReadWrite"]).await;
    // A thousand meetings over the next weeks, selected by the category alone.
    let first = Utc::now().date_naive() + chrono::Duration::days(1);
    for n in 0..MEETINGS {
        let day = first + chrono::Duration::days((n / 60) as i64);
        let at = |minute: usize| {
            json!({
                "dateTime": format!("{day}T{:02}:{:02}:00", 8 + (n / 6) % 10, minute),
                "timeZone": "UTC",
            })
        };
        let event = json!({
            "subject": format!("Account plan {n}"),
            "start": at((n % 6) * 10),
            "end": at((n % 6) * 10 + 5),
            "categories": ["Salesforce"],
        });
        w.graph.create_event(REP_A, event).unwrap();
    }
    w.connect(REP_A).await;
    w.until_links_in(LinkState::Synced, MEETINGS, Duration::from_secs(120))
        .await;
    let before = w.events_by_meeting().await;
    assert_eq!(before.len(), MEETINGS);
    assert!(before.values().all(Option::is_some));
    let writes = w.sf.calls("composite/sobjects");
    let reads = w.graph.calls("event");

    let path = format!("/api/v1/admin/users/{REP_A}/sync/reset");
    let (status, reset) = w.admin(Method::POST, &path, None).await;
    assert_eq!(status, 200, "{reset}");
    assert_eq!(reset["queued"], MEETINGS);

    // The re-scan: every meeting synced again, and a full delta round recorded.
    let user = w.user(REP_A).await;
    let db = &w.app.state.db;
    eventually("the re-scan done", Duration::from_secs(120), || async {
        let round = outforce::storage::mailbox_watches::find(db, &user.id)
            .await
            .unwrap()
            .is_some_and(|watch| watch.delta_link.is_some());
        let left = w.pending_jobs_of("event.sync").await + w.pending_jobs_of("mailbox.poll").await;
        let synced = w.links_in(LinkState::Synced).await;
        when((round, left, synced), |seen| *seen == (true, 0, MEETINGS))
    })
    .await;
    w.until_idle().await;
    assert_eq!(w.links_in(LinkState::Synced).await, MEETINGS);
    assert_eq!(
        w.events_by_meeting().await,
        before,
        "every link keeps its Event"
    );
    let by_subject = w.events_by_subject();
    assert_eq!(by_subject.len(), MEETINGS, "none missing");
    assert!(
        by_subject.values().all(|ids| ids.len() == 1),
        "none doubled"
    );
    assert!(
        w.graph.calls("event") >= reads + MEETINGS as u64,
        "every meeting was read again from Outlook"
    );
    assert_eq!(
        w.sf.calls("composite/sobjects"),
        writes,
        "nothing was written again"
    );
}

impl World {
    /// The pane's link of a meeting as Office.js saw it (no mailbox access needed).
    async fn pane_link(&self, rep: &str, id: &str, subject: &str) {
        let body = json!({
            "who_ids": [],
            "sync": true,
            "meeting": { "subject": subject, "start": today_plus(3, "T10:00:00Z"), "end": today_plus(3, "T11:00:00Z") },
        });
        let path = format!("/api/v1/events/{id}/link");
        let (status, link) = self.rep_call(rep, Method::PUT, &path, Some(body)).await;
        assert_eq!(status, 200, "{link}");
    }
}

#[tokio::test]
async fn the_error_report_groups_the_tenants_failures_by_cause_with_what_to_do() {
    let w = world().await;
    w.connect(REP_A).await;
    w.default_policy(json!({ "direction": "salesforce_to_outlook" }))
        .await;
    w.pane_link(REP_A, "AAMkAD-report_1=", "One").await;
    w.pane_link(REP_A, "AAMkAD-report_2=", "Two").await;
    // REP_B never connected Salesforce: their meeting is parked.
    w.pane_link(REP_B, "AAMkAD-report_3=", "Three").await;

    let report = eventually(
        "three meetings reported",
        Duration::from_secs(5),
        || async {
            let (status, body) = w
                .admin(Method::GET, "/api/v1/admin/sync/errors", None)
                .await;
            assert_eq!(status, 200, "{body}");
            let total: i64 = body["causes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["meetings"].as_i64().unwrap())
                .sum();
            when(body, |_| total == 3)
        },
    )
    .await;
    let causes = report["causes"].as_array().unwrap();
    let seen: Vec<(&str, &str, i64, i64)> = causes
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap(),
                c["state"].as_str().unwrap(),
                c["meetings"].as_i64().unwrap(),
                c["users"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("sync_direction_off", "failed", 2, 1),
            ("salesforce_reconnect_needed", "failed", 1, 1),
        ],
        "{report}"
    );
    assert!(
        causes[1]["advice"]
            .as_str()
            .unwrap()
            .contains("connect again")
    );
    assert_eq!(causes[1]["clears_by_itself"], false);

    let (status, tenant) = w
        .admin(Method::GET, "/api/v1/admin/sync/status", None)
        .await;
    assert_eq!(status, 200, "{tenant}");
    assert_eq!(tenant["reps"], 3, "the two reps and the admin: {tenant}");
    assert_eq!(tenant["failed"], 3);
    assert_eq!(tenant["meetings"]["failed"], 3);
    assert_eq!(tenant["paused"], 0);
}

#[tokio::test]
async fn the_connection_test_tries_salesforce_and_graph_for_a_rep_and_names_what_is_missing() {
    let w = world().await;
    w.connect(REP_A).await;
    let _ = w.me(REP_B).await;
    // The app may read calendars, and only REP_A's mailbox (an application access policy).
    w.mailbox_by_application(&["Calendars.ReadWrite"]).await;

    let (status, a) = w
        .admin(
            Method::POST,
            &format!("/api/v1/admin/users/{REP_A}/check"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["salesforce"]["status"], "ok", "{a}");
    assert_eq!(a["salesforce"]["user_id"], w.sf_user_a.as_str());
    assert_eq!(a["salesforce"]["shared_activities"], false);
    assert_eq!(a["salesforce"]["key_field"], Value::Null);
    assert_eq!(
        a["salesforce"]["recommended"][0]["code"], "key_field_missing",
        "{a}"
    );
    let advice = a["salesforce"]["recommended"][0]["advice"]
        .as_str()
        .unwrap();
    assert!(
        advice.contains("Outforce_Key__c") && advice.contains("External ID"),
        "{advice}"
    );
    assert_eq!(a["graph"]["status"], "limited");
    assert_eq!(a["graph"]["mailbox"]["calendar"], "ok");
    assert_eq!(a["graph"]["mailbox"]["contacts"], "ErrorAccessDenied");

    let (status, b) = w
        .admin(
            Method::POST,
            &format!("/api/v1/admin/users/{REP_B}/check"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["salesforce"]["status"], "error");
    assert_eq!(
        b["salesforce"]["missing"]["code"], "salesforce_not_connected",
        "{b}"
    );
    assert!(
        b["salesforce"]["missing"]["advice"]
            .as_str()
            .unwrap()
            .contains("connect")
    );
    assert_eq!(
        b["graph"]["mailbox"]["calendar"], "ErrorAccessDenied",
        "the access policy leaves REP_B's mailbox out: {b}"
    );

    // The admin adds the field, and checks again: it is seen at once, not an hour later.
    w.sf.add_field(&w.org_id, "Event", key_field()).unwrap();
    let (_, a) = w
        .admin(
            Method::POST,
            &format!("/api/v1/admin/users/{REP_A}/check"),
            None,
        )
        .await;
    assert_eq!(a["salesforce"]["key_field"], "Outforce_Key__c", "{a}");
    assert!(a["salesforce"]["recommended"].is_null(), "{a}");

    let (status, _) = w
        .admin(
            Method::POST,
            "/api/v1/admin/users/00000000-0000-0000-0000-000000000000/check",
            None,
        )
        .await;
    assert_eq!(status, 404);
}
