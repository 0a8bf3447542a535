use serde_json::{Value, json};

use super::fixture::{REP, World, assert_envelope, meeting, world};

const JULY: &str = "startDateTime=2025-07-01T00:00:00Z&endDateTime=2025-08-01T00:00:00Z";

/// Follows nextLinks to the end of a round: its items and its deltaLink.
async fn round(w: &World, first: &str, page_size: usize) -> (Vec<Value>, String, usize) {
    let prefer = format!("odata.maxpagesize={page_size}");
    let mut url = first.to_string();
    let mut items = Vec::new();
    let mut pages = 0;
    loop {
        let page = w
            .call(&w.app, "GET", &url, None, &[("Prefer", &prefer)])
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        pages += 1;
        assert!(page.body["value"].as_array().unwrap().len() <= page_size);
        items.extend(page.body["value"].as_array().unwrap().iter().cloned());
        if let Some(next) = page.body["@odata.nextLink"].as_str() {
            assert!(next.contains("$skiptoken="));
            url = next.to_string();
        } else {
            let delta = page.body["@odata.deltaLink"].as_str().unwrap().to_string();
            assert!(delta.contains("$deltatoken="));
            return (items, delta, pages);
        }
    }
}

#[tokio::test]
async fn a_delta_round_trip_reports_changes_and_removals() {
    let w = world().await;
    let keep = w
        .create(meeting(
            "Keep",
            "2025-07-01T09:00:00",
            "2025-07-01T10:00:00",
        ))
        .await;
    let change = w
        .create(meeting(
            "Change",
            "2025-07-02T09:00:00",
            "2025-07-02T10:00:00",
        ))
        .await;
    let remove = w
        .create(meeting(
            "Remove",
            "2025-07-03T09:00:00",
            "2025-07-03T10:00:00",
        ))
        .await;
    w.create(meeting(
        "August",
        "2025-08-05T09:00:00",
        "2025-08-05T10:00:00",
    ))
    .await;

    let start = format!("users/{REP}/calendarView/delta?{JULY}");
    let (items, delta, pages) = round(&w, &start, 2).await;
    assert_eq!(items.len(), 3, "only the window");
    assert_eq!(pages, 2);

    let (nothing, delta, _) = round(&w, &delta, 10).await;
    assert!(
        nothing.is_empty(),
        "no change, nothing reported: {nothing:?}"
    );

    let id = |e: &Value| e["id"].as_str().unwrap().to_string();
    w.app_call(
        "PATCH",
        &format!("users/{REP}/events/{}", id(&change)),
        Some(json!({ "subject": "Changed" })),
    )
    .await;
    w.app_call(
        "DELETE",
        &format!("users/{REP}/events/{}", id(&remove)),
        None,
    )
    .await;
    let outside = w
        .create(meeting(
            "September",
            "2025-09-01T09:00:00",
            "2025-09-01T10:00:00",
        ))
        .await;
    let (changes, _, _) = round(&w, &delta, 10).await;

    let by_id = |wanted: &str| changes.iter().find(|c| c["id"] == wanted).cloned();
    assert_eq!(by_id(&id(&change)).unwrap()["subject"], "Changed");
    assert_eq!(
        by_id(&id(&remove)).unwrap()["@removed"],
        json!({ "reason": "deleted" })
    );
    assert_eq!(
        by_id(&id(&outside)).unwrap()["@removed"]["reason"],
        "deleted",
        "a change outside the window is reported as removed"
    );
    assert!(by_id(&id(&keep)).is_none());
}

#[tokio::test]
async fn delta_refuses_query_options_and_expired_state() {
    let w = world().await;
    for option in [
        "$select=subject",
        "$filter=subject eq 'x'",
        "$expand=attachments",
        "$orderby=start/dateTime",
    ] {
        let refused = w
            .app_call(
                "GET",
                &format!("users/{REP}/calendarView/delta?{JULY}&{option}"),
                None,
            )
            .await;
        assert_envelope(&refused, 400, "ErrorInvalidUrlQuery");
    }
    assert_envelope(
        &w.app_call("GET", &format!("users/{REP}/calendarView/delta"), None)
            .await,
        400,
        "ErrorInvalidParameter",
    );

    let (_, delta, _) = round(&w, &format!("users/{REP}/calendarView/delta?{JULY}"), 10).await;
    w.graph.reset_sync_state(REP);
    let gone = w.call(&w.app, "GET", &delta, None, &[]).await;
    assert_envelope(&gone, 410, "syncStateNotFound");
    assert!(gone.header("location").is_some());
}

#[tokio::test]
async fn categories_travel_in_delta_while_extended_properties_do_not() {
    let w = world().await;
    let mut body = meeting("Tagged", "2025-07-01T09:00:00", "2025-07-01T10:00:00");
    body["categories"] = json!(["Salesforce"]);
    body["singleValueExtendedProperties"] = json!([{ "id": "String {8ECCC264-6880-4EBE-992F-8888D2EEAA1D} Name SfSync", "value": "1" }]);
    w.create(body).await;
    let (items, _, _) = round(&w, &format!("users/{REP}/calendarView/delta?{JULY}"), 10).await;
    assert_eq!(items[0]["categories"], json!(["Salesforce"]));
    assert!(items[0].get("singleValueExtendedProperties").is_none());
}
