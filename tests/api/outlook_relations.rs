//! Relations that follow the attendees: one added in Outlook who matches exactly one Contact is
//! related, one who leaves is unrelated unless the rep related them; an ambiguous address is
//! never guessed, and an excluded address or domain is never related.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::calendar::watched;
use crate::eventually::eventually;
use crate::helpers::today_plus;
use crate::world::{REP_A, World, attendees};

impl World {
    fn contact(&self, name: &str, email: &str) -> String {
        self.seed("Contact", json!({ "LastName": name, "Email": email }))
    }

    /// The Contacts and Leads the meeting's Event relates to, once `wanted` holds of them.
    async fn relations_until(
        &self,
        id: &str,
        what: &str,
        wanted: impl Fn(&BTreeSet<String>) -> bool,
    ) -> BTreeSet<String> {
        let what = format!("the Event's relations {what}");
        eventually(&what, std::time::Duration::from_secs(10), || async {
            let path = format!("/api/v1/events/{id}/link");
            let (_, link) = self.rep_call(REP_A, Method::GET, &path, None).await;
            let mut related = BTreeSet::new();
            if let Some(event) = link["salesforce_event_id"].as_str()
                && link["state"] == "synced"
            {
                let rows = self
                    .sf
                    .query(
                        &self.org_id,
                        &format!("SELECT RelationId FROM EventRelation WHERE EventId = '{event}'"),
                    )
                    .unwrap();
                // Without Shared Activities the one relation is the Event's WhoId alone.
                let who = self
                    .sf
                    .query(
                        &self.org_id,
                        &format!("SELECT WhoId FROM Event WHERE Id = '{event}'"),
                    )
                    .unwrap();
                related = rows
                    .iter()
                    .filter_map(|r| r["RelationId"].as_str())
                    .chain(who.iter().filter_map(|r| r["WhoId"].as_str()))
                    .filter(|r| r.starts_with("003") || r.starts_with("00Q"))
                    .map(str::to_string)
                    .collect();
                if wanted(&related) {
                    return Ok(related);
                }
            }
            Err((link, related))
        })
        .await
    }
}

fn set(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|id| (*id).clone()).collect()
}

#[tokio::test]
async fn an_attendee_added_in_outlook_who_matches_one_contact_is_related_and_unrelated_when_they_leave_unless_the_rep_chose_them()
 {
    let w = watched(3600, true).await;
    w.sf.set_shared_activities(&w.org_id, true);
    w.default_policy(json!({ "excluded": ["partner.example"] }))
        .await;
    let ann = w.contact("Ann", "ann@acme.example");
    let bob = w.contact("Bob", "bob@acme.example");
    let carl = w.contact("Carl", "carl@acme.example");
    w.contact("Dup One", "dup@acme.example");
    w.contact("Dup Two", "dup@acme.example");
    let eve = w.contact("Eve", "eve@partner.example");

    // The rep relates Carl and leaves Ann out, as the pane showed them both.
    let id = w.meeting_in_outlook(
        "Renewal",
        attendees(&["ann@acme.example", "carl@acme.example"]),
    );
    let body = json!({
        "who_ids": [carl],
        "sync": true,
        "meeting": {
            "subject": "Renewal",
            "start": today_plus(2, "T15:00:00Z"),
            "end": today_plus(2, "T16:00:00Z"),
            "attendees": [{ "email": "ann@acme.example" }, { "email": "carl@acme.example" }],
        },
    });
    let path = format!("/api/v1/events/{id}/link");
    let (status, link) = w.rep_call(REP_A, Method::PUT, &path, Some(body)).await;
    assert_eq!(status, 200, "{link}");
    let related = w
        .relations_until(&id, "took the rep's choice", |r| !r.is_empty())
        .await;
    assert_eq!(related, set(&[&carl]), "the rep left Ann out");
    w.until_watched().await;

    // Bob joins, so do an ambiguous address and an excluded one: Bob alone is related.
    w.edit_in_outlook(
        &id,
        attendees(&[
            "ann@acme.example",
            "carl@acme.example",
            "bob@acme.example",
            "dup@acme.example",
            "eve@partner.example",
        ]),
    );
    let related = w
        .relations_until(&id, "related Bob", |r| r.contains(&bob))
        .await;
    assert_eq!(related, set(&[&carl, &bob]));
    assert!(!related.contains(&eve) && !related.contains(&ann));
    let (_, link) = w.rep_call(REP_A, Method::GET, &path, None).await;
    assert_eq!(link["attendee_relations"], json!([bob]), "{link}");

    // Everyone but Ann leaves: Bob is unrelated, Carl stays (the rep related him).
    w.edit_in_outlook(&id, attendees(&["ann@acme.example"]));
    let related = w
        .relations_until(&id, "unrelated Bob", |r| !r.contains(&bob))
        .await;
    assert_eq!(related, set(&[&carl]));

    let history = w
        .history_until(&id, "kept both relation changes", |h| {
            h.iter()
                .filter(|e| e["action"] == "relations_followed")
                .count()
                >= 2
        })
        .await;
    let followed: Vec<&Value> = history
        .iter()
        .filter(|e| e["action"] == "relations_followed")
        .collect();
    assert_eq!(followed.len(), 2, "{history:?}");
    w.assert_nothing_mailed_by_outforce();
}

#[tokio::test]
async fn a_meeting_selected_by_category_relates_its_attendees_but_never_an_excluded_domain() {
    let w = watched(1, true).await;
    w.default_policy(json!({ "excluded": ["partner.example", "boss@acme.example"] }))
        .await;
    // Sorted, the excluded addresses come first: only the exclusion passes them over.
    let zoe = w.contact("Zoe", "zoe@acme.example");
    w.contact("Boss", "boss@acme.example");
    w.contact("Eve", "eve@partner.example");
    let mut meeting = attendees(&[
        "eve@partner.example",
        "boss@acme.example",
        "zoe@acme.example",
    ]);
    meeting["categories"] = json!(["Salesforce"]);
    let id = w.meeting_in_outlook("Partner briefing", meeting);
    let related = w
        .relations_until(&id, "related Zoe", |r| !r.is_empty())
        .await;
    assert_eq!(
        related,
        set(&[&zoe]),
        "the org has no Shared Activities: one Contact, never an excluded one"
    );
}

#[tokio::test]
async fn with_every_meeting_synced_those_with_a_matching_attendee_are_written_and_the_rest_skipped()
{
    let w = watched(1, true).await;
    w.sf.set_shared_activities(&w.org_id, true);
    // The first round (which reads the policy first) is over before the policy changes.
    w.sync_status_until("read the calendar once", |s| s["last_poll_at"].is_string())
        .await;
    w.default_policy(json!({ "scope": "all" })).await;
    let ann = w.contact("Ann", "ann@acme.example");
    let lee = w.seed(
        "Lead",
        json!({ "LastName": "Lee", "Company": "Initech", "Email": "lee@initech.example" }),
    );
    w.contact("Dup One", "dup@acme.example");
    w.contact("Dup Two", "dup@acme.example");

    let customer = w.meeting_in_outlook(
        "Customer call",
        attendees(&["ann@acme.example", "sam@contoso.example"]),
    );
    let intro = w.meeting_in_outlook("Lead intro", attendees(&["lee@initech.example"]));
    let internal = w.meeting_in_outlook("Internal", attendees(&["sam@contoso.example"]));
    let unsure = w.meeting_in_outlook("Unsure", attendees(&["dup@acme.example"]));

    let events = w
        .events_until("wrote the two that qualify", |e| e.len() == 2)
        .await;
    let mut subjects: Vec<&str> = events
        .iter()
        .map(|e| e["Subject"].as_str().unwrap())
        .collect();
    subjects.sort_unstable();
    assert_eq!(subjects, ["Customer call", "Lead intro"]);
    assert_eq!(
        w.relations_until(&customer, "related Ann", |r| !r.is_empty())
            .await,
        set(&[&ann])
    );
    assert_eq!(
        w.relations_until(&intro, "related Lee", |r| !r.is_empty())
            .await,
        set(&[&lee]),
        "a Lead, alone"
    );
    for (id, why) in [(&internal, "internal only"), (&unsure, "ambiguous")] {
        let link = w
            .link_until(id, why, |l| l["error"] == "no_matching_attendee")
            .await;
        assert_eq!(link["state"], "not_synced", "{why}: {link}");
    }
    let history = w.history(&unsure).await;
    assert!(
        history.iter().any(|e| e["action"] == "relations_followed"),
        "the ambiguous address is reported: {history:?}"
    );

    // The rep takes one out from the pane: its Event goes, and the scope does not bring it back.
    let path = format!("/api/v1/events/{customer}/link");
    let (status, _) = w.rep_call(REP_A, Method::DELETE, &path, None).await;
    assert!(status < 300);
    w.events_until("removed the excluded meeting", |e| e.len() == 1)
        .await;
    w.edit_in_outlook(&customer, json!({ "subject": "Customer call (moved)" }));
    w.poll_now().await;
    w.until_idle().await;
    assert_eq!(w.salesforce_events().len(), 1, "excluded stays excluded");
    w.assert_nothing_mailed_by_outforce();
}

#[tokio::test]
async fn a_configuration_switched_to_every_meeting_picks_up_the_meetings_already_there() {
    let w = watched(3600, false).await;
    w.contact("Ann", "ann@acme.example");
    w.meeting_in_outlook(
        "Quarterly business review",
        attendees(&["ann@acme.example"]),
    );
    w.sync_status_until("read the calendar once", |s| s["last_poll_at"].is_string())
        .await;
    assert!(
        w.salesforce_events().is_empty(),
        "only selected meetings, so far"
    );

    // The admin turns on every meeting: the calendar is read afresh, not only its changes.
    let body = json!({ "name": "Everyone", "is_default": true, "settings": { "scope": "all" } });
    let (status, answer) = w
        .admin(Method::POST, "/api/v1/admin/sync-configs", Some(body))
        .await;
    assert_eq!(status, 201, "{answer}");
    let events = w
        .events_until("wrote the meeting already there", |e| e.len() == 1)
        .await;
    assert_eq!(events[0]["Subject"], "Quarterly business review");
}
