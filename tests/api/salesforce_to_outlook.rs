//! Salesforce → Outlook (rule 5, 7): the rep's Salesforce Events come to their calendar as
//! events that invite nobody, their edits follow, and a deletion in Salesforce drops the link
//! and deletes the Outlook event only when the policy says so.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::calendar::watched;
use crate::eventually::{eventually, when};
use crate::helpers::today_plus;
use crate::world::{REP_A, World};

impl World {
    /// An Event of REP_A's in Salesforce, related to `who` (a Contact's Id), as a rep makes
    /// one there; its Id.
    pub(crate) fn salesforce_meeting(&self, subject: &str, day: i64, who: Option<&str>) -> String {
        self.seed(
            "Event",
            json!({
                "Subject": subject,
                "StartDateTime": today_plus(day, "T10:00:00.000+0000"),
                "EndDateTime": today_plus(day, "T11:00:00.000+0000"),
                "Location": "Zoom",
                "Description": "Agenda",
                "OwnerId": self.sf_user_a,
                "WhoId": who,
            }),
        )
    }

    /// REP_A's Outlook events, as Graph lists them, with their selection property.
    pub(crate) fn outlook_events(&self) -> Vec<Value> {
        use outforce::graph::events::SELECTION_PROPERTY;
        let path = format!(
            "events?$top=100&$expand=singleValueExtendedProperties($filter=id eq '{SELECTION_PROPERTY}')"
        );
        let (status, body) = self.graph.as_owner(REP_A, "GET", &path, None).unwrap();
        assert_eq!(status, 200, "{body}");
        body["value"].as_array().unwrap().clone()
    }

    /// REP_A's Outlook events once `wanted` holds of them (ten seconds at most).
    pub(crate) async fn outlook_until(
        &self,
        what: &str,
        wanted: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let what = format!("Outlook {what}");
        eventually(&what, Duration::from_secs(10), || async {
            when(self.outlook_events(), |e| wanted(e))
        })
        .await
    }
}

fn subject_is(events: &[Value], subject: &str) -> bool {
    events.iter().any(|e| e["subject"] == subject)
}

#[tokio::test]
async fn a_salesforce_event_becomes_an_outlook_event_that_invites_nobody_and_follows_its_edits() {
    let w = watched(1, false).await;
    w.default_policy(json!({ "direction": "salesforce_to_outlook" }))
        .await;
    let jane = w.seed(
        "Contact",
        json!({ "FirstName": "Jane", "LastName": "Doe", "Email": "jane@customer.example" }),
    );
    let id = w.salesforce_meeting("Renewal call", 2, Some(&jane));
    let events = w
        .outlook_until("made the meeting", |e| subject_is(e, "Renewal call"))
        .await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(
        event["start"]["dateTime"].as_str().unwrap()[..19],
        today_plus(2, "T10:00:00")
    );
    assert_eq!(event["location"]["displayName"], "Zoom");
    assert_eq!(event["attendees"], json!([]), "nobody invited");
    let body = event["body"]["content"].as_str().unwrap();
    assert!(body.contains("Agenda"), "{body}");
    assert!(
        body.contains("Related in Salesforce: Jane Doe"),
        "the related people are named instead: {body}"
    );
    assert_eq!(event["singleValueExtendedProperties"][0]["value"], id);
    let outlook_id = event["id"].as_str().unwrap().to_string();

    // An edit in Salesforce follows; an edit in Outlook stays there (Salesforce → Outlook only).
    w.sf.update_record(&w.org_id, &id, json!({ "Subject": "Renewal call (moved)", "StartDateTime": today_plus(3, "T09:00:00.000+0000"), "EndDateTime": today_plus(3, "T10:00:00.000+0000") }))
        .unwrap();
    let events = w
        .outlook_until("took the edit", |e| subject_is(e, "Renewal call (moved)"))
        .await;
    assert_eq!(events.len(), 1, "the same event, changed");
    assert_eq!(events[0]["id"], json!(outlook_id));
    assert_eq!(
        events[0]["start"]["dateTime"].as_str().unwrap()[..19],
        today_plus(3, "T09:00:00")
    );
    w.edit_in_outlook(
        &outlook_id,
        json!({ "location": { "displayName": "Room 4" } }),
    );
    // A round of the mailbox reads the edit, and keeps it in Outlook.
    w.poll_now().await;
    w.until_idle().await;
    let record = w.sf.record(&w.org_id, &id).unwrap();
    assert_eq!(
        record["Location"], "Zoom",
        "Outlook's edits stay in Outlook"
    );

    let history = w.history(&outlook_id).await;
    let actions: Vec<&str> = history
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["created_in_outlook", "updated_in_outlook"],
        "{history:?}"
    );
    assert!(history.iter().all(|e| e["seen"] == "salesforce"));

    // Deleted in Salesforce, under the default policy: the Outlook meeting stays, unlinked.
    w.sf.delete_record(&w.org_id, &id).unwrap();
    let link = w
        .link_until(&outlook_id, "was dropped", |l| {
            l["error"] == "salesforce_deleted"
        })
        .await;
    assert_eq!(link["state"], "not_synced", "{link}");
    assert_eq!(link["sync"], false);
    assert!(link["salesforce_event_id"].is_null());
    let events = w.outlook_events();
    assert_eq!(events.len(), 1, "the Outlook meeting is kept");
    w.assert_nothing_mailed_by_outforce();
}

#[tokio::test]
async fn under_the_delete_policy_a_salesforce_event_made_edited_and_deleted_there_is_so_in_outlook()
{
    let w = watched(1, false).await;
    w.default_policy(json!({ "direction": "both", "deleted_in_salesforce": "delete" }))
        .await;
    let id = w.salesforce_meeting("Quarterly review", 1, None);
    w.outlook_until("made the meeting", |e| subject_is(e, "Quarterly review"))
        .await;
    w.sf.update_record(&w.org_id, &id, json!({ "Location": "Board room" }))
        .unwrap();
    w.outlook_until("took the edit", |e| {
        e.len() == 1 && e[0]["location"]["displayName"] == "Board room"
    })
    .await;
    w.sf.delete_record(&w.org_id, &id).unwrap();
    w.outlook_until("deleted the meeting", <[Value]>::is_empty)
        .await;
    assert!(w.salesforce_events().is_empty(), "and nothing came back");
    w.assert_nothing_mailed_by_outforce();
}

#[tokio::test]
async fn a_salesforce_event_outside_the_window_stays_out_of_outlook() {
    let w = watched(1, false).await;
    w.default_policy(json!({ "direction": "salesforce_to_outlook", "window_days_ahead": 7 }))
        .await;
    w.salesforce_meeting("Far ahead", 20, None);
    w.salesforce_meeting("This week", 2, None);
    w.outlook_until("made this week's meeting", |e| subject_is(e, "This week"))
        .await;
    // Another read of Salesforce's Events leaves the far one out still.
    w.read_salesforce_now().await;
    w.until_idle().await;
    let events = w.outlook_events();
    assert_eq!(events.len(), 1, "{events:?}");
    let (status, body) = w
        .rep_call(REP_A, Method::GET, "/api/v1/sync/status", None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["salesforce_read_until"].is_string(), "{body}");
    assert!(body["salesforce_error"].is_null(), "{body}");
}
