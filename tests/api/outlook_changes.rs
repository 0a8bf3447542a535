//! Outlook's later changes reach Salesforce: through Graph's notifications in seconds, through
//! the delta poll when notifications are lost, and through the selection category without the
//! pane at all. Deletions follow the deletion policy. Named after the rule each checks.

use std::time::Duration;

use outforce::storage::event_links::LinkState;
use outforce::sync::model::history::Cause;
use reqwest::Method;
use serde_json::{Value, json};

use crate::calendar::watched;
use crate::eventually::{eventually, when};
use crate::helpers::today_plus;
use crate::world::{REP_A, world_with};

#[tokio::test]
async fn an_outlook_edit_reaches_salesforce_through_the_notification() {
    // The poll is an hour away: only the notification can carry the edit.
    let w = watched(3600, true).await;
    let id = w.synced_meeting("Pipeline review").await;
    w.until_watched().await;
    // The mailbox's first round is done: only the notification can carry the edit now.
    w.until_idle().await;

    w.edit_in_outlook(
        &id,
        json!({
            "subject": "Pipeline review (moved)",
            "location": { "displayName": "Room 9" },
            "start": { "dateTime": today_plus(3, "T10:00:00"), "timeZone": "UTC" },
            "end": { "dateTime": today_plus(3, "T11:00:00"), "timeZone": "UTC" },
        }),
    );
    let events = w
        .events_until("took the edit", |e| {
            e.len() == 1 && e[0]["Subject"] == "Pipeline review (moved)"
        })
        .await;
    assert_eq!(events[0]["Location"], "Room 9");
    assert_eq!(
        events[0]["StartDateTime"],
        today_plus(3, "T10:00:00.000+0000")
    );
    // Each decision is kept, with what the edit changed (recorded a moment after Salesforce
    // took it).
    let history = eventually("both decisions kept", Duration::from_secs(4), || async {
        when(w.history(&id).await, |h| h.len() >= 2)
    })
    .await;
    let actions: Vec<&str> = history
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "updated"], "{history:?}");
    assert_eq!(history[0]["seen"], "pane", "the rep's selection wrote it");
    assert_eq!(history[0]["call"], "POST composite/sobjects");
    let update = &history[1];
    assert_eq!(update["seen"], "notification", "{update}");
    assert_eq!(update["call"], "PATCH composite/sobjects");
    assert_eq!(update["before"]["Subject"], "Pipeline review");
    assert_eq!(update["after"]["Subject"], "Pipeline review (moved)");
    let changed: Vec<&str> = update["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for field in ["Subject", "Location", "StartDateTime", "EndDateTime"] {
        assert!(changed.contains(&field), "{field} changed: {changed:?}");
    }
    assert_eq!(update["salesforce_event_id"], events[0]["Id"]);
    let delivered = w.graph.deliveries();
    assert!(
        delivered.iter().all(|d| d.status == Some(202)),
        "every notification was taken: {delivered:?}"
    );
    w.assert_nothing_mailed_by_outforce();
}

#[tokio::test]
async fn the_webhook_answers_the_validation_handshake_and_ignores_a_wrong_client_state() {
    let w = watched(3600, true).await;
    let id = w.synced_meeting("Forecast").await;
    let subscription = w.until_watched().await;

    let client = reqwest::Client::new();
    let handshake = client
        .post(format!(
            "{}/webhooks/graph?validationToken=Validation%3A%20abc",
            w.app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(handshake.status(), 200);
    assert!(
        handshake.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(handshake.text().await.unwrap(), "Validation: abc");

    // Once the sync's own echo has been dealt with, nothing runs.
    w.until_idle().await;
    let before = w.pending_jobs().await;
    let reads = w.graph.all_calls();
    let forged = json!({ "value": [{
        "subscriptionId": subscription,
        "clientState": "not-the-secret",
        "changeType": "updated",
        "resource": format!("Users/{REP_A}/Events/{id}"),
        "resourceData": { "id": id },
    }]});
    let answer = client
        .post(format!("{}/webhooks/graph", w.app.address))
        .json(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202, "answered, so a sender learns nothing");
    assert_eq!(w.pending_jobs().await, before, "nothing queued");
    // Nor run: a believed notice would have had the meeting or the mailbox read.
    w.until_idle().await;
    assert_eq!(w.graph.all_calls(), reads, "nothing read because of it");

    let garbage = client
        .post(format!("{}/webhooks/graph", w.app.address))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    let body: Value = garbage.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_notification");
}

#[tokio::test]
async fn with_notifications_lost_the_delta_poll_still_converges() {
    // No public address: Graph cannot notify us, and the poll (every second) finds the edit.
    let w = watched(1, false).await;
    let id = w.synced_meeting("Renewal").await;
    w.edit_in_outlook(&id, json!({ "subject": "Renewal (signed)" }));
    w.events_until("took the edit", |e| {
        e.len() == 1 && e[0]["Subject"] == "Renewal (signed)"
    })
    .await;
    assert!(w.graph.subscription_ids().is_empty(), "nothing to notify");

    // Graph forgets the round (410): the window is read again, and nothing is written twice.
    w.graph.reset_sync_state(REP_A);
    w.edit_in_outlook(&id, json!({ "subject": "Renewal (countersigned)" }));
    let events = w
        .events_until("took the edit after the resync", |e| {
            e.len() == 1 && e[0]["Subject"] == "Renewal (countersigned)"
        })
        .await;
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn a_meeting_deleted_in_outlook_deletes_its_salesforce_event() {
    let w = watched(3600, true).await;
    let id = w.synced_meeting("Kickoff").await;
    w.until_watched().await;
    w.delete_in_outlook(&id);
    w.events_until("lost the Event", <[Value]>::is_empty).await;
    // The link says why, once the job that deleted the Event has recorded it.
    let link = w
        .link_until(&id, "said why", |link| link["error"] == "outlook_deleted")
        .await;
    assert!(link["salesforce_event_id"].is_null(), "{link}");
}

#[tokio::test]
async fn under_the_keep_policy_a_meeting_deleted_in_outlook_keeps_its_event_marked_cancelled() {
    let w = watched(3600, true).await;
    w.default_policy(json!({ "deleted": "keep" })).await;
    let id = w.synced_meeting("Steering committee").await;
    w.until_watched().await;
    w.delete_in_outlook(&id);
    let events = w
        .events_until("marked the Event", |e| {
            e.len() == 1 && e[0]["Subject"] == "Canceled: Steering committee"
        })
        .await;
    let link = w
        .link_until(&id, "said why", |link| link["error"] == "outlook_deleted")
        .await;
    assert_eq!(
        link["salesforce_event_id"], events[0]["Id"],
        "the link keeps the Event it kept"
    );
    let history = w.history(&id).await;
    let kept = history.last().unwrap();
    assert_eq!(kept["action"], "kept", "{history:?}");
    assert_eq!(kept["changed"], json!(["Subject"]));
    assert_eq!(kept["before"]["Subject"], "Steering committee");
}

#[tokio::test]
async fn the_selection_category_syncs_a_meeting_without_the_pane_and_removing_it_unsyncs() {
    let w = watched(1, true).await;
    let id = w.meeting_in_outlook("Site visit", json!({ "categories": ["Salesforce"] }));
    let events = w
        .events_until("got the categorised meeting", |e| e.len() == 1)
        .await;
    assert_eq!(events[0]["Subject"], "Site visit");
    // An uncategorised meeting stays out.
    w.meeting_in_outlook("Lunch", json!({}));

    w.edit_in_outlook(&id, json!({ "categories": [] }));
    w.events_until("lost the Event", <[Value]>::is_empty).await;
}

#[tokio::test]
async fn a_removed_subscription_is_made_again() {
    let w = watched(3600, true).await;
    let id = w.meeting_in_outlook("Demo", json!({}));
    w.select_in_pane(&id).await;
    let first = w.until_watched().await;
    let status = w
        .graph
        .send_lifecycle(&first, "subscriptionRemoved")
        .await
        .unwrap();
    assert_eq!(status, Some(202));
    let second = w.until_watched().await;
    assert_ne!(second, first, "a new subscription");
    // The new subscription carries changes.
    w.events_until("got the meeting", |e| e.len() == 1).await;
    w.edit_in_outlook(&id, json!({ "subject": "Demo (v2)" }));
    w.events_until("took the edit", |e| e[0]["Subject"] == "Demo (v2)")
        .await;
}

#[tokio::test]
async fn a_mass_deletion_in_outlook_is_held_until_an_admin_releases_it() {
    // Polled by hand, so that the round sees every deletion at once, as it would when a
    // mailbox is wiped between two polls.
    let w = watched(3600, false).await;
    let mut ids = Vec::new();
    for i in 0..10 {
        let id = w.meeting_in_outlook(&format!("Account review {i}"), json!({}));
        w.select_in_pane(&id).await;
        ids.push(id);
    }
    w.events_until("got the meetings", |e| e.len() == 10).await;
    // Every link recorded and no sync of them left to run: a sync that ran after the wipe would
    // find its meeting gone on its own, outside the poll's round.
    let settled = Duration::from_secs(10);
    w.until_links_in(LinkState::Synced, 10, settled).await;
    w.until_quiet().await;

    // Six of ten gone at once (a mailbox wiped, a bad migration): more than a fifth.
    for id in &ids[..6] {
        w.delete_in_outlook(id);
    }
    let user = w.user(REP_A).await;
    let poll = outforce::sync::jobs::PollMailbox {
        user_id: user.id.clone(),
    };
    w.app.state.queue.enqueue(&poll).await.unwrap();
    let status = w
        .sync_status_until("held", |s| !s["paused"].is_null())
        .await;
    assert_eq!(status["paused"]["code"], "deletion_circuit_breaker");
    assert_eq!(status["paused"]["deletions"], 6);
    w.until_idle().await;
    assert_eq!(
        w.salesforce_events().len(),
        10,
        "nothing deleted while held"
    );
    // A sync of each wiped meeting (as one queued before the wipe would run now) deletes
    // nothing on its own: only a round decides that a meeting is gone, and the breaker holds
    // the rounds.
    let syncs: Vec<outforce::sync::jobs::SyncEvent> = ids[..6]
        .iter()
        .map(|id| outforce::sync::jobs::SyncEvent::new(&user.id, id, Cause::Notification))
        .collect();
    w.app.state.queue.enqueue_many(&syncs).await.unwrap();
    w.until_quiet().await;
    assert_eq!(
        w.salesforce_events().len(),
        10,
        "a sync alone deletes nothing while the breaker holds"
    );

    let path = format!("/api/v1/admin/users/{REP_A}/sync");
    let (status, seen) = w.admin(Method::GET, &path, None).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["paused"]["deletions"], 6, "the admin sees why");
    let (status, released) = w
        .admin(Method::POST, &format!("{path}/release"), None)
        .await;
    assert_eq!(status, 200, "{released}");
    assert_eq!(released["released"], true);
    w.events_until("carried out the released deletions", |e| e.len() == 4)
        .await;
    // The Events go in one call; each link is marked a moment later.
    let status = w
        .sync_status_until("resumed", |s| {
            s["paused"].is_null() && s["meetings"]["removed"] == 6
        })
        .await;
    assert_eq!(status["meetings"]["synced"], 4);
    assert_eq!(status["meetings"]["removed"], 6);
    let (_, again) = w
        .admin(Method::POST, &format!("{path}/release"), None)
        .await;
    assert_eq!(again["released"], false, "nothing held any more");
}

#[tokio::test]
async fn a_meeting_deleted_while_graph_forgot_the_delta_round_is_found_gone_by_the_full_round() {
    // Polled by hand, without notifications: only rounds see the deletion.
    let w = watched(3600, false).await;
    let kept = w.synced_meeting("Quarterly plan").await;
    let deleted = w.meeting_in_outlook("Dinner", json!({}));
    w.select_in_pane(&deleted).await;
    w.events_until("got both meetings", |e| e.len() == 2).await;
    let user = w.user(REP_A).await;
    let poll = outforce::sync::jobs::PollMailbox {
        user_id: user.id.clone(),
    };
    w.app.state.queue.enqueue(&poll).await.unwrap();
    eventually("a round recorded", Duration::from_secs(10), || async {
        w.delta_link().await.ok_or("no delta link")
    })
    .await;

    // The meeting goes, and Graph forgets the round (410): the next round reads the window
    // afresh, which lists what is there and never what went.
    w.delete_in_outlook(&deleted);
    w.graph.reset_sync_state(REP_A);
    w.app.state.queue.enqueue(&poll).await.unwrap();
    let events = w
        .events_until("deleted the missing meeting's Event", |e| e.len() == 1)
        .await;
    assert_eq!(events[0]["Subject"], "Quarterly plan");
    let link = w
        .link_until(&deleted, "said why", |l| l["error"] == "outlook_deleted")
        .await;
    assert!(link["salesforce_event_id"].is_null(), "{link}");
    let kept = w
        .link_until(&kept, "stayed", |l| l["state"] == "synced")
        .await;
    assert!(kept["salesforce_event_id"].is_string());
}

#[tokio::test]
async fn the_selection_category_is_added_to_the_mailboxs_master_list_once() {
    let w = world_with(|loaded| {
        loaded.settings.sync.poll_interval_secs = 3600;
        loaded.settings.sync.sweep_interval_secs = 1;
    })
    .await;
    w.mailbox_by_application(&["Calendars.ReadWrite", "MailboxSettings.ReadWrite"])
        .await;
    let _ = w.me(REP_A).await;
    // As an admin sets it: every watched mailbox reads its window afresh.
    let config =
        json!({ "name": "Everyone", "is_default": true, "settings": { "category": "CRM" } });
    let (status, body) = w
        .admin(Method::POST, "/api/v1/admin/sync-configs", Some(config))
        .await;
    assert_eq!(status, 201, "{body}");
    w.connect(REP_A).await;
    let categories = || {
        let (status, body) = w
            .graph
            .as_owner(REP_A, "GET", "outlook/masterCategories", None)
            .unwrap();
        assert_eq!(status, 200, "{body}");
        body["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["displayName"] == "CRM")
            .cloned()
            .collect::<Vec<Value>>()
    };
    let crm = eventually("the category listed", Duration::from_secs(10), || async {
        when(categories(), |c| !c.is_empty())
    })
    .await;
    assert_eq!(crm.len(), 1, "added to the list: {crm:?}");
    assert_eq!(crm[0]["color"], "preset7");

    // The next full round (Graph forgot the last one) finds it there and adds nothing.
    let user = w.user(REP_A).await;
    w.graph.reset_sync_state(REP_A);
    let poll = outforce::sync::jobs::PollMailbox {
        user_id: user.id.clone(),
    };
    let before = w.graph.calls("masterCategories");
    w.app.state.queue.enqueue(&poll).await.unwrap();
    w.until_idle().await;
    assert_eq!(
        w.graph.calls("masterCategories"),
        before + 1,
        "one look, no add"
    );
    assert_eq!(categories().len(), 1);
}
