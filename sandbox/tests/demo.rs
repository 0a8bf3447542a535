//! The demo data: a believable org and a week of meetings in the rep's mailbox, seeded into
//! every emulator through their own APIs.
use outforce_sandbox::Sandbox;
use outforce_sandbox::demo::{self, DemoData};

#[tokio::test]
async fn the_demo_seeds_an_org_and_a_week_of_meetings() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).unwrap();
    let data = DemoData::bundled().unwrap();
    let accounts = demo::seed(
        &sandbox,
        &data,
        "http://127.0.0.1:8080/auth/salesforce/callback",
    )
    .unwrap();
    assert!(dir.path().join("sandbox-ca.pem").exists());

    let org = &accounts.salesforce_org_id;
    let contacts = sandbox
        .salesforce
        .query(
            org,
            "SELECT Id, Account.Name FROM Contact WHERE Account.Name = 'Acme Corporation'",
        )
        .unwrap();
    assert_eq!(contacts.len(), 2);
    let leads = sandbox
        .salesforce
        .query(org, "SELECT COUNT() FROM Lead WHERE IsConverted = false")
        .unwrap();
    assert_eq!(leads[0]["count"], 3);

    let now = chrono::Utc::now();
    let (from, to) = (
        now - chrono::Duration::days(8),
        now + chrono::Duration::days(8),
    );
    let query = format!(
        "calendarView?startDateTime={}&endDateTime={}&$top=100",
        from.format("%Y-%m-%dT%H:%M:%SZ"),
        to.format("%Y-%m-%dT%H:%M:%SZ")
    );
    let (status, view) = sandbox
        .graph
        .as_owner(demo::REP_OBJECT_ID, "GET", &query, None)
        .unwrap();
    assert_eq!(status, 200);
    let events = view["value"].as_array().unwrap();
    assert!(
        events.iter().any(|e| e["type"] == "occurrence"),
        "a recurring meeting"
    );
    assert!(
        events.iter().any(|e| e["sensitivity"] == "private"),
        "a private meeting"
    );
    assert!(
        events.iter().any(|e| e["isAllDay"] == true),
        "an all-day event"
    );
    let attendees: Vec<&str> = events
        .iter()
        .flat_map(|e| e["attendees"].as_array().unwrap().iter())
        .filter_map(|a| a["emailAddress"]["address"].as_str())
        .collect();
    assert!(
        attendees.contains(&"jane.doe@acme-corp.example"),
        "known contacts"
    );
    assert!(
        attendees.contains(&"alex.kim@unknown-startup.example"),
        "and strangers"
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn the_seeded_week_is_the_mailboxs_own_and_is_told_to_the_demo_page() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).unwrap();
    let data = DemoData::bundled().unwrap();
    sandbox.graph.add_mailbox(
        demo::TENANT_ID,
        demo::REP_OBJECT_ID,
        demo::REP_USERNAME,
        "Avery Rep",
    );
    // Monday 02:00 UTC is Sunday 21:00 in the mailbox's zone (Eastern): its Outlook still
    // shows the week that began on the Monday before, and the demo page lists the week this
    // returns (not the UTC week, which has moved on).
    let now = "2026-12-07T02:00:00Z".parse().unwrap();
    let (count, monday) = data
        .seed_mailbox(&sandbox.graph, demo::REP_OBJECT_ID, now)
        .unwrap();
    assert_eq!(
        monday,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    );
    assert_eq!(count, data.mailbox.events.len());

    // That week in Eastern time (UTC-5 in winter) holds every meeting of the file.
    let query =
        "calendarView?startDateTime=2026-11-30T05:00:00Z&endDateTime=2026-12-07T05:00:00Z&$top=100";
    let (status, view) = sandbox
        .graph
        .as_owner(demo::REP_OBJECT_ID, "GET", query, None)
        .unwrap();
    assert_eq!(status, 200, "{view}");
    let seen: std::collections::BTreeSet<&str> = view["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["subject"].as_str())
        .collect();
    for event in &data.mailbox.events {
        assert!(
            seen.contains(event.subject.as_str()),
            "{} is in the week",
            event.subject
        );
    }
    sandbox.stop().await;
}

#[tokio::test]
async fn a_demo_data_file_may_carry_the_control_apis_switches() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(dir.path()).unwrap();
    let mut data: serde_json::Value =
        serde_json::from_str(include_str!("../demo-data.json")).unwrap();
    data["switches"] = serde_json::json!({
        "salesforce": {
            "custom_fields": [{ "sobject": "Event", "name": "Outlook_Id__c", "external_id": true }],
            "duplicate_rules": [{ "sobject": "Contact", "fields": ["Email"] }],
        },
    });
    let file = dir.path().join("demo-data.json");
    std::fs::write(&file, data.to_string()).unwrap();
    let accounts = demo::seed(
        &sandbox,
        &DemoData::from_file(&file).unwrap(),
        "http://127.0.0.1:8080/auth/salesforce/callback",
    )
    .unwrap();
    let org = &accounts.salesforce_org_id;
    sandbox
        .salesforce
        .query(org, "SELECT Outlook_Id__c FROM Event")
        .expect("the custom field exists");
    let email = sandbox
        .salesforce
        .query(org, "SELECT Email FROM Contact WHERE Email != null LIMIT 1")
        .unwrap()[0]["Email"]
        .as_str()
        .unwrap()
        .to_string();
    let duplicate = sandbox.salesforce.create_record(
        org,
        "Contact",
        serde_json::json!({ "LastName": "Copy", "Email": email }),
    );
    assert!(
        duplicate
            .unwrap_err()
            .to_string()
            .contains("DUPLICATES_DETECTED")
    );

    data["switches"] = serde_json::json!({ "salesforce": { "no_such_switch": true } });
    std::fs::write(&file, data.to_string()).unwrap();
    assert!(
        DemoData::from_file(&file).is_err(),
        "an unknown switch is refused, not ignored"
    );
    sandbox.stop().await;
}
