//! The sync's rules end to end, Outlook (the Graph emulator) to Salesforce (the Salesforce
//! emulator), each test named after the rule it checks: a meeting cancelled by its organizer,
//! a move before the first write's answer came back, all-day dates, a Windows zone across a
//! daylight-saving change, and private meetings under each policy.

use chrono::Datelike as _;
use outforce_sandbox::salesforce::faults::Fault;
use serde_json::{Value, json};

use crate::calendar::{watched, watched_with};
use crate::eventually::{eventually, when};
use crate::helpers::today_plus;
use crate::world::{REP_A, World};

impl World {
    /// The Salesforce Event of the meeting `id` once the link says it is synced.
    async fn synced_event(&self, id: &str) -> Value {
        let link = self
            .link_until(id, "synced", |l| {
                l["state"] == "synced" && l["salesforce_event_id"].is_string()
            })
            .await;
        let event_id = link["salesforce_event_id"].as_str().unwrap();
        self.sf.record(&self.org_id, event_id).unwrap()
    }
}

#[tokio::test]
async fn a_meeting_cancelled_by_its_organizer_deletes_its_event() {
    let w = watched(3600, true).await;
    let id = w.synced_meeting("Vendor call").await;
    w.until_watched().await;

    w.graph.receive_cancellation(REP_A, &id).unwrap();
    w.events_until("deleted the cancelled meeting's Event", <[Value]>::is_empty)
        .await;
    let link = w
        .link_until(&id, "said why", |l| l["error"] == "outlook_cancelled")
        .await;
    assert!(link["salesforce_event_id"].is_null(), "{link}");
    w.assert_nothing_mailed_by_outforce();
}

#[tokio::test]
async fn a_move_in_outlook_before_the_first_write_lands_leaves_one_event_at_the_new_time() {
    // No key field: the retry must find the first write by what its intent recorded.
    let w = watched_with(3600, true, |loaded| {
        loaded.settings.sync.transient_retry_secs = 2;
        loaded.settings.outbound.timeout_secs = 2;
    })
    .await;
    let id = w.meeting_in_outlook("Kickoff", json!({}));
    w.until_watched().await;
    // Salesforce saves the Event, and the answer never comes back.
    w.sf.script_faults(
        "/services/data/v64.0/composite/sobjects",
        vec![Fault::LostAnswer],
    );
    w.select_in_pane(&id).await;
    // (The lost answer is given up at the outbound timeout at the latest.)
    let path = format!("/api/v1/events/{id}/link");
    eventually(
        "the lost answer waiting as salesforce_unavailable",
        std::time::Duration::from_secs(10),
        || async {
            let link = w.rep_call(REP_A, reqwest::Method::GET, &path, None).await.1;
            when(link, |l| l["error"] == "salesforce_unavailable")
        },
    )
    .await;
    assert_eq!(w.salesforce_events().len(), 1, "the first write landed");

    w.edit_in_outlook(
        &id,
        json!({
            "start": { "dateTime": today_plus(2, "T17:00:00"), "timeZone": "UTC" },
            "end": { "dateTime": today_plus(2, "T18:00:00"), "timeZone": "UTC" },
        }),
    );
    let events = w
        .events_until("moved the one Event", |e| {
            e.len() == 1 && e[0]["StartDateTime"] == today_plus(2, "T17:00:00.000+0000")
        })
        .await;
    let link = w
        .link_until(&id, "synced", |l| l["state"] == "synced")
        .await;
    assert_eq!(link["salesforce_event_id"], events[0]["Id"]);
    assert_eq!(w.salesforce_events().len(), 1, "never a second Event");
}

#[tokio::test]
async fn an_all_day_event_lands_on_its_calendar_dates() {
    let w = watched(3600, false).await;
    let id = w.meeting_in_outlook(
        "Offsite",
        json!({
            "isAllDay": true,
            "start": { "dateTime": today_plus(4, "T00:00:00"), "timeZone": "Tokyo Standard Time" },
            "end": { "dateTime": today_plus(6, "T00:00:00"), "timeZone": "Tokyo Standard Time" },
        }),
    );
    w.select_in_pane(&id).await;
    let event = w.synced_event(&id).await;
    assert_eq!(event["IsAllDayEvent"], true);
    assert_eq!(
        event["ActivityDate"],
        today_plus(4, ""),
        "the first day, not the day before"
    );
    assert_eq!(event["DurationInMinutes"], 2 * 1440, "two whole days");
}

#[tokio::test]
async fn a_meeting_in_a_windows_zone_lands_at_the_right_utc_instant_across_the_dst_change() {
    let w = watched(3600, false).await;
    // The window reaches the next change to daylight saving time.
    w.default_policy(json!({ "window_days_ahead": 365 })).await;
    // Pacific time moves to daylight saving on the second Sunday of March: 09:00 is 17:00 UTC
    // the Friday before, 16:00 the Monday after.
    let today = chrono::Utc::now().date_naive();
    let year = if today.month() < 3 {
        today.year()
    } else {
        today.year() + 1
    };
    let first = chrono::NaiveDate::from_ymd_opt(year, 3, 1).unwrap();
    let to_sunday = (7 - first.weekday().num_days_from_sunday()) % 7;
    let change = first + chrono::Duration::days(i64::from(to_sunday) + 7);
    let (friday, monday) = (
        change - chrono::Duration::days(2),
        change + chrono::Duration::days(1),
    );
    let at_nine = |day: chrono::NaiveDate| {
        json!({
            "start": { "dateTime": format!("{day}T09:00:00"), "timeZone": "Pacific Standard Time" },
            "end": { "dateTime": format!("{day}T10:00:00"), "timeZone": "Pacific Standard Time" },
        })
    };
    let before = w.meeting_in_outlook("Before", at_nine(friday));
    let after = w.meeting_in_outlook("After", at_nine(monday));
    w.select_in_pane(&before).await;
    w.select_in_pane(&after).await;
    let before = w.synced_event(&before).await;
    let after = w.synced_event(&after).await;
    assert_eq!(
        before["StartDateTime"],
        format!("{friday}T17:00:00.000+0000")
    );
    assert_eq!(
        after["StartDateTime"],
        format!("{monday}T16:00:00.000+0000")
    );
    assert_eq!(after["EndDateTime"], format!("{monday}T17:00:00.000+0000"));
}

#[tokio::test]
async fn private_meetings_follow_the_policy_skip_as_private_or_time_and_attendees_only() {
    let private = json!({
        "sensitivity": "private",
        "body": { "contentType": "text", "content": "Term sheet" },
    });
    for policy in ["skip", "as_private", "time_and_attendees"] {
        let w = watched(3600, false).await;
        w.default_policy(json!({ "private": policy })).await;
        let id = w.meeting_in_outlook("Acquisition talks", private.clone());
        w.select_in_pane(&id).await;
        if policy == "skip" {
            let link = w
                .link_until(&id, "skipped it", |l| l["state"] == "failed")
                .await;
            assert_eq!(link["error"], "private", "{link}");
            assert!(
                w.salesforce_events().is_empty(),
                "it never left the mailbox"
            );
            continue;
        }
        let event = w.synced_event(&id).await;
        assert_eq!(event["IsPrivate"], true, "{policy}");
        assert_eq!(event["StartDateTime"], today_plus(2, "T15:00:00.000+0000"));
        if policy == "as_private" {
            assert_eq!(event["Subject"], "Acquisition talks");
            assert_eq!(event["Description"], "Term sheet");
        } else {
            for hidden in ["Subject", "Location", "Description"] {
                assert!(
                    event[hidden].is_null() || event[hidden] == "",
                    "{hidden} stays in the mailbox: {event}"
                );
            }
        }
    }
}

#[tokio::test]
async fn without_shared_activities_one_who_id_is_written_and_the_link_says_so() {
    let w = watched(3600, false).await;
    let ann = w.seed(
        "Contact",
        json!({ "LastName": "Ann", "Email": "ann@acme.example" }),
    );
    let bob = w.seed(
        "Contact",
        json!({ "LastName": "Bob", "Email": "bob@acme.example" }),
    );
    let id = w.meeting_in_outlook("Two contacts", json!({}));
    let path = format!("/api/v1/events/{id}/link");
    let body = json!({ "who_ids": [ann, bob], "sync": true });
    let (status, link) = w
        .rep_call(REP_A, reqwest::Method::PUT, &path, Some(body))
        .await;
    assert_eq!(status, 200, "{link}");
    let event = w.synced_event(&id).await;
    assert_eq!(event["WhoId"], ann.as_str(), "the first, as the WhoId");
    let link = w
        .link_until(&id, "said so", |l| l["who_ids_left_out"] == 1)
        .await;
    assert_eq!(
        link["who_ids"],
        json!([ann, bob]),
        "the rep's choice is kept"
    );
}

#[tokio::test]
async fn a_configuration_that_sends_nothing_to_salesforce_leaves_the_meeting_alone_and_says_so() {
    let w = watched(3600, false).await;
    w.default_policy(json!({ "direction": "salesforce_to_outlook" }))
        .await;
    let id = w.meeting_in_outlook("Not for Salesforce", json!({}));
    w.select_in_pane(&id).await;
    let link = w
        .link_until(&id, "said why", |l| l["state"] == "failed")
        .await;
    assert_eq!(link["error"], "sync_direction_off", "{link}");
    assert!(w.salesforce_events().is_empty());
}
