//! `PUT|GET|DELETE /api/v1/events/{id}/link`: a meeting related to Salesforce records and
//! selected for sync, within Salesforce's limits, the sync queued with it, rep by rep.

use outforce::storage::jobs;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::today_plus;
use crate::world::{REP_A, REP_B, World, world_with};

/// A world whose service runs no workers: what a request queued stays in the queue to be seen.
async fn world() -> World {
    world_with(|loaded| loaded.settings.jobs.workers = 0).await
}

const MEETING_ID: &str = "AAMkADk0-meeting_1=";

fn contact(n: usize) -> String {
    format!("003{n:012}AAA")
}

fn meeting() -> Value {
    json!({
        "subject": "Quarterly review",
        "start": today_plus(-3, "T14:00:00Z"),
        "end": today_plus(-3, "T15:00:00+00:00"),
        "time_zone": "W. Europe Standard Time",
        "location": "Room 4",
        "attendees": [{ "email": "Jane.Doe@acme.example", "name": "Jane Doe" }],
    })
}

impl World {
    async fn link(&self, rep: &str, method: Method, id: &str, body: Option<Value>) -> (u16, Value) {
        self.rep_call(rep, method, &format!("/api/v1/events/{id}/link"), body)
            .await
    }

    async fn put_link(&self, body: Value) -> (u16, Value) {
        self.link(REP_A, Method::PUT, MEETING_ID, Some(body)).await
    }
}

#[tokio::test]
async fn a_selected_meeting_is_stored_with_its_relations_and_its_sync_queued() {
    let w = world().await;
    let (status, link) = w
        .put_link(json!({
            "who_ids": [contact(1), contact(2), contact(1)],
            "what_id": "006000000000001AAA",
            "sync": true,
            "meeting": meeting(),
        }))
        .await;
    assert_eq!(status, 200, "{link}");
    assert_eq!(link["state"], "queued");
    assert_eq!(
        link["who_ids"],
        json!([contact(1), contact(2)]),
        "a repeated Id counts once"
    );
    assert_eq!(link["what_id"], "006000000000001AAA");
    assert_eq!(
        link["meeting"]["attendees"][0]["email"],
        "jane.doe@acme.example"
    );
    assert_eq!(w.pending_jobs_of("event.sync").await, 1);

    let (status, read) = w.link(REP_A, Method::GET, MEETING_ID, None).await;
    assert_eq!(status, 200);
    assert_eq!(read["state"], "queued");
    assert_eq!(read["sync"], true);
    assert_eq!(read["meeting"]["subject"], "Quarterly review");

    let (_, again) = w
        .put_link(json!({ "who_ids": [contact(3)], "sync": true }))
        .await;
    assert_eq!(again["who_ids"], json!([contact(3)]));
    assert_eq!(
        again["meeting"]["subject"], "Quarterly review",
        "no meeting sent: the last one kept"
    );
    assert_eq!(
        w.pending_jobs_of("event.sync").await,
        1,
        "one pending sync per meeting"
    );
}

#[tokio::test]
async fn salesforce_limits_are_enforced_with_the_rule_named() {
    let w = world().await;
    let fifty: Vec<String> = (1..=50).map(contact).collect();
    let (status, _) = w.put_link(json!({ "who_ids": fifty, "sync": true })).await;
    assert_eq!(status, 200, "50 Contacts are allowed");
    let lead = "00Q000000000001AAA";
    for (body, rule, field) in [
        (
            json!({ "who_ids": (1..=51).map(contact).collect::<Vec<_>>(), "sync": true }),
            "too_many_contacts",
            "who_ids",
        ),
        (
            json!({ "who_ids": [lead, contact(1)], "sync": true }),
            "lead_not_alone",
            "who_ids",
        ),
        (
            json!({ "who_ids": [lead], "what_id": "001000000000001AAA", "sync": true }),
            "lead_with_what",
            "what_id",
        ),
        (
            json!({ "who_ids": [contact(1), "001000000000001AAA"], "sync": true }),
            "invalid_who",
            "who_ids[1]",
        ),
        (
            json!({ "who_ids": [contact(1), "003'; DROP"], "sync": true }),
            "invalid_who",
            "who_ids[1]",
        ),
        (
            json!({ "what_id": contact(1), "sync": true }),
            "invalid_what",
            "what_id",
        ),
    ] {
        let (status, answer) = w.put_link(body).await;
        assert_eq!(status, 400, "{rule}: {answer}");
        assert_eq!(answer["error"]["code"], rule);
        assert_eq!(answer["error"]["field"], field);
    }
    let (_, kept) = w.link(REP_A, Method::GET, MEETING_ID, None).await;
    assert_eq!(
        kept["who_ids"].as_array().unwrap().len(),
        50,
        "a refused change changes nothing"
    );
    let (status, _) = w.put_link(json!({ "who_ids": [lead], "sync": true })).await;
    assert_eq!(status, 200, "one Lead alone is allowed");
}

#[tokio::test]
async fn a_meeting_that_cannot_be_synced_is_refused_naming_the_field() {
    let w = world().await;
    let mut backwards = meeting();
    backwards["end"] = json!(today_plus(-3, "T13:00:00Z"));
    let mut bad_address = meeting();
    bad_address["attendees"] = json!([{ "email": "jane@acme.example" }, { "email": "no address" }]);
    let mut long = meeting();
    long["subject"] = json!("s".repeat(256));
    for (meeting, field) in [
        (backwards, "meeting.end"),
        (bad_address, "meeting.attendees[1].email"),
        (long, "meeting.subject"),
    ] {
        let (status, answer) = w
            .put_link(json!({ "sync": true, "meeting": meeting }))
            .await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["error"]["field"], field);
    }
    let (status, answer) = w
        .link(
            REP_A,
            Method::PUT,
            "not%2Fan%2Fid",
            Some(json!({ "sync": true })),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["field"], "outlookId");
    assert_eq!(
        w.pending_jobs_of("event.sync").await,
        0,
        "nothing queued for refused input"
    );
}

#[tokio::test]
async fn a_rep_reads_and_changes_only_their_own_links() {
    let w = world().await;
    w.put_link(json!({ "who_ids": [contact(1)], "sync": true }))
        .await;

    let (status, theirs) = w.link(REP_B, Method::GET, MEETING_ID, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (&theirs["state"], &theirs["who_ids"], &theirs["version"]),
        (&json!("not_synced"), &json!([]), &json!("0")),
        "another rep's link is as unknown as none"
    );
    let (status, _) = w.link(REP_B, Method::DELETE, MEETING_ID, None).await;
    assert_eq!(status, 404);
    let (status, theirs) = w
        .link(
            REP_B,
            Method::PUT,
            MEETING_ID,
            Some(json!({ "who_ids": [contact(9)], "sync": false })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(theirs["state"], "not_synced");

    let (_, mine) = w.link(REP_A, Method::GET, MEETING_ID, None).await;
    assert_eq!(mine["who_ids"], json!([contact(1)]));
    assert_eq!(mine["sync"], true);
}

#[tokio::test]
async fn unlinking_stops_the_sync_and_queues_the_removal() {
    let w = world().await;
    let (status, _) = w.link(REP_A, Method::DELETE, MEETING_ID, None).await;
    assert_eq!(status, 404, "nothing to unlink");
    w.put_link(json!({ "who_ids": [contact(1)], "sync": true }))
        .await;
    let now = outforce::storage::now();
    let lease = now + chrono::TimeDelta::minutes(5);
    let done = jobs::claim(&w.app.state.db, &["event.sync"], "test", now, lease)
        .await
        .unwrap()
        .expect("the sync was queued");
    jobs::complete(&w.app.state.db, &done.id, "test")
        .await
        .unwrap();

    let (status, link) = w.link(REP_A, Method::DELETE, MEETING_ID, None).await;
    assert_eq!(status, 200, "{link}");
    assert_eq!(link["sync"], false);
    assert_eq!(link["state"], "not_synced");
    assert_eq!(
        w.pending_jobs_of("event.sync").await,
        1,
        "the removal is queued"
    );
}

#[tokio::test]
async fn a_reopened_meeting_shows_its_records_names_as_salesforce_holds_them_or_as_seen() {
    let w = world().await;
    w.connect(REP_A).await;
    let jane = w.seed("Contact", json!({ "FirstName": "Jane", "LastName": "Doe" }));
    let deal = w.seed("Opportunity", json!({ "Name": "Acme renewal 2027", "StageName": "Prospecting", "CloseDate": "2027-01-31" }));
    let (status, link) = w
        .put_link(json!({
            "who_ids": [jane],
            "what_id": deal,
            "sync": true,
            "names": { jane.clone(): "Jane Doe", deal.clone(): "Acme renewal 2027", contact(7): "not related" },
        }))
        .await;
    assert_eq!(status, 200, "{link}");
    assert_eq!(
        link["records"],
        json!([
            { "id": jane, "type": "contact", "name": "Jane Doe" },
            { "id": deal, "type": "opportunity", "name": "Acme renewal 2027" },
        ]),
        "the names as the rep saw them, only for what is related"
    );

    // Renamed in Salesforce: the pane reopened shows today's name, asked in one call.
    w.sf.update_record(
        &w.org_id,
        &deal,
        json!({ "Name": "Acme renewal 2027 (3 years)" }),
    )
    .unwrap();
    let before = w.sf.calls("composite");
    let (_, link) = w.link(REP_A, Method::GET, MEETING_ID, None).await;
    assert_eq!(link["records"][0]["name"], "Jane Doe");
    assert_eq!(link["records"][1]["name"], "Acme renewal 2027 (3 years)");
    assert_eq!(w.sf.calls("composite") - before, 1);
    let (_, _) = w.link(REP_A, Method::GET, MEETING_ID, None).await;
    assert_eq!(w.sf.calls("composite") - before, 1, "then from the cache");

    // Without Salesforce, another rep's view of their own link still has the names they saw.
    let (status, theirs) = w
        .link(
            REP_B,
            Method::PUT,
            MEETING_ID,
            Some(json!({ "who_ids": [jane], "sync": false, "names": { jane.clone(): "J. Doe" } })),
        )
        .await;
    assert_eq!(status, 200, "{theirs}");
    let (_, theirs) = w.link(REP_B, Method::GET, MEETING_ID, None).await;
    assert_eq!(
        theirs["records"][0]["name"], "J. Doe",
        "REP_B never connected Salesforce"
    );
}
