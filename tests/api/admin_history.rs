//! An admin reads what the sync decided for one of the tenant's reps: the rep's latest
//! decisions across meetings, and one meeting's history exactly as the rep reads it.

use reqwest::Method;
use serde_json::{Value, json};

use crate::calendar::watched;
use crate::eventually::{eventually, when};
use crate::world::REP_A;

#[tokio::test]
async fn an_admin_reads_a_reps_decisions_as_the_rep_does_newest_first_and_by_page() {
    let w = watched(3600, false).await;
    let first = w.synced_meeting("Pipeline review").await;
    let second = w.meeting_in_outlook("Forecast", json!({}));
    w.select_in_pane(&second).await;
    w.events_until("got both meetings", |e| e.len() == 2).await;
    w.edit_in_outlook(&first, json!({ "subject": "Pipeline review (moved)" }));
    // No notification in this world: the rep's own pane asks again, as the pane does on open.
    w.select_in_pane(&first).await;
    w.events_until("took the edit", |e| {
        e.iter().any(|e| e["Subject"] == "Pipeline review (moved)")
    })
    .await;
    let rep_view = eventually(
        "both decisions kept",
        std::time::Duration::from_secs(4),
        || async { when(w.history(&first).await, |h| h.len() >= 2) },
    )
    .await;

    let path = format!("/api/v1/admin/users/{REP_A}/events/{first}/history");
    let (status, admin_view) = w.admin(Method::GET, &path, None).await;
    assert_eq!(status, 200, "{admin_view}");
    assert_eq!(
        admin_view["entries"].as_array().unwrap(),
        &rep_view,
        "the admin sees what the rep sees"
    );
    let update = &rep_view[1];
    assert_eq!(update["action"], "updated");
    assert_eq!(update["seen"], "pane");
    assert_eq!(update["changed"], json!(["Subject"]));

    let path = format!("/api/v1/admin/users/{REP_A}/history");
    let (status, all) = w.admin(Method::GET, &path, None).await;
    assert_eq!(status, 200, "{all}");
    let entries = all["entries"].as_array().unwrap();
    let meetings: Vec<&Value> = entries.iter().map(|e| &e["outlook_id"]).collect();
    assert_eq!(meetings, [&json!(first), &json!(second), &json!(first)]);
    assert_eq!(entries[0]["action"], "updated", "newest first");
    assert_eq!(entries[0]["after"]["Subject"], "Pipeline review (moved)");
    assert!(all["next_before"].is_null(), "one page holds them all");

    let (_, page) = w.admin(Method::GET, &format!("{path}?limit=2"), None).await;
    assert_eq!(page["entries"].as_array().unwrap().len(), 2);
    let before = page["next_before"].as_i64().expect("a next page");
    let (_, rest) = w
        .admin(
            Method::GET,
            &format!("{path}?limit=2&before={before}"),
            None,
        )
        .await;
    let rest = rest["entries"].as_array().unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0]["outlook_id"], json!(first));
    assert_eq!(rest[0]["action"], "created");
}

#[tokio::test]
async fn a_bad_page_or_an_unknown_rep_or_meeting_is_refused_naming_it() {
    let w = watched(3600, false).await;
    let id = w.synced_meeting("Forecast").await;
    let path = format!("/api/v1/admin/users/{REP_A}/history?limit=0");
    let (status, body) = w.admin(Method::GET, &path, None).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "limit", "{body}");

    let path = format!("/api/v1/admin/users/{REP_A}/history?before=last");
    let (status, body) = w.admin(Method::GET, &path, None).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "before", "{body}");

    let stranger = "00000000-0000-0000-0000-00000000beef";
    let path = format!("/api/v1/admin/users/{stranger}/events/{id}/history");
    assert_eq!(w.admin(Method::GET, &path, None).await.0, 404);
    let path = format!("/api/v1/admin/users/{REP_A}/events/AAMkNotOurs=/history");
    assert_eq!(w.admin(Method::GET, &path, None).await.0, 404);

    // Only an admin.
    let path = format!("/api/v1/admin/users/{REP_A}/history");
    assert_eq!(w.rep_call(REP_A, Method::GET, &path, None).await.0, 403);
}
