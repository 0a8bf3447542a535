use serde_json::json;

use super::fixture::{REP, meeting, world};

fn weekly() -> serde_json::Value {
    let mut body = meeting("Weekly sync", "2025-09-01T09:00:00", "2025-09-01T09:30:00");
    body["recurrence"] = json!({
        "pattern": { "type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "firstDayOfWeek": "sunday" },
        "range": { "type": "numbered", "startDate": "2025-09-01", "numberOfOccurrences": 4, "recurrenceTimeZone": "Pacific Standard Time" }
    });
    body
}

const SEPTEMBER: &str = "startDateTime=2025-09-01T00:00:00Z&endDateTime=2025-10-01T00:00:00Z";

#[tokio::test]
async fn a_series_lists_as_its_master_and_views_as_occurrences() {
    let w = world().await;
    let master = w.create(weekly()).await;
    assert_eq!(master["type"], "seriesMaster");
    let master_id = master["id"].as_str().unwrap();

    let events = w
        .app_call("GET", &format!("users/{REP}/events"), None)
        .await;
    assert_eq!(
        events.body["value"].as_array().unwrap().len(),
        1,
        "/events never expands a series"
    );

    let view = w
        .app_call(
            "GET",
            &format!("users/{REP}/calendarView?{SEPTEMBER}"),
            None,
        )
        .await;
    let occurrences = view.body["value"].as_array().unwrap();
    assert_eq!(occurrences.len(), 4);
    assert!(
        occurrences
            .iter()
            .all(|o| o["type"] == "occurrence" && o["seriesMasterId"] == master_id)
    );
    assert_eq!(
        occurrences[1]["start"]["dateTime"],
        "2025-09-08T16:00:00.0000000"
    );
    assert_ne!(
        occurrences[0]["iCalUId"], occurrences[1]["iCalUId"],
        "iCalUId differs per occurrence"
    );

    let instances = w
        .app_call(
            "GET",
            &format!("users/{REP}/events/{master_id}/instances?{SEPTEMBER}"),
            None,
        )
        .await;
    assert_eq!(instances.body["value"].as_array().unwrap().len(), 4);

    let second = occurrences[1]["id"].as_str().unwrap();
    let moved = w
        .app_call("PATCH", &format!("users/{REP}/events/{second}"), Some(json!({ "subject": "Weekly sync (moved)", "start": { "dateTime": "2025-09-09T09:00:00", "timeZone": "Pacific Standard Time" }, "end": { "dateTime": "2025-09-09T09:30:00", "timeZone": "Pacific Standard Time" } })))
        .await;
    assert_eq!(moved.status, 200);
    assert_eq!(moved.body["type"], "exception");
    assert_eq!(
        moved.body["id"], second,
        "an exception keeps its occurrence's id"
    );
    let third = occurrences[2]["id"].as_str().unwrap();
    assert_eq!(
        w.app_call("DELETE", &format!("users/{REP}/events/{third}"), None)
            .await
            .status,
        204
    );

    let after = w
        .app_call(
            "GET",
            &format!("users/{REP}/calendarView?{SEPTEMBER}"),
            None,
        )
        .await;
    let items = after.body["value"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[1]["type"], "exception");
    assert_eq!(items[1]["start"]["dateTime"], "2025-09-09T16:00:00.0000000");
    assert_eq!(
        w.app_call("GET", &format!("users/{REP}/events/{third}"), None)
            .await
            .status,
        404
    );
    // Cancelling an occurrence changes its series, as Exchange records it on the master.
    let master_now = w
        .app_call("GET", &format!("users/{REP}/events/{master_id}"), None)
        .await;
    assert_ne!(master_now.body["changeKey"], master["changeKey"]);
}

/// Graph v1.0's event carries `uid`, shared by a series master, its occurrences and its
/// exceptions, and `occurrenceId` (`OID.{masterId}.{date}`) on an occurrence or exception, null
/// otherwise (learn.microsoft.com/graph/api/resources/event: uid, occurrenceId).
#[tokio::test]
async fn every_instance_carries_the_series_uid_and_an_occurrence_its_occurrence_id() {
    let w = world().await;
    let single = w
        .create(meeting(
            "One-off",
            "2025-09-02T10:00:00",
            "2025-09-02T10:30:00",
        ))
        .await;
    assert!(single["uid"].is_string(), "{single}");
    assert_eq!(single["occurrenceId"], serde_json::Value::Null);

    let master = w.create(weekly()).await;
    let master_id = master["id"].as_str().unwrap();
    let uid = master["uid"].as_str().unwrap();
    assert_ne!(uid, single["uid"].as_str().unwrap());
    assert_eq!(master["occurrenceId"], serde_json::Value::Null);

    let view = w
        .app_call(
            "GET",
            &format!("users/{REP}/calendarView?{SEPTEMBER}"),
            None,
        )
        .await;
    let occurrences: Vec<&serde_json::Value> = view.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["type"] == "occurrence")
        .collect();
    assert_eq!(occurrences.len(), 4);
    for (o, day) in occurrences
        .iter()
        .zip(["2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22"])
    {
        assert_eq!(o["uid"], uid, "one uid for the whole series");
        assert_eq!(o["occurrenceId"], format!("OID.{master_id}.{day}"));
    }

    let second = occurrences[1]["id"].as_str().unwrap().to_string();
    let moved = w
        .app_call(
            "PATCH",
            &format!("users/{REP}/events/{second}"),
            Some(json!({ "subject": "Weekly sync (moved)" })),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["type"], "exception");
    assert_eq!(moved.body["uid"], uid, "an exception keeps the series' uid");
    assert_eq!(
        moved.body["occurrenceId"],
        format!("OID.{master_id}.2025-09-08")
    );
}
