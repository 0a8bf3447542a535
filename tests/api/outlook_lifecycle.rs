//! The mailbox's Graph subscription through its life: renewed before it lapses, reauthorized
//! when Graph asks (Graph notifies nothing until then), and a `missed` notice or lost
//! notifications made good by a delta round.

use std::time::Duration;

use serde_json::json;

use crate::calendar::watched;
use crate::eventually::{eventually, when};
use crate::world::REP_A;

#[tokio::test]
async fn a_subscription_close_to_lapsing_is_renewed() {
    let w = watched(3600, true).await;
    w.synced_meeting("Renewal").await;
    let id = w.until_watched().await;
    let user = w.user(REP_A).await;
    let db = &w.app.state.db;
    let watch = outforce::storage::mailbox_watches::find(db, &user.id)
        .await
        .unwrap()
        .unwrap();
    let granted = watch.subscription_expires_at.unwrap();
    // As if it had been made two days ago: it lapses within the day.
    let soon = outforce::storage::now() + chrono::Duration::hours(2);
    outforce::storage::mailbox_watches::record_subscription(db, &user.id, &id, soon, None, soon)
        .await
        .unwrap();
    let keep = outforce::sync::jobs::WatchMailbox {
        user_id: user.id.clone(),
        action: outforce::sync::jobs::Action::Keep,
    };
    w.app.state.queue.enqueue(&keep).await.unwrap();
    let renewed = eventually(
        "the subscription renewed",
        Duration::from_secs(5),
        || async {
            let watch = outforce::storage::mailbox_watches::find(db, &user.id)
                .await
                .unwrap()
                .unwrap();
            let expires = watch.subscription_expires_at;
            expires.filter(|at| *at > soon).ok_or(expires)
        },
    )
    .await;
    assert!(renewed >= granted, "a full lifetime again");
    assert_eq!(
        w.graph.subscription_ids(),
        vec![id.clone()],
        "the same subscription"
    );
    let expires = w.graph.subscription_expiration(&id).unwrap();
    assert!(
        (expires - renewed).num_milliseconds().abs() < 1000,
        "Graph holds what we recorded: {expires} and {renewed}"
    );
}

#[tokio::test]
async fn graph_asking_for_reauthorization_is_answered_and_notifications_flow_again() {
    // The poll is an hour away: only notifications carry the edit.
    let w = watched(3600, true).await;
    let id = w.synced_meeting("Board prep").await;
    let subscription = w.until_watched().await;
    w.until_idle().await;
    let status = w
        .graph
        .send_lifecycle(&subscription, "reauthorizationRequired")
        .await
        .unwrap();
    assert_eq!(status, Some(202));
    // Graph notifies nothing until we reauthorize, so the edit arrives only if we did.
    eventually("reauthorized", Duration::from_secs(5), || async {
        when(w.graph.awaits_reauthorization(&subscription), |a| !a)
    })
    .await;
    w.edit_in_outlook(&id, json!({ "subject": "Board prep (final)" }));
    w.events_until("took the edit", |e| {
        e.len() == 1 && e[0]["Subject"] == "Board prep (final)"
    })
    .await;
    assert_eq!(
        w.graph.subscription_ids(),
        [subscription],
        "kept, not remade"
    );
}

#[tokio::test]
async fn notifications_lost_on_the_way_are_made_good_by_the_missed_notice() {
    let w = watched(3600, true).await;
    let id = w.synced_meeting("Renewal").await;
    let subscription = w.until_watched().await;
    // The first round of the mailbox is done: nothing but a notice can carry the edit now.
    w.until_idle().await;
    w.graph.lose_notifications(true);
    w.edit_in_outlook(&id, json!({ "subject": "Renewal (signed)" }));
    w.until_idle().await;
    assert_eq!(
        w.salesforce_events()[0]["Subject"],
        "Renewal",
        "nothing told us yet"
    );
    w.graph.lose_notifications(false);
    let status = w
        .graph
        .send_lifecycle(&subscription, "missed")
        .await
        .unwrap();
    assert_eq!(status, Some(202));
    let events = w
        .events_until("took the edit", |e| {
            e.len() == 1 && e[0]["Subject"] == "Renewal (signed)"
        })
        .await;
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn notifications_lost_with_no_word_from_graph_are_caught_by_the_poll() {
    // A live subscription whose notifications never arrive; the poll runs every second.
    let w = watched(1, true).await;
    let id = w.synced_meeting("Kickoff").await;
    w.until_watched().await;
    w.graph.lose_notifications(true);
    w.edit_in_outlook(&id, json!({ "subject": "Kickoff (moved)" }));
    w.events_until("took the edit", |e| {
        e.len() == 1 && e[0]["Subject"] == "Kickoff (moved)"
    })
    .await;
    let delivered = w.graph.deliveries();
    assert!(
        delivered.iter().any(|d| d.status.is_none()),
        "the edit's notification was lost: {delivered:?}"
    );
}
