use std::time::Duration;

use serde_json::json;

use super::fixture::{org, urlencode};

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    urlencode(&t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string())
}

#[tokio::test]
async fn updated_and_deleted_cover_a_window_truncated_to_the_minute() {
    let org = org();
    let start = chrono::Utc::now() - chrono::Duration::minutes(5);
    let kept = org.contact("Kept", "One", "k@x.example", None);
    let gone = org.contact("Gone", "Two", "g@x.example", None);
    org.call("DELETE", &format!("sobjects/Contact/{gone}"), None)
        .await;
    org.sf.advance_clock(Duration::from_secs(120));
    let end = chrono::Utc::now() + chrono::Duration::minutes(5);

    let updated = org
        .get(&format!(
            "sobjects/Contact/updated/?start={}&end={}",
            stamp(start),
            stamp(end)
        ))
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(updated.body["ids"], json!([kept]));
    let covered = updated.body["latestDateCovered"].as_str().unwrap();
    assert!(
        covered.ends_with(":00.000+0000"),
        "truncated to the minute: {covered}"
    );

    let deleted = org
        .get(&format!(
            "sobjects/Contact/deleted/?start={}&end={}",
            stamp(start),
            stamp(end)
        ))
        .await;
    assert_eq!(deleted.body["deletedRecords"][0]["id"], gone.as_str());
    assert!(
        deleted.body["deletedRecords"][0]["deletedDate"]
            .as_str()
            .unwrap()
            .ends_with("+0000")
    );
    assert!(deleted.body["earliestDateAvailable"].is_string());
}

#[tokio::test]
async fn windows_too_old_or_inverted_are_invalid_replication_dates() {
    let org = org();
    let now = chrono::Utc::now();
    let too_old = org
        .get(&format!(
            "sobjects/Contact/updated/?start={}&end={}",
            stamp(now - chrono::Duration::days(31)),
            stamp(now)
        ))
        .await;
    assert_eq!(too_old.status, 400);
    assert_eq!(too_old.error_code(), "INVALID_REPLICATION_DATE");
    let inverted = org
        .get(&format!(
            "sobjects/Contact/deleted/?start={}&end={}",
            stamp(now),
            stamp(now - chrono::Duration::hours(1))
        ))
        .await;
    assert_eq!(inverted.error_code(), "INVALID_REPLICATION_DATE");
}
