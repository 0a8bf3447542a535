//! The dry run of a sync configuration: what it would do for a rep, line by line with the rule
//! behind each, writing nothing; then the configuration applied, and Salesforce changed exactly
//! as the preview said.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::calendar::watched;
use crate::world::{REP_A, attendees};

#[tokio::test]
async fn the_preview_lists_exactly_what_the_configuration_then_does() {
    let w = watched(3600, false).await;
    let ann = w.seed(
        "Contact",
        json!({ "LastName": "Ann", "Email": "ann@acme.example" }),
    );
    // Two meetings the rep selected and synced under the default configuration.
    let edited = w.synced_meeting("Renewal").await;
    let deleted = w.meeting_in_outlook("Dinner", json!({}));
    w.select_in_pane(&deleted).await;
    w.events_until("synced both", |e| e.len() == 2).await;
    w.link_until(&deleted, "synced", |l| l["state"] == "synced")
        .await;
    // Since then, in Outlook (unseen yet: no notifications, no poll for an hour).
    w.edit_in_outlook(&edited, json!({ "subject": "Renewal (v2)" }));
    w.delete_in_outlook(&deleted);
    let customer = w.meeting_in_outlook("Customer call", attendees(&["ann@acme.example"]));
    let internal = w.meeting_in_outlook("Internal", attendees(&["sam@contoso.example"]));
    let mut tagged_body = json!({ "categories": ["Salesforce"] });
    tagged_body["subject"] = json!("Tagged");
    let tagged = w.meeting_in_outlook("Tagged", tagged_body);
    let mut private_body = attendees(&["ann@acme.example"]);
    private_body["sensitivity"] = json!("private");
    let private = w.meeting_in_outlook("Private", private_body);

    let body = json!({ "name": "Everything", "settings": { "scope": "all", "private": "skip" } });
    let (status, config) = w
        .admin(Method::POST, "/api/v1/admin/sync-configs", Some(body))
        .await;
    assert_eq!(status, 201, "{config}");
    let id = config["id"].as_str().unwrap();
    let writes = w.sf.calls("composite/sobjects");
    let path = format!("/api/v1/admin/sync-configs/{id}/preview");
    let (status, preview) = w
        .admin(Method::POST, &path, Some(json!({ "user": REP_A })))
        .await;
    assert_eq!(status, 200, "{preview}");
    let lines: BTreeMap<String, (String, String, Value)> = preview["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let id = l["outlook_event_id"].as_str().unwrap().to_string();
            let what = (
                l["action"].as_str().unwrap().to_string(),
                l["because"].as_str().unwrap().to_string(),
                l["related"].clone(),
            );
            (id, what)
        })
        .collect();
    let expect = |id: &str, action: &str, because: &str| {
        let (a, b, _) = &lines[id];
        assert_eq!(
            (a.as_str(), b.as_str()),
            (action, because),
            "{id}: {preview}"
        );
    };
    expect(&customer, "create", "every_meeting");
    assert_eq!(lines[&customer].2, json!([ann]), "related to Ann");
    expect(&internal, "skip", "no_matching_attendee");
    expect(&tagged, "create", "selected_by_category");
    expect(&private, "skip", "private");
    expect(&edited, "update", "selected");
    expect(&deleted, "delete", "outlook_deleted");
    // Nothing was written, in Salesforce or in outforce.
    assert_eq!(w.sf.calls("composite/sobjects"), writes);
    assert_eq!(w.salesforce_events().len(), 2);
    let (_, missing) = w
        .rep_call(
            REP_A,
            Method::GET,
            &format!("/api/v1/events/{customer}/link"),
            None,
        )
        .await;
    assert_eq!(
        (&missing["version"], &missing["state"]),
        (&serde_json::json!("0"), &serde_json::json!("not_synced")),
        "no link was made"
    );

    // Applied to the rep: Salesforce changes as the preview said, and only so.
    let assign = format!("/api/v1/admin/sync-configs/{id}/assignments/user/{REP_A}");
    let (status, _) = w.admin(Method::PUT, &assign, None).await;
    assert_eq!(status, 200);
    let events = w
        .events_until("applied the configuration", |e| {
            let mut subjects: Vec<&str> = e.iter().filter_map(|e| e["Subject"].as_str()).collect();
            subjects.sort_unstable();
            subjects == ["Customer call", "Renewal (v2)", "Tagged"]
        })
        .await;
    assert_eq!(events.len(), 3);
    w.assert_nothing_mailed_by_outforce();
}
