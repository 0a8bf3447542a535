use serde_json::json;

use super::fixture::{REP, assert_envelope, meeting, world};

const FLAG: &str = "String {8ECCC264-6880-4EBE-992F-8888D2EEAA1D} Name SfSync";

#[tokio::test]
async fn extended_properties_are_set_expanded_and_filtered() {
    let w = world().await;
    let tagged = w
        .create(meeting(
            "Tagged",
            "2025-07-01T09:00:00",
            "2025-07-01T10:00:00",
        ))
        .await;
    w.create(meeting(
        "Untagged",
        "2025-07-02T09:00:00",
        "2025-07-02T10:00:00",
    ))
    .await;
    let id = tagged["id"].as_str().unwrap();
    let patched = w
        .app_call(
            "PATCH",
            &format!("users/{REP}/events/{id}"),
            Some(json!({ "singleValueExtendedProperties": [{ "id": FLAG, "value": "1" }] })),
        )
        .await;
    assert_eq!(patched.status, 200);
    assert!(
        patched.body.get("singleValueExtendedProperties").is_none(),
        "never listed without $expand"
    );

    let expand = format!("singleValueExtendedProperties($filter=id eq '{FLAG}')");
    let query = serde_urlencoded::to_string([("$expand", expand.as_str())]).unwrap();
    let expanded = w
        .app_call("GET", &format!("users/{REP}/events/{id}?{query}"), None)
        .await;
    assert_eq!(
        expanded.body["singleValueExtendedProperties"],
        json!([{ "id": FLAG, "value": "1" }])
    );

    let filter =
        format!("singleValueExtendedProperties/Any(ep: ep/id eq '{FLAG}' and ep/value eq '1')");
    let query = serde_urlencoded::to_string([("$filter", filter.as_str())]).unwrap();
    let found = w
        .app_call("GET", &format!("users/{REP}/events?{query}"), None)
        .await;
    let subjects: Vec<&str> = found.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["Tagged"]);
}

#[tokio::test]
async fn a_new_mailbox_has_outlooks_six_preset_categories() {
    let w = world().await;
    let listed = w
        .app_call(
            "GET",
            &format!("users/{REP}/outlook/masterCategories"),
            None,
        )
        .await;
    let presets: Vec<(&str, &str)> = listed.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["displayName"].as_str().unwrap(),
                c["color"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        presets,
        [
            ("Red category", "preset0"),
            ("Orange category", "preset1"),
            ("Yellow category", "preset3"),
            ("Green category", "preset4"),
            ("Blue category", "preset7"),
            ("Purple category", "preset8"),
        ]
    );
}

#[tokio::test]
async fn categories_and_master_categories() {
    let w = world().await;
    let created = w
        .app_call(
            "POST",
            &format!("users/{REP}/outlook/masterCategories"),
            Some(json!({ "displayName": "Salesforce", "color": "preset3" })),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.body["color"], "preset3");
    let duplicate = w
        .app_call(
            "POST",
            &format!("users/{REP}/outlook/masterCategories"),
            Some(json!({ "displayName": "salesforce" })),
        )
        .await;
    assert_envelope(&duplicate, 409, "ErrorDuplicateObject");
    let listed = w
        .app_call(
            "GET",
            &format!("users/{REP}/outlook/masterCategories"),
            None,
        )
        .await;
    let names: Vec<&str> = listed.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names.iter().filter(|n| **n == "Salesforce").count(),
        1,
        "{names:?}"
    );

    let mut body = meeting("Categorised", "2025-07-01T09:00:00", "2025-07-01T10:00:00");
    body["categories"] = json!(["Salesforce"]);
    w.create(body).await;
    w.create(meeting(
        "Plain",
        "2025-07-02T09:00:00",
        "2025-07-02T10:00:00",
    ))
    .await;
    let query =
        serde_urlencoded::to_string([("$filter", "categories/any(c:c eq 'Salesforce')")]).unwrap();
    let found = w
        .app_call("GET", &format!("users/{REP}/events?{query}"), None)
        .await;
    assert_eq!(found.body["value"].as_array().unwrap().len(), 1);
    assert_eq!(found.body["value"][0]["categories"], json!(["Salesforce"]));
}

#[tokio::test]
async fn the_master_category_list_needs_mailbox_settings_permission() {
    // The rep's delegated token carries Calendars and Contacts only.
    let w = world().await;
    let path = format!("users/{REP}/outlook/masterCategories");
    let listed = w.call(&w.rep, "GET", &path, None, &[]).await;
    assert_envelope(&listed, 403, "ErrorAccessDenied");
    let body = json!({ "displayName": "Salesforce", "color": "preset7" });
    let added = w.call(&w.rep, "POST", &path, Some(body), &[]).await;
    assert_envelope(&added, 403, "ErrorAccessDenied");
    // The app has MailboxSettings.ReadWrite.
    assert_eq!(w.app_call("GET", &path, None).await.status, 200);
}

#[tokio::test]
async fn a_users_groups_are_read_with_permission_to_read_memberships() {
    let w = world().await;
    w.graph.set_member_groups(REP, &["g-1", "g-2"]);
    let path = format!("users/{REP}/getMemberGroups");
    let body = json!({ "securityEnabledOnly": false });
    let listed = w.app_call("POST", &path, Some(body.clone())).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body["value"], json!(["g-1", "g-2"]));
    // The rep's delegated token has no GroupMember.Read.All.
    let refused = w
        .call(&w.rep, "POST", "me/getMemberGroups", Some(body), &[])
        .await;
    assert_envelope(&refused, 403, "Authorization_RequestDenied");
}

#[tokio::test]
async fn what_attendees_would_be_mailed_is_recorded_with_who_caused_it() {
    let w = world().await;
    // The owner sends a meeting from Outlook: an invitation.
    let (status, event) = w
        .graph
        .as_owner(
            REP,
            "POST",
            "events",
            Some(meeting(
                "Pricing",
                "2025-09-03T10:00:00",
                "2025-09-03T11:00:00",
            )),
        )
        .unwrap();
    assert_eq!(status, 201, "{event}");
    let id = event["id"].as_str().unwrap();
    let path = format!("users/{REP}/events/{id}");
    // An application marks it and tags it: attendees see neither, nothing is sent.
    let mark = json!({
        "singleValueExtendedProperties": [{ "id": FLAG, "value": "1" }],
        "categories": ["Salesforce"],
    });
    assert_eq!(w.app_call("PATCH", &path, Some(mark)).await.status, 200);
    // An application moves it: an update, caused by the application.
    let moved = json!({ "subject": "Pricing (moved)" });
    assert_eq!(w.app_call("PATCH", &path, Some(moved)).await.status, 200);
    let sent: Vec<(&str, String)> = w
        .graph
        .sent_notices()
        .into_iter()
        .map(|n| (n.kind, n.by))
        .collect();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0], ("invitation", "outlook".to_string()));
    assert_eq!(sent[1].0, "update");
    assert_ne!(sent[1].1, "outlook");
}
