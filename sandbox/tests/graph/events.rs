use serde_json::json;

use super::fixture::{REP, assert_envelope, meeting, world};

#[tokio::test]
async fn events_are_created_read_updated_and_deleted_as_graph_does() {
    let w = world().await;
    let answer = w
        .app_call(
            "POST",
            &format!("users/{REP}/events"),
            Some(meeting(
                "Pricing",
                "2025-07-01T09:00:00",
                "2025-07-01T10:00:00",
            )),
        )
        .await;
    assert_eq!(answer.status, 201);
    let id = answer.body["id"].as_str().unwrap().to_string();
    assert!(answer.header("location").unwrap().contains(&id));
    assert_eq!(
        answer.body["start"],
        json!({ "dateTime": "2025-07-01T16:00:00.0000000", "timeZone": "UTC" }),
        "UTC without a Prefer header"
    );
    assert_eq!(
        answer.body["originalStartTimeZone"],
        "Pacific Standard Time"
    );
    assert_eq!(answer.body["type"], "singleInstance");
    assert_eq!(answer.body["bodyPreview"], "Agenda: pricing");
    let etag = answer.body["@odata.etag"].as_str().unwrap().to_string();
    assert!(etag.starts_with("W/\""));
    let created = answer.body["createdDateTime"].as_str().unwrap();
    assert_eq!(created.len(), 28, "seven fractional digits: {created}");

    let local = w
        .call(
            &w.app,
            "GET",
            &format!("users/{REP}/events/{id}"),
            None,
            &[("Prefer", "outlook.timezone=\"W. Europe Standard Time\"")],
        )
        .await;
    assert_eq!(
        local.body["start"]["dateTime"],
        "2025-07-01T18:00:00.0000000"
    );
    assert_eq!(
        local.header("preference-applied"),
        Some("outlook.timezone=\"W. Europe Standard Time\"")
    );
    let text = w
        .call(
            &w.app,
            "GET",
            &format!("users/{REP}/events/{id}"),
            None,
            &[("Prefer", "outlook.body-content-type=\"text\"")],
        )
        .await;
    assert_eq!(
        text.body["body"],
        json!({ "contentType": "text", "content": "Agenda: pricing" })
    );

    let patched = w
        .call(
            &w.app,
            "PATCH",
            &format!("users/{REP}/events/{id}"),
            Some(json!({ "subject": "Pricing v2" })),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(patched.status, 200);
    assert_eq!(patched.body["subject"], "Pricing v2");
    assert_ne!(patched.body["@odata.etag"], etag);
    let stale = w
        .call(
            &w.app,
            "PATCH",
            &format!("users/{REP}/events/{id}"),
            Some(json!({ "subject": "lost update" })),
            &[("If-Match", &etag)],
        )
        .await;
    assert_envelope(&stale, 412, "ErrorIrresolvableConflict");

    assert_eq!(
        w.app_call("DELETE", &format!("users/{REP}/events/{id}"), None)
            .await
            .status,
        204
    );
    assert_envelope(
        &w.app_call("GET", &format!("users/{REP}/events/{id}"), None)
            .await,
        404,
        "ErrorItemNotFound",
    );
    assert_envelope(
        &w.app_call("GET", &format!("users/{REP}/events/not-an-id"), None)
            .await,
        400,
        "ErrorInvalidIdMalformed",
    );
}

#[tokio::test]
async fn a_retried_create_with_the_same_transaction_id_makes_no_duplicate() {
    let w = world().await;
    let mut body = meeting("Once", "2025-07-01T09:00:00", "2025-07-01T10:00:00");
    body["transactionId"] = json!("outforce-7f1c");
    let first = w.create(body.clone()).await;
    let again = w.create(body).await;
    assert_eq!(first["id"], again["id"]);
    let list = w
        .app_call("GET", &format!("users/{REP}/events"), None)
        .await;
    assert_eq!(list.body["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn invalid_events_are_refused() {
    let w = world().await;
    let mut all_day = meeting("Offsite", "2025-07-01T09:00:00", "2025-07-02T00:00:00");
    all_day["isAllDay"] = json!(true);
    assert_envelope(
        &w.app_call("POST", &format!("users/{REP}/events"), Some(all_day))
            .await,
        400,
        "ErrorPropertyValidationFailure",
    );
    let mut mars = meeting("Mars", "2025-07-01T09:00:00", "2025-07-01T10:00:00");
    mars["start"]["timeZone"] = json!("Mars Standard Time");
    assert_envelope(
        &w.app_call("POST", &format!("users/{REP}/events"), Some(mars))
            .await,
        400,
        "TimeZoneNotSupportedException",
    );
    let backwards = meeting("Backwards", "2025-07-01T10:00:00", "2025-07-01T09:00:00");
    assert_envelope(
        &w.app_call("POST", &format!("users/{REP}/events"), Some(backwards))
            .await,
        400,
        "ErrorInvalidRequest",
    );
    let mut crowded = meeting("Crowded", "2025-07-01T09:00:00", "2025-07-01T10:00:00");
    crowded["attendees"] = json!((0..501).map(|i| json!({ "type": "required", "emailAddress": { "address": format!("a{i}@x.example") } })).collect::<Vec<_>>());
    assert_envelope(
        &w.app_call("POST", &format!("users/{REP}/events"), Some(crowded))
            .await,
        400,
        "ErrorInvalidRequest",
    );
    let view = w
        .app_call("GET", &format!("users/{REP}/calendarView"), None)
        .await;
    assert_envelope(&view, 400, "ErrorInvalidParameter");
}

#[tokio::test]
async fn lists_page_with_next_links() {
    let w = world().await;
    for day in 1..=12 {
        w.create(meeting(
            &format!("Day {day}"),
            &format!("2025-07-{day:02}T09:00:00"),
            &format!("2025-07-{day:02}T10:00:00"),
        ))
        .await;
    }
    let first = w.app_call("GET", &format!("users/{REP}/calendarView?startDateTime=2025-07-01T00:00:00Z&endDateTime=2025-08-01T00:00:00Z"), None).await;
    assert_eq!(
        first.body["value"].as_array().unwrap().len(),
        10,
        "Graph pages by 10 by default"
    );
    assert_eq!(first.body["value"][0]["subject"], "Day 1", "by start");
    let next = first.body["@odata.nextLink"].as_str().unwrap();
    let second = w.call(&w.app, "GET", next, None, &[]).await;
    assert_eq!(second.body["value"].as_array().unwrap().len(), 2);
    assert!(second.body.get("@odata.nextLink").is_none());
    assert_eq!(w.graph.calls("calendarView"), 2);
}

#[tokio::test]
async fn an_all_day_event_shows_as_midnight_of_its_dates_in_any_zone() {
    // Graph shows all-day events floating: midnight of their dates, labelled with the zone
    // asked for (UTC by default), never converted (a Tokyo all-day event is not the day before).
    let w = world().await;
    let mut offsite = meeting("Offsite", "2025-07-01T00:00:00", "2025-07-03T00:00:00");
    offsite["isAllDay"] = json!(true);
    offsite["start"]["timeZone"] = json!("Tokyo Standard Time");
    offsite["end"]["timeZone"] = json!("Tokyo Standard Time");
    let created = w.create(offsite).await;
    let id = created["id"].as_str().unwrap();
    let event = w
        .app_call("GET", &format!("users/{REP}/events/{id}"), None)
        .await;
    assert_eq!(
        event.body["start"]["dateTime"],
        "2025-07-01T00:00:00.0000000"
    );
    assert_eq!(event.body["start"]["timeZone"], "UTC");
    assert_eq!(event.body["end"]["dateTime"], "2025-07-03T00:00:00.0000000");
    assert_eq!(event.body["originalStartTimeZone"], "Tokyo Standard Time");
}

/// The autumn change repeats 01:00–02:00 in Los Angeles. Exchange takes such a time as standard
/// time (the second 01:30, PST, UTC−8), as outforce's own mapping does (`sync::model::zones`).
#[tokio::test]
async fn a_time_the_autumn_change_repeats_is_standard_time() {
    let w = world().await;
    let created = w
        .create(meeting(
            "Night shift hand-over",
            "2026-11-01T01:30:00",
            "2026-11-01T02:30:00",
        ))
        .await;
    let id = created["id"].as_str().unwrap();
    let read = w
        .app_call("GET", &format!("users/{REP}/events/{id}"), None)
        .await;
    assert_eq!(read.body["start"]["timeZone"], "UTC");
    assert_eq!(
        read.body["start"]["dateTime"], "2026-11-01T09:30:00.0000000",
        "01:30 PST, not 01:30 PDT (08:30 UTC)"
    );
    assert_eq!(read.body["end"]["dateTime"], "2026-11-01T10:30:00.0000000");
    let local = w
        .call(
            &w.app,
            "GET",
            &format!("users/{REP}/events/{id}"),
            None,
            &[("Prefer", "outlook.timezone=\"Pacific Standard Time\"")],
        )
        .await;
    assert_eq!(
        local.body["start"]["dateTime"], "2026-11-01T01:30:00.0000000",
        "and it reads back as it was written"
    );
}
