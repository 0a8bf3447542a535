//! The sync core where it broke when tried as users use it (issue 22): a rep who only uses the
//! pane, twin meetings without the key field, a job that gives up, the pane's view against
//! Outlook's, an event Graph sends that cannot be read, a time zone nobody knows, a meeting
//! that leaves the window, and the API allowance coming back. Each test failed before its fix.

use std::time::Duration;

use outforce::storage::event_links::{self, LinkState};
use outforce_sandbox::entra::OboFailure;
use outforce_sandbox::graph::GraphFault;
use outforce_sandbox::salesforce::faults::Fault;
use reqwest::Method;
use serde_json::{Value, json};

use crate::calendar::{watched, watched_with};
use crate::eventually::{eventually, when};
use crate::helpers::{free_port, today_plus};
use crate::world::{REP_A, World, attendees, world_with};

const COMPOSITE_SOBJECTS: &str = "/services/data/v64.0/composite/sobjects";

impl World {
    /// The pane's `PUT …/link` for the meeting `id`, with its view of the meeting.
    async fn select_with_view(&self, id: &str, view: Value) -> Value {
        let path = format!("/api/v1/events/{id}/link");
        let body = json!({ "who_ids": [], "sync": true, "meeting": view });
        let (status, link) = self.rep_call(REP_A, Method::PUT, &path, Some(body)).await;
        assert_eq!(status, 200, "{link}");
        link
    }

    /// REP_A's link of the Outlook meeting `id`, as stored.
    async fn stored_link(&self, id: &str) -> event_links::EventLink {
        let user = self.user(REP_A).await;
        event_links::find_by_outlook_id(&self.app.state.db, &user.id, id)
            .await
            .unwrap()
            .unwrap()
    }

    /// The org's Events, each with the fields a test compares.
    fn org_events(&self) -> Vec<Value> {
        self.sf
            .query(
                &self.org_id,
                "SELECT Id, Subject, Location, Description, IsAllDayEvent, ActivityDate, \
                 StartDateTime FROM Event WHERE IsChild = false",
            )
            .unwrap()
    }

    /// How many jobs died.
    async fn dead_jobs(&self) -> i64 {
        outforce::storage::jobs::counts(&self.app.state.db)
            .await
            .unwrap()
            .dead
    }
}

/// Defect 0: a rep who only does what the pane does (sign in, connect Salesforce, select a
/// meeting) has their mailbox reached on their behalf and watched, without ever calling
/// `GET /api/v1/graph/connection`; a later Outlook edit reaches Salesforce by notification.
#[tokio::test]
async fn a_rep_who_only_uses_the_pane_is_watched_and_their_outlook_edits_follow() {
    let port = free_port();
    let w = world_with(|loaded| {
        loaded.settings.http.port = port;
        loaded.settings.http.public_url = Some(format!("http://127.0.0.1:{port}"));
        // No poll comes in the test's time: only the watch can carry the edit.
        loaded.settings.sync.poll_interval_secs = 3600;
        loaded.settings.sync.sweep_interval_secs = 1;
    })
    .await;
    w.graph.allow_http_webhooks(true);
    w.graph.set_retry_delays(vec![]);
    let id = w.meeting_in_outlook("Pane only", json!({}));

    // The pane's own steps: its token, Connect Salesforce, the meeting selected.
    assert_eq!(w.me(REP_A).await["graph"]["mode"], "delegated");
    w.connect(REP_A).await;
    w.select_in_pane(&id).await;
    w.link_until(&id, "synced", |l| l["state"] == "synced")
        .await;
    let status = eventually(
        "the rep's calendar was watched and read",
        Duration::from_secs(60),
        || async {
            let (_, status) = w
                .rep_call(REP_A, Method::GET, "/api/v1/sync/status", None)
                .await;
            when(status, |s| {
                s["watched"] == true
                    && s["notified"] == true
                    && !s["last_poll_at"].is_null()
                    && s["mailbox_error"].is_null()
            })
        },
    )
    .await;
    assert_eq!(status["meetings"]["synced"], 1, "{status}");
    assert_eq!(w.me(REP_A).await["graph"]["state"], "connected");
    assert_eq!(
        w.tenant.entra.calls("token"),
        1,
        "one on-behalf-of exchange, whatever the pane's calls"
    );
    w.until_idle().await;

    w.edit_in_outlook(&id, json!({ "location": { "displayName": "Room 42" } }));
    eventually(
        "Salesforce took the Outlook edit",
        Duration::from_secs(10),
        || async {
            when(w.org_events(), |e| {
                e.len() == 1 && e[0]["Location"] == "Room 42"
            })
        },
    )
    .await;
    w.history_until(&id, "ends with the edit a notification told of", |h| {
        h.last().is_some_and(|e| e["seen"] == "notification")
    })
    .await;
}

/// Two meetings alike in owner, subject, start, end and location: the rep's double-booked
/// "Lunch". Without the key field.
async fn twins(w: &World) -> (String, String) {
    let twin = json!({ "location": { "displayName": "Cafeteria" } });
    let y = w.meeting_in_outlook("Lunch", twin.clone());
    let x = w.meeting_in_outlook("Lunch", twin);
    (x, y)
}

/// Each twin's link names an Event of its own, and the org holds exactly those.
async fn one_event_each(w: &World, x: &str, y: &str) {
    let (x_link, y_link) = (w.stored_link(x).await, w.stored_link(y).await);
    let (x_event, y_event) = (
        x_link.salesforce_event_id.clone().unwrap(),
        y_link.salesforce_event_id.clone().unwrap(),
    );
    assert_ne!(x_event, y_event, "no link claims another's Event");
    let mut held: Vec<String> = w
        .org_events()
        .iter()
        .map(|e| e["Id"].as_str().unwrap().to_string())
        .collect();
    held.sort();
    let mut named = vec![x_event, y_event];
    named.sort();
    assert_eq!(held, named, "one Event per meeting, none left unnamed");
    assert_eq!(w.dead_jobs().await, 0);
}

/// Defect 0, under Conditional Access: the background grant is refused with a claims
/// challenge, which `/me` hands to the pane (the calendar not followed); the token the rep gets
/// by signing in again gives the grant with its first call, and the calendar is followed.
#[tokio::test]
async fn a_claims_challenge_on_the_background_grant_reaches_the_pane_and_the_next_token_clears_it()
{
    let w = world_with(|_| {}).await;
    let claims = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;
    let failure = OboFailure::InteractionRequired {
        claims: claims.into(),
    };
    w.tenant.entra.set_obo_failure(REP_A, Some(failure));
    let me = eventually(
        "the pane is asked to sign in again",
        Duration::from_secs(10),
        || async { when(w.me(REP_A).await, |m| m["graph"]["claims"] == claims) },
    )
    .await;
    assert_eq!(me["graph"]["watched"], false, "{me}");
    assert_eq!(me["graph"]["error"], "graph_interaction_required", "{me}");

    w.tenant.entra.set_obo_failure(REP_A, None);
    eventually(
        "the calendar followed with the new token",
        Duration::from_secs(10),
        || async {
            when(w.me(REP_A).await, |m| {
                m["graph"]["watched"] == true && m["graph"]["claims"].is_null()
            })
        },
    )
    .await;
}

/// Found by the sync benchmark: a tenant's admin switches Graph access from delegated to
/// application after a rep's calendar was read with the rep's own grant. The round's stored
/// delta link names the signed-in user (`/me`), which an application token cannot follow
/// (Graph answers 400): the next round reads the window afresh instead of failing again and
/// again (and holding every later round of the mailbox behind it).
#[tokio::test]
async fn a_switch_to_application_access_reads_the_calendar_afresh() {
    let w = world_with(|loaded| loaded.settings.sync.poll_interval_secs = 3600).await;
    w.connect(REP_A).await;
    // The pane's call gives the delegated grant; the first round reads as the rep.
    let _ = w.me(REP_A).await;
    let link = eventually(
        "a round read as the rep",
        Duration::from_secs(10),
        || async { w.delta_link().await.ok_or("no round yet") },
    )
    .await;
    assert!(link.contains("/me/"), "{link}");

    w.mailbox_by_application(&["Calendars.ReadWrite"]).await;
    let id = w.meeting_in_outlook("Tagged", json!({ "categories": ["Salesforce"] }));
    w.poll_now().await;
    w.events_until("took the tagged meeting", |e| e.len() == 1)
        .await;
    let link = w.delta_link().await.unwrap();
    assert!(!link.contains("/me/"), "read afresh by application: {link}");
    let link_state = w
        .link_until(&id, "synced", |l| l["state"] == "synced")
        .await;
    assert_eq!(link_state["state"], "synced");
}

/// Defect 1: X's create is saved by Salesforce but its answer is lost (a crash between the
/// save and its record looks the same to the retry), while its twin Y is synced already: the
/// retry finds X's own Event, never Y's, and never creates a third.
#[tokio::test]
async fn a_twins_create_whose_answer_was_lost_finds_its_own_event_never_its_twins() {
    let w = watched_with(3600, false, |loaded| {
        loaded.settings.sync.transient_retry_secs = 1;
    })
    .await;
    let (x, y) = twins(&w).await;
    w.select_in_pane(&y).await;
    w.link_until(&y, "synced", |l| l["state"] == "synced").await;
    w.sf.script_faults(COMPOSITE_SOBJECTS, vec![Fault::LostAnswer]);
    w.select_in_pane(&x).await;
    w.link_until(&x, "synced", |l| l["state"] == "synced").await;
    w.until_idle().await;
    one_event_each(&w, &x, &y).await;
    let created: Vec<Value> = w
        .history(&x)
        .await
        .into_iter()
        .filter(|e| e["action"] == "created")
        .collect();
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(
        created[0]["found_again"], true,
        "written by the attempt whose answer was lost"
    );
}

/// Defect 1: X's create meets a passing 503 while its twin Y is synced: the retry does not take
/// Y's Event for X's (which used to end in a dead job and a link saying it would recover).
#[tokio::test]
async fn a_twins_create_that_met_a_503_writes_its_own_event() {
    let w = watched_with(3600, false, |loaded| {
        loaded.settings.sync.transient_retry_secs = 1;
    })
    .await;
    let (x, y) = twins(&w).await;
    w.select_in_pane(&y).await;
    w.link_until(&y, "synced", |l| l["state"] == "synced").await;
    w.sf.script_faults(COMPOSITE_SOBJECTS, vec![Fault::Unavailable]);
    w.select_in_pane(&x).await;
    w.link_until(&x, "synced", |l| l["state"] == "synced").await;
    w.until_idle().await;
    one_event_each(&w, &x, &y).await;
}

/// Twins both in flight, both answers lost: each takes one of the two Events.
#[tokio::test]
async fn twins_whose_answers_were_both_lost_take_one_event_each() {
    let w = watched_with(3600, false, |loaded| {
        loaded.settings.sync.transient_retry_secs = 1;
        // A create left by another run counts as in flight no longer than a lease.
        loaded.settings.jobs.lease_secs = 3;
    })
    .await;
    let (x, y) = twins(&w).await;
    // Whether one call carries both creates or each its own, every answer is lost.
    w.sf.script_faults(
        COMPOSITE_SOBJECTS,
        vec![Fault::LostAnswer, Fault::LostAnswer],
    );
    w.select_in_pane(&x).await;
    w.select_in_pane(&y).await;
    w.link_until(&x, "synced", |l| l["state"] == "synced").await;
    w.link_until(&y, "synced", |l| l["state"] == "synced").await;
    w.until_idle().await;
    one_event_each(&w, &x, &y).await;
}

/// When Salesforce holds more Events like an interrupted create than it has twins, which is
/// its own cannot be told without the key field: the link fails saying so, and the admin's
/// report says what to do; nothing is guessed.
#[tokio::test]
async fn an_interrupted_create_that_cannot_be_told_apart_fails_and_says_to_add_the_key_field() {
    let w = watched_with(3600, false, |loaded| {
        loaded.settings.sync.transient_retry_secs = 1;
    })
    .await;
    let id = w.meeting_in_outlook(
        "Lunch",
        json!({ "location": { "displayName": "Cafeteria" } }),
    );
    w.sf.script_faults(COMPOSITE_SOBJECTS, vec![Fault::LostAnswer]);
    w.select_in_pane(&id).await;
    // Meanwhile someone logs the same lunch in Salesforce by hand.
    let when_ = today_plus(2, "T15:00:00.000+0000");
    let end = today_plus(2, "T16:00:00.000+0000");
    w.sf.create_record(
        &w.org_id,
        "Event",
        json!({ "Subject": "Lunch", "Location": "Cafeteria", "StartDateTime": when_,
                "EndDateTime": end, "OwnerId": w.sf_user_a }),
    )
    .unwrap();
    let link = w
        .link_until(&id, "failed", |l| l["state"] == "failed")
        .await;
    assert_eq!(link["error"], "earlier_write_ambiguous", "{link}");
    assert_eq!(
        w.org_events().len(),
        2,
        "nothing guessed, nothing written again"
    );
    let (_, report) = w
        .admin(Method::GET, "/api/v1/admin/sync/errors", None)
        .await;
    let cause = &report["causes"][0];
    assert_eq!(cause["code"], "earlier_write_ambiguous", "{report}");
    assert_eq!(cause["clears_by_itself"], false);
    assert!(cause["advice"].as_str().unwrap().contains("key field"));
}

/// A job that gives up (a failure no retry mends, every attempt) leaves its link saying so:
/// not queued, not "retries on its own".
#[tokio::test]
async fn a_dead_jobs_link_says_the_sync_gave_up_and_the_report_promises_nothing() {
    let w = watched_with(3600, false, |loaded| {
        loaded.settings.jobs.max_attempts = 2;
        loaded.settings.jobs.backoff_base_secs = 0;
    })
    .await;
    let id = w.meeting_in_outlook("Doomed", json!({}));
    // Salesforce refuses every describe of Event (a 400 no retry mends).
    w.sf.script_faults(
        "/services/data/v64.0/sobjects/Event/describe",
        vec![Fault::DuplicatesDetected; 10],
    );
    w.select_in_pane(&id).await;
    let link = w
        .link_until(&id, "said the sync gave up", |l| l["state"] == "failed")
        .await;
    assert_eq!(link["error"], "sync_gave_up", "{link}");
    assert_eq!(w.dead_jobs().await, 1);
    let (_, status) = w
        .rep_call(REP_A, Method::GET, "/api/v1/sync/status", None)
        .await;
    assert_eq!(status["meetings"]["queued"], 0, "{status}");
    assert_eq!(status["meetings"]["failed"], 1, "{status}");
    let (_, report) = w
        .admin(Method::GET, "/api/v1/admin/sync/errors", None)
        .await;
    let cause = &report["causes"][0];
    assert_eq!(cause["code"], "sync_gave_up", "{report}");
    assert_eq!(cause["state"], "failed");
    assert_eq!(cause["clears_by_itself"], false);
    let history = w.history(&id).await;
    assert_eq!(history.last().unwrap()["action"], "gave_up", "{history:?}");
}

/// Defect 2: the pane's view (of a host without Mailbox 1.11: no all-day flag it can trust, no
/// location, and a subject the organizer is still typing) never stands against Outlook's own:
/// a location the pane did not send is never blanked, an all-day meeting never becomes a timed
/// one, and the next read of Outlook puts Outlook's subject back.
#[tokio::test]
async fn the_panes_view_fills_only_what_it_knows_and_outlook_wins_at_the_next_read() {
    let w = watched_with(3600, false, |loaded| {
        loaded.settings.sync.pane_confirm_secs = 1;
    })
    .await;
    let first = today_plus(3, "");
    let after = today_plus(4, "");
    let id = w.meeting_in_outlook(
        "Offsite",
        json!({
            "isAllDay": true,
            "start": { "dateTime": format!("{first}T00:00:00"), "timeZone": "UTC" },
            "end": { "dateTime": format!("{after}T00:00:00"), "timeZone": "UTC" },
        }),
    );
    // Outlook's last change is a moment older than the pane's view.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    w.select_with_view(
        &id,
        json!({
            "subject": "Offsite (draft)",
            "start": format!("{first}T00:00:00Z"),
            "end": format!("{after}T00:00:00Z"),
            "all_day": false,
        }),
    )
    .await;
    let events = eventually(
        "Outlook's own meeting stood in Salesforce",
        Duration::from_secs(15),
        || async {
            when(w.org_events(), |e| {
                e.len() == 1 && e[0]["Subject"] == "Offsite"
            })
        },
    )
    .await;
    let event = &events[0];
    assert_eq!(
        event["Location"], "Room 1",
        "never blanked by a view without one"
    );
    assert_eq!(event["IsAllDayEvent"], true, "never a timed 24-hour Event");
    assert_eq!(event["ActivityDate"], first);
    w.history_until(
        &id,
        "says the write that used the pane's view was checked against Outlook",
        |h| h.iter().any(|e| e["seen"] == "confirm"),
    )
    .await;
}

/// Defect 3: an Outlook event Graph sends in a form that cannot be read is an error, never
/// "gone from Outlook": the Salesforce → Outlook read does not move its cursor past the change
/// it could not carry out, and carries it out once Graph answers well again.
#[tokio::test]
async fn an_event_graph_sends_unreadable_does_not_move_the_salesforce_cursor() {
    let w = watched_with(3600, false, |loaded| {
        loaded.settings.jobs.backoff_base_secs = 1;
    })
    .await;
    w.default_policy(json!({ "direction": "both" })).await;
    let id = w.synced_meeting("Kickoff").await;
    w.until_idle().await;
    let event = w.salesforce_events()[0]["Id"].as_str().unwrap().to_string();
    w.read_salesforce_now().await;
    w.until_idle().await;
    let user = w.user(REP_A).await;
    let cursor = || async {
        outforce::storage::mailbox_watches::find(&w.app.state.db, &user.id)
            .await
            .unwrap()
            .unwrap()
            .salesforce_cursor
    };
    let before = cursor().await;
    w.sf.update_record(
        &w.org_id,
        &event,
        json!({ "Subject": "Kickoff (Salesforce)" }),
    )
    .unwrap();
    let path = format!("/v1.0/users/{REP_A}/events/{id}");
    let reads = w.graph.calls("event");
    w.graph.script_faults(&path, vec![GraphFault::Malformed]);
    w.read_salesforce_now().await;
    eventually(
        "the read met the unreadable event",
        Duration::from_secs(10),
        || async { when(w.graph.calls("event"), |now| *now > reads) },
    )
    .await;
    let failed = eventually("the read failed", Duration::from_secs(10), || async {
        let counts = outforce::storage::jobs::counts(&w.app.state.db)
            .await
            .unwrap();
        when(counts, |c| c.pending > 0 && c.running == 0)
    })
    .await;
    assert!(failed.dead == 0, "{failed:?}");
    assert_eq!(
        cursor().await,
        before,
        "not moved past a change never carried out"
    );
    // Graph answers well again: the job's retry carries the change out.
    eventually(
        "Outlook took Salesforce's change",
        Duration::from_secs(30),
        || async {
            let (_, outlook) = w
                .graph
                .as_owner(REP_A, "GET", &format!("events/{id}"), None)
                .unwrap();
            when(outlook, |o| o["subject"] == "Kickoff (Salesforce)")
        },
    )
    .await;
    eventually(
        "the cursor moved past the change",
        Duration::from_secs(10),
        || async { when(cursor().await, |now| *now != before) },
    )
    .await;
}

/// Defect 4: a meeting in a zone nobody knows fails with its own code, never lands in UTC.
#[tokio::test]
async fn a_meeting_in_a_zone_nobody_knows_fails_with_its_code() {
    let w = watched(3600, false).await;
    // Saved a moment ago, not in Graph yet: the pane's view is all there is.
    let link = w
        .select_with_view(
            "AAMkADk0-not-in-graph-yet=",
            json!({
                "subject": "Board day",
                "start": today_plus(3, "T07:00:00Z"),
                "end": today_plus(4, "T07:00:00Z"),
                "all_day": true,
                "time_zone": "Mars Standard Time",
            }),
        )
        .await;
    assert_eq!(link["state"], "queued");
    let link = w
        .link_until("AAMkADk0-not-in-graph-yet=", "failed", |l| {
            l["state"] == "failed"
        })
        .await;
    assert_eq!(link["error"], "unknown_time_zone", "{link}");
    assert!(w.org_events().is_empty(), "no date guessed in UTC");
    let history = w.history("AAMkADk0-not-in-graph-yet=").await;
    assert_eq!(history.last().unwrap()["time_zone"], "Mars Standard Time");
}

/// Defect 9: a configuration that puts a synced meeting outside its window deletes nothing,
/// says so in the meeting's history, and stops syncing it: a later Outlook edit does not reach
/// Salesforce.
#[tokio::test]
async fn a_meeting_pushed_out_of_the_window_says_so_and_stops_syncing() {
    let w = watched(3600, false).await;
    let id = w.synced_meeting("Planning").await;
    w.until_idle().await;
    let config = json!({ "name": "Today only", "is_default": true,
                         "settings": { "window_days_back": 0, "window_days_ahead": 1 } });
    let (status, body) = w
        .admin(Method::POST, "/api/v1/admin/sync-configs", Some(config))
        .await;
    assert_eq!(status, 201, "{body}");
    w.poll_now().await;
    let link = w
        .link_until(&id, "left the sync", |l| l["error"] == "outside_window")
        .await;
    assert_eq!(link["state"], "not_synced", "{link}");
    let history = w.history(&id).await;
    let left = history.last().unwrap();
    assert_eq!(left["action"], "left_scope", "{history:?}");
    assert_eq!(left["because"], "outside_window");
    assert_eq!(w.salesforce_events().len(), 1, "its Event stays");

    w.edit_in_outlook(&id, json!({ "subject": "Planning (moved)" }));
    w.poll_now().await;
    w.until_idle().await;
    assert_eq!(
        w.salesforce_events()[0]["Subject"],
        "Planning",
        "an edit outside the window stays in Outlook"
    );
    assert_eq!(w.stored_link(&id).await.state, LinkState::Removed);
}

/// Defect 10: while the org's API allowance is spent, the rep's status says the sync is paused
/// for it; once the allowance comes back, the sync resumes within the recheck interval (a
/// minute by default), not five minutes after the pause began.
#[tokio::test]
async fn a_restored_allowance_resumes_the_sync_and_the_pause_shows_meanwhile() {
    let w = watched_with(3600, false, |loaded| {
        loaded.settings.sync.paused_recheck_secs = 2;
    })
    .await;
    let id = w.meeting_in_outlook("Budget", json!({}));
    w.sf.set_api_remaining(&w.org_id, 100);
    // A call that reads the usage: the org is nearly out.
    let (status, _) = w
        .rep_call(REP_A, Method::GET, "/api/v1/salesforce/connection", None)
        .await;
    assert_eq!(status, 200);
    w.select_in_pane(&id).await;
    let link = w
        .link_until(&id, "waited for the allowance", |l| {
            l["error"] == "salesforce_api_budget_paused"
        })
        .await;
    assert_eq!(link["state"], "queued");
    let (_, status) = w
        .rep_call(REP_A, Method::GET, "/api/v1/sync/status", None)
        .await;
    assert_eq!(
        status["paused"]["code"], "salesforce_api_budget_paused",
        "{status}"
    );
    assert_eq!(status["paused"]["meetings"], 1);

    w.sf.set_api_remaining(&w.org_id, 100_000);
    let started = std::time::Instant::now();
    w.link_until(&id, "synced once the allowance came back", |l| {
        l["state"] == "synced"
    })
    .await;
    assert!(started.elapsed() < Duration::from_secs(10));
    let (_, status) = w
        .rep_call(REP_A, Method::GET, "/api/v1/sync/status", None)
        .await;
    assert!(status["paused"].is_null(), "{status}");
}

/// Defect 8, as a rep meets it: both ways, a meeting with a customer (so Outlook is never
/// changed from Salesforce); the rep's notes typed in Salesforce survive a later change of
/// only the location in Outlook, and the history says only the location changed.
#[tokio::test]
async fn notes_typed_in_salesforce_survive_a_later_outlook_change() {
    let w = watched(3600, false).await;
    w.default_policy(json!({ "direction": "both" })).await;
    let id = w.meeting_in_outlook("Renewal", attendees(&["ann@acme.example"]));
    w.select_in_pane(&id).await;
    w.link_until(&id, "synced", |l| l["state"] == "synced")
        .await;
    w.until_idle().await;
    let event = w.salesforce_events()[0]["Id"].as_str().unwrap().to_string();
    w.sf.update_record(
        &w.org_id,
        &event,
        json!({ "Description": "Ann wants a discount" }),
    )
    .unwrap();
    w.read_salesforce_now().await;
    w.until_idle().await;
    w.edit_in_outlook(&id, json!({ "location": { "displayName": "Room 7" } }));
    w.poll_now().await;
    let events = eventually(
        "Salesforce took the new location",
        Duration::from_secs(10),
        || async { when(w.org_events(), |e| e[0]["Location"] == "Room 7") },
    )
    .await;
    w.until_idle().await;
    let events = if events[0]["Description"].is_null() {
        w.org_events()
    } else {
        events
    };
    assert_eq!(
        events[0]["Description"], "Ann wants a discount",
        "the notes stay"
    );
    let history = w.history(&id).await;
    let update = history
        .iter()
        .rev()
        .find(|e| e["action"] == "updated")
        .unwrap();
    assert_eq!(update["changed"], json!(["Location"]), "{history:?}");
    w.assert_nothing_mailed_by_outforce();
}

/// Defect 6: Graph may notify of a change before it has answered the creation of the
/// subscription that notifies: such a notification is believed (by the clientState we are
/// giving that subscription) and applied, not dropped as from a subscription nobody knows.
#[tokio::test]
async fn a_notification_that_comes_before_its_subscription_is_recorded_is_applied() {
    let port = free_port();
    let w = world_with(|loaded| {
        loaded.settings.http.port = port;
        loaded.settings.http.public_url = Some(format!("http://127.0.0.1:{port}"));
        loaded.settings.sync.poll_interval_secs = 3600;
    })
    .await;
    w.graph.allow_http_webhooks(true);
    w.graph.set_retry_delays(vec![]);
    w.graph.delay_subscription_answers(Duration::from_secs(3));
    w.mailbox_by_application(&["Calendars.ReadWrite"]).await;
    let id = w.meeting_in_outlook("Standup", json!({}));
    w.connect(REP_A).await;
    w.select_in_pane(&id).await;
    w.link_until(&id, "synced", |l| l["state"] == "synced")
        .await;
    let user = w.user(REP_A).await;
    // The first round is done; Graph has made the subscription and not answered yet.
    eventually(
        "Graph made the subscription, unanswered",
        Duration::from_secs(10),
        || async {
            let watch = outforce::storage::mailbox_watches::find(&w.app.state.db, &user.id)
                .await
                .unwrap()
                .unwrap();
            let made = w.graph.subscription_ids();
            when(
                (watch.last_poll_at, watch.subscription_id, made),
                |(polled, ours, made)| polled.is_some() && ours.is_none() && made.len() == 1,
            )
        },
    )
    .await;
    w.edit_in_outlook(&id, json!({ "subject": "Standup (moved)" }));
    eventually(
        "Salesforce took the edit Graph told of early",
        Duration::from_secs(10),
        || async {
            when(w.salesforce_events(), |e| {
                e.first().is_some_and(|e| e["Subject"] == "Standup (moved)")
            })
        },
    )
    .await;
    let delivered = w.graph.deliveries();
    assert!(!delivered.is_empty(), "Graph notified");
    w.history_until(&id, "ends with the edit Graph told of early", |h| {
        h.last().is_some_and(|e| e["seen"] == "notification")
    })
    .await;
}
