//! The sync writes a rep's due meetings together: sObject Collections of up to 200, one call
//! each, and a record Salesforce refuses fails alone.

use std::time::Duration;

use outforce::storage::event_links::LinkState;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{day, today_plus};
use crate::world::{REP_A, World, key_field, world};

const BACKLOG: usize = 250;
const WITHIN: Duration = Duration::from_secs(30);
const BACKLOG_PREFIX: &str = "AAMkADk0-backlog_";
const BACKLOG_0: &str = "AAMkADk0-backlog_0=";

impl World {
    /// Links meeting `n` of the backlog (not in Graph: the pane's view is what is written),
    /// related to `who`.
    async fn link_backlog_meeting(&self, n: usize, who: &[&str]) {
        let body = json!({
            "who_ids": who,
            "sync": true,
            "meeting": {
                "subject": format!("Backlog {n}"),
                "start": today_plus(day(n / 20) - 3, &format!("T{:02}:00:00Z", n % 20)),
                "end": today_plus(day(n / 20) - 3, &format!("T{:02}:30:00Z", n % 20)),
            },
        });
        let path = format!("/api/v1/events/{BACKLOG_PREFIX}{n}=/link");
        let (status, link) = self.rep_call(REP_A, Method::PUT, &path, Some(body)).await;
        assert_eq!(status, 200, "{link}");
    }
}

#[tokio::test]
async fn a_backlog_of_selections_is_written_a_collection_at_a_time_and_a_refused_record_fails_alone()
 {
    let w = world().await;
    // The rep selects before connecting Salesforce: every link waits, parked.
    let gone_contact = "003000000000009AAA";
    w.link_backlog_meeting(0, &[gone_contact]).await;
    for n in 1..BACKLOG {
        w.link_backlog_meeting(n, &[]).await;
    }
    w.until_links_in(LinkState::Failed, BACKLOG, WITHIN).await;

    let singles = w.sf.calls("sobjects");
    let collections = w.sf.calls("composite/sobjects");
    assert_eq!(w.connect(REP_A).await, "connected");
    w.until_links_in(LinkState::Synced, BACKLOG - 1, WITHIN)
        .await;

    let events =
        w.sf.query(&w.org_id, "SELECT Id, Subject FROM Event")
            .unwrap();
    assert_eq!(
        events.len(),
        BACKLOG - 1,
        "every meeting but the refused one"
    );
    assert_eq!(
        w.sf.calls("sobjects") - singles,
        0,
        "no Event written on its own"
    );
    let calls = w.sf.calls("composite/sobjects") - collections;
    assert!(
        (2..=4).contains(&calls),
        "{BACKLOG} meetings in a few calls of 200, not one each: {calls}"
    );

    // The meeting related to a Contact Salesforce does not have failed alone, and says why.
    let refused = w
        .link_until(BACKLOG_0, "was refused", |link| link["state"] == "failed")
        .await;
    assert_eq!(refused["error"], "salesforce_rejected", "{refused}");
    assert!(refused["salesforce_event_id"].is_null(), "{refused}");
    assert!(
        !events.iter().any(|e| e["Subject"] == "Backlog 0"),
        "the refused meeting was not written"
    );
    let path = format!("/api/v1/events/{BACKLOG_0}/history");
    let (_, history) = w.rep_call(REP_A, Method::GET, &path, None).await;
    let entries = history["entries"].as_array().unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last["action"], "rejected", "{history}");
    assert!(last["salesforce_code"].is_string(), "{history}");
    assert_eq!(last["because"], "salesforce_rejected", "{history}");
}

#[tokio::test]
async fn with_a_key_field_every_write_is_an_upsert_and_a_repeated_one_finds_its_event() {
    use outforce::storage::{self, event_links};
    let w = world().await;
    w.sf.add_field(&w.org_id, "Event", key_field()).unwrap();
    w.connect(REP_A).await;
    w.link_backlog_meeting(1, &[]).await;
    let first = w
        .link_until(&format!("{BACKLOG_PREFIX}1="), "synced", |l| {
            l["state"] == "synced"
        })
        .await;
    let keyed =
        w.sf.query(&w.org_id, "SELECT Id, Outforce_Key__c FROM Event")
            .unwrap();
    assert_eq!(keyed.len(), 1);
    assert!(keyed[0]["Outforce_Key__c"].is_string(), "{keyed:?}");

    // A worker that wrote the Event but died before recording its Id: the next write is the
    // same upsert, which finds the Event by its key, and no query is needed to look for it.
    let user = w.user(REP_A).await;
    let db = &w.app.state.db;
    let link = event_links::find_by_outlook_id(db, &user.id, &format!("{BACKLOG_PREFIX}1="))
        .await
        .unwrap()
        .unwrap();
    event_links::outcome::forget_salesforce_event(db, &link.id, None, None, storage::now())
        .await
        .unwrap();
    event_links::outcome::record_write_intent(db, &link.id, "lost", storage::now())
        .await
        .unwrap();
    let queries = w.sf.calls("query");
    w.link_backlog_meeting(1, &[]).await;
    let again = w
        .link_until(&format!("{BACKLOG_PREFIX}1="), "synced again", |l| {
            l["state"] == "synced" && l["salesforce_event_id"].is_string()
        })
        .await;
    assert_eq!(again["salesforce_event_id"], first["salesforce_event_id"]);
    assert_eq!(w.sf.calls("query"), queries, "found by key, not by a query");
    let events = w.sf.query(&w.org_id, "SELECT Id FROM Event").unwrap();
    assert_eq!(events.len(), 1, "one Event, not two");
}
