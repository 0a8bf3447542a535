//! The `event.sync` job from the pane's selection to one Salesforce Event: written within
//! seconds, updated in place, deleted when unselected, never twice (rules 2 and 3).

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::eventually::{eventually, when};
use crate::helpers::today_plus;
use crate::world::{REP_A, World, world};

const MEETING: &str = "AAMkADk0-sync_1=";

impl World {
    /// Sends the pane's link for `id`; the link as stored.
    async fn send_link(&self, id: &str, body: Value) -> Value {
        let path = format!("/api/v1/events/{id}/link");
        let (status, link) = self.rep_call(REP_A, Method::PUT, &path, Some(body)).await;
        assert_eq!(status, 200, "{link}");
        link
    }

    async fn put_meeting(&self, subject: &str, start: &str, end: &str, who: &[&str]) -> Value {
        let body = json!({
            "who_ids": who,
            "what_id": null,
            "sync": true,
            "meeting": {
                "subject": subject,
                "start": start,
                "end": end,
                "time_zone": "Pacific Standard Time",
                "location": "Room 4",
                "attendees": [{ "email": "jane@acme.example", "name": "Jane Doe" }],
            },
        });
        self.send_link(MEETING, body).await
    }

    /// The pane's meeting at the usual hour (Dec 5, 17:00 to 18:00 UTC), related to nobody.
    async fn put_plain_meeting(&self, subject: &str) -> Value {
        self.put_meeting(
            subject,
            &today_plus(-1, "T17:00:00Z"),
            &today_plus(-1, "T18:00:00Z"),
            &[],
        )
        .await
    }

    /// The link of `id` once its state is `want`.
    async fn settled_link(&self, id: &str, want: &str) -> Value {
        self.link_until(id, &format!("became {want}"), |link| link["state"] == want)
            .await
    }

    /// The pane's meeting once its state is `want`.
    async fn settled(&self, want: &str) -> Value {
        self.settled_link(MEETING, want).await
    }

    fn events(&self) -> Vec<Value> {
        self.sf
            .query(
                &self.org_id,
                "SELECT Id, Subject, StartDateTime, EndDateTime, OwnerId, Location, WhoId FROM Event",
            )
            .unwrap()
    }
}

#[tokio::test]
async fn a_selected_meeting_becomes_one_salesforce_event_updated_in_place() {
    let w = world().await;
    w.connect(REP_A).await;
    let jane = w.seed(
        "Contact",
        json!({ "LastName": "Doe", "Email": "jane@acme.example" }),
    );
    w.put_meeting(
        "Quarterly review",
        &today_plus(-3, "T17:00:00Z"),
        &today_plus(-3, "T18:00:00Z"),
        &[&jane],
    )
    .await;
    let link = w.settled("synced").await;
    let events = w.events();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(link["salesforce_event_id"], event["Id"]);
    assert_eq!(event["Subject"], "Quarterly review");
    assert_eq!(event["StartDateTime"], today_plus(-3, "T17:00:00.000+0000"));
    assert_eq!(
        event["OwnerId"],
        w.sf_user_a.as_str(),
        "owned by the rep's Salesforce user"
    );
    assert_eq!(
        event["WhoId"],
        jane.as_str(),
        "the org has no Shared Activities: one WhoId"
    );

    // Moved in Outlook: the same Event moves.
    w.put_meeting(
        "Quarterly review",
        &today_plus(-2, "T17:00:00Z"),
        &today_plus(-2, "T18:30:00Z"),
        &[&jane],
    )
    .await;
    let moved = w.settled("synced").await;
    assert_eq!(moved["salesforce_event_id"], link["salesforce_event_id"]);
    let events = w.events();
    assert_eq!(events.len(), 1, "updated, not created again");
    assert_eq!(
        events[0]["EndDateTime"],
        today_plus(-2, "T18:30:00.000+0000")
    );
}

#[tokio::test]
async fn unselecting_deletes_the_event_and_selecting_again_writes_one() {
    let w = world().await;
    w.connect(REP_A).await;
    w.put_meeting(
        "Intro call",
        &today_plus(-3, "T17:00:00Z"),
        &today_plus(-3, "T17:30:00Z"),
        &[],
    )
    .await;
    w.settled("synced").await;
    let (status, _) = w
        .rep_call(
            REP_A,
            Method::DELETE,
            &format!("/api/v1/events/{MEETING}/link"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    eventually("the Event deleted", Duration::from_secs(5), || async {
        when(w.events(), |e| e.is_empty())
    })
    .await;
    w.put_meeting(
        "Intro call",
        &today_plus(-3, "T17:00:00Z"),
        &today_plus(-3, "T17:30:00Z"),
        &[],
    )
    .await;
    w.settled("synced").await;
    assert_eq!(w.events().len(), 1, "one Event, not two");
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_finds_the_event_instead_of_writing_a_second() {
    // A worker that wrote the Event but died before recording its Id left the intent behind:
    // the next attempt finds the Event by owner, start and subject.
    let w = world().await;
    w.connect(REP_A).await;
    w.put_plain_meeting("Pricing").await;
    let first = w.settled("synced").await;
    let user = w.user(REP_A).await;
    let db = &w.app.state.db;
    let link = outforce::storage::event_links::find_by_outlook_id(db, &user.id, MEETING)
        .await
        .unwrap()
        .unwrap();
    // As if the Id had never been recorded: the intent stays, the Event exists.
    outforce::storage::event_links::outcome::forget_salesforce_event(
        db,
        &link.id,
        None,
        None,
        outforce::storage::now(),
    )
    .await
    .unwrap();
    outforce::storage::event_links::outcome::record_write_intent(
        db,
        &link.id,
        "lost",
        outforce::storage::now(),
    )
    .await
    .unwrap();
    w.put_plain_meeting("Pricing").await;
    let again = w.settled("synced").await;
    assert_eq!(
        again["salesforce_event_id"], first["salesforce_event_id"],
        "found, not created"
    );
    assert_eq!(w.events().len(), 1);
}

#[tokio::test]
async fn a_rep_without_salesforce_is_parked_and_synced_once_connected() {
    let w = world().await;
    w.put_plain_meeting("Waiting").await;
    let link = w.settled("failed").await;
    assert_eq!(link["error"], "salesforce_reconnect_needed");
    assert!(w.events().is_empty());

    assert_eq!(w.connect(REP_A).await, "connected");
    let synced = w.settled("synced").await;
    assert!(
        synced["salesforce_event_id"].is_string(),
        "nothing dropped: {synced}"
    );
    assert_eq!(w.events().len(), 1);
}

#[tokio::test]
async fn a_refused_refresh_mid_sync_parks_the_link_until_the_rep_reconnects() {
    let w = world().await;
    w.connect(REP_A).await;
    // Salesforce ends the session and refuses the refresh token (a revoked connected app).
    w.sf.expire_sessions(&w.sf_user_a);
    w.sf.revoke_refresh_tokens(&w.sf_user_a);
    w.put_plain_meeting("Revoked").await;
    // The pane says "reconnect" as soon as the connection is marked; the link is parked a
    // moment later, by the same job.
    let parked = w
        .link_until(MEETING, "was parked", |link| {
            link["error"] == "salesforce_reconnect_needed"
        })
        .await;
    assert_eq!(parked["state"], "reconnect_needed");
    assert!(w.events().is_empty());

    assert_eq!(w.connect(REP_A).await, "connected");
    w.settled("synced").await;
    assert_eq!(w.events().len(), 1, "resumed, written once");
}

#[tokio::test]
async fn an_org_almost_out_of_api_calls_pauses_the_sync_which_finishes_once_it_recovers() {
    let w = crate::world::world_with(|loaded| loaded.settings.sync.paused_recheck_secs = 1).await;
    w.connect(REP_A).await;
    // 1 % of the allowance left, as every response now says.
    w.sf.set_api_remaining(&w.org_id, 1_000);
    let (status, _) = w
        .rep_call(
            REP_A,
            Method::POST,
            "/api/v1/matches",
            Some(json!({ "attendees": [{ "email": "someone@acme.example" }] })),
        )
        .await;
    assert_eq!(status, 200);
    w.put_plain_meeting("Budget").await;
    let waiting = w
        .link_until(MEETING, "waited for the allowance", |link| {
            link["error"] == "salesforce_api_budget_paused"
        })
        .await;
    assert_eq!(waiting["state"], "queued", "not failed: {waiting}");
    assert_eq!(waiting["error"], "salesforce_api_budget_paused");
    assert!(w.events().is_empty(), "nothing written while paused");

    // The allowance comes back (a new day): the paused sync finishes by itself.
    w.sf.set_api_remaining(&w.org_id, 100_000);
    let synced = w.settled("synced").await;
    assert!(synced["error"].is_null());
    assert_eq!(w.events().len(), 1);
}

#[tokio::test]
async fn with_the_keep_policy_an_unselected_meetings_event_stays_and_reselecting_reuses_it() {
    let w = world().await;
    w.connect(REP_A).await;
    w.default_policy(json!({ "deleted": "keep" })).await;
    w.put_plain_meeting("Kept").await;
    let first = w.settled("synced").await;
    let (status, _) = w
        .rep_call(
            REP_A,
            Method::DELETE,
            &format!("/api/v1/events/{MEETING}/link"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    // Until the job has run, the link is unselected but still pending: wait for `removed`.
    let user = w.user(REP_A).await;
    let link = eventually("the unselect ran", Duration::from_secs(5), || async {
        let link =
            outforce::storage::event_links::find_by_outlook_id(&w.app.state.db, &user.id, MEETING)
                .await
                .unwrap()
                .unwrap();
        when(link, |l| {
            l.state == outforce::storage::event_links::LinkState::Removed
        })
    })
    .await;
    assert!(
        link.salesforce_event_id.is_some(),
        "the kept Event's Id stays"
    );
    assert_eq!(w.events().len(), 1, "kept");
    w.put_plain_meeting("Kept, renamed").await;
    let again = w.settled("synced").await;
    assert_eq!(again["salesforce_event_id"], first["salesforce_event_id"]);
    let events = w.events();
    assert_eq!(events.len(), 1, "the kept Event is reused, not doubled");
    assert_eq!(events[0]["Subject"], "Kept, renamed");
}

impl World {
    /// A meeting in REP_A's mailbox, as Outlook holds it; its id.
    fn outlook_event(&self, overrides: Value) -> String {
        let mut event = json!({
            "subject": "Board prep",
            "body": { "contentType": "text", "content": "Numbers for the board" },
            "start": { "dateTime": today_plus(1, "T09:00:00"), "timeZone": "W. Europe Standard Time" },
            "end": { "dateTime": today_plus(1, "T10:00:00"), "timeZone": "W. Europe Standard Time" },
            "showAs": "free",
            "sensitivity": "private",
        });
        for (key, value) in overrides.as_object().unwrap() {
            event[key] = value.clone();
        }
        self.graph.create_event(REP_A, event).unwrap()
    }

    /// The pane's link for an Outlook event: no relations, the meeting as the pane saw it.
    async fn put_link_for(&self, id: &str, subject: &str, start: &str, end: &str) -> Value {
        let meeting = json!({ "subject": subject, "start": start, "end": end });
        self.send_link(
            id,
            json!({ "who_ids": [], "sync": true, "meeting": meeting }),
        )
        .await
    }
}

#[tokio::test]
async fn the_event_is_written_as_outlook_holds_it_with_the_panes_newer_edits_over_it() {
    let w = world().await;
    w.connect(REP_A).await;
    w.mailbox_by_application(&["Calendars.ReadWrite"]).await;
    let id = w.outlook_event(json!({}));
    // The organizer moved it in the pane and has not sent the update yet.
    // (send_link asserts the 200.)
    w.put_link_for(
        &id,
        "Board prep",
        &today_plus(1, "T09:30:00Z"),
        &today_plus(1, "T10:30:00Z"),
    )
    .await;
    let link = w.settled_link(&id, "synced").await;
    let event =
        w.sf.record(&w.org_id, link["salesforce_event_id"].as_str().unwrap())
            .unwrap();
    assert_eq!(
        event["Description"], "Numbers for the board",
        "the body, from Graph"
    );
    assert_eq!(event["ShowAs"], "Free", "show-as, from Graph");
    assert_eq!(
        event["IsPrivate"], true,
        "private, as the default policy says"
    );
    assert_eq!(
        event["StartDateTime"],
        today_plus(1, "T09:30:00.000+0000"),
        "the pane's newer time"
    );
}

#[tokio::test]
async fn a_throttled_mailbox_makes_the_sync_wait_as_told_not_fail() {
    use outforce_sandbox::graph::GraphFault;
    let w = world().await;
    w.connect(REP_A).await;
    w.mailbox_by_application(&["Calendars.ReadWrite"]).await;
    let id = w.outlook_event(json!({ "sensitivity": "normal" }));
    // The sync's read of the event, not the mailbox's delta poll.
    w.graph.script_faults(
        &format!("/v1.0/users/{REP_A}/events"),
        vec![GraphFault::Throttled(1.0)],
    );
    w.put_link_for(
        &id,
        "Board prep",
        &today_plus(1, "T08:00:00Z"),
        &today_plus(1, "T09:00:00Z"),
    )
    .await;
    let waiting = w
        .link_until(&id, "said it waits for Graph", |link| {
            link["error"] == "graph_throttled"
        })
        .await;
    assert_eq!(waiting["state"], "queued", "waiting, not failed");
    let done = w.settled_link(&id, "synced").await;
    assert!(done["salesforce_event_id"].is_string());
    assert_eq!(w.events().len(), 1);
}

#[tokio::test]
async fn the_outlook_event_carries_its_salesforce_id_and_loses_it_when_unselected() {
    use outforce::graph::events::SELECTION_PROPERTY;
    let w = world().await;
    w.connect(REP_A).await;
    w.mailbox_by_application(&["Calendars.ReadWrite"]).await;
    let id = w.outlook_event(json!({ "sensitivity": "normal" }));
    let stamped = |w: &World| {
        let path = format!(
            "events/{id}?$expand=singleValueExtendedProperties($filter=id eq '{SELECTION_PROPERTY}')"
        );
        let (status, event) = w.graph.as_owner(REP_A, "GET", &path, None).unwrap();
        assert_eq!(status, 200, "{event}");
        event["singleValueExtendedProperties"][0]["value"].clone()
    };
    w.put_link_for(
        &id,
        "Board prep",
        &today_plus(1, "T08:00:00Z"),
        &today_plus(1, "T09:00:00Z"),
    )
    .await;
    let link = w.settled_link(&id, "synced").await;
    // The Outlook event is marked a moment after the link records the write.
    eventually(
        "the Id on the Outlook event, on every device",
        Duration::from_secs(2),
        || async { when(stamped(&w), |s| *s == link["salesforce_event_id"]) },
    )
    .await;

    let (status, _) = w
        .rep_call(
            REP_A,
            Method::DELETE,
            &format!("/api/v1/events/{id}/link"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    w.settled_link(&id, "not_synced").await;
    eventually(
        "the Outlook event unmarked once unselected",
        Duration::from_secs(2),
        || async { when(stamped(&w), |s| *s == json!("")) },
    )
    .await;
}

#[tokio::test]
async fn no_more_than_four_graph_requests_run_at_once_for_one_mailbox() {
    use outforce_sandbox::graph::OVER_CONCURRENCY;
    // Eight workers, each with a meeting of the same mailbox to read, every Graph call slow.
    let w = crate::world::world_with(|loaded| loaded.settings.jobs.workers = 8).await;
    w.connect(REP_A).await;
    w.mailbox_by_application(&["Calendars.ReadWrite"]).await;
    let ids: Vec<String> = (0..8)
        .map(|i| {
            w.outlook_event(json!({ "subject": format!("Busy {i}"), "sensitivity": "normal" }))
        })
        .collect();
    w.graph.set_latency(Duration::from_millis(150));
    for id in &ids {
        w.put_link_for(
            id,
            "Busy",
            &today_plus(1, "T08:00:00Z"),
            &today_plus(1, "T09:00:00Z"),
        )
        .await;
    }
    for id in &ids {
        w.settled_link(id, "synced").await;
    }
    assert_eq!(w.events().len(), 8);
    assert_eq!(
        w.graph.calls(OVER_CONCURRENCY),
        0,
        "Outlook never had to refuse a fifth request"
    );
}
