//! Graph returns what it stored, normalised, not what the client sent.

use serde_json::json;

use super::fixture::{REP, assert_envelope, world};

const GRAPH_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

#[tokio::test]
async fn a_created_event_comes_back_as_graph_stores_it_not_as_sent() {
    let w = world().await;
    let sent = json!({
        "subject": "Weekly pricing review",
        "showAs": "Busy",
        "importance": "HIGH",
        "body": { "contentType": "HTML", "content": "<p>Agenda</p>" },
        "start": { "dateTime": "2026-03-02T09:00:00", "timeZone": "W. Europe Standard Time" },
        "end": { "dateTime": "2026-03-02T10:00:00", "timeZone": "W. Europe Standard Time" },
        "location": { "displayName": "Harry's Bar" },
        "attendees": [{ "emailAddress": { "address": "jane@acme.example" } }],
        "recurrence": {
            "pattern": { "type": "Weekly", "daysOfWeek": ["Monday"] },
            "range": { "type": "noEnd", "startDate": "2026-03-02" },
        },
    });
    let created = w
        .app_call("POST", &format!("users/{REP}/events"), Some(sent))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("content-type"), Some(GRAPH_JSON));
    let id = created.body["id"].as_str().unwrap().to_string();
    let read = w
        .app_call("GET", &format!("users/{REP}/events/{id}"), None)
        .await;
    for event in [&created.body, &read.body] {
        assert!(
            event["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/$metadata#users('{REP}')/events/$entity")),
            "{event}"
        );
        assert_eq!(event["showAs"], "busy");
        assert_eq!(event["importance"], "high");
        assert_eq!(
            event["attendees"],
            json!([{
                "type": "required",
                "status": { "response": "none", "time": "0001-01-01T00:00:00Z" },
                "emailAddress": { "name": "jane@acme.example", "address": "jane@acme.example" },
            }])
        );
        let location = json!({
            "displayName": "Harry's Bar",
            "locationType": "default",
            "uniqueId": "Harry's Bar",
            "uniqueIdType": "private",
        });
        assert_eq!(event["location"], location);
        assert_eq!(event["locations"], json!([location]));
        assert_eq!(
            event["recurrence"],
            json!({
                "pattern": { "type": "weekly", "interval": 1, "month": 0, "dayOfMonth": 0,
                             "daysOfWeek": ["monday"], "firstDayOfWeek": "sunday", "index": "first" },
                "range": { "type": "noEnd", "startDate": "2026-03-02", "endDate": "0001-01-01",
                           "recurrenceTimeZone": "W. Europe Standard Time", "numberOfOccurrences": 0 },
            })
        );
        assert_eq!(event["body"]["contentType"], "html");
        let content = event["body"]["content"].as_str().unwrap();
        assert!(content.starts_with("<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\""));
        assert!(
            content.contains("<body>\r\n<p>Agenda</p>\r\n</body>"),
            "{content}"
        );
    }
}

#[tokio::test]
async fn an_attendees_response_survives_an_update_that_lists_them_again() {
    let w = world().await;
    let created = w
        .app_call(
            "POST",
            &format!("users/{REP}/events"),
            Some(json!({
                "subject": "Sync",
                "start": { "dateTime": "2026-03-02T09:00:00", "timeZone": "UTC" },
                "end": { "dateTime": "2026-03-02T10:00:00", "timeZone": "UTC" },
                "attendees": [{ "type": "optional", "emailAddress": { "name": "Jane", "address": "jane@acme.example" } }],
            })),
        )
        .await;
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(created.body["attendees"][0]["type"], "optional");
    assert_eq!(created.body["location"]["uniqueIdType"], "unknown");
    assert_eq!(created.body["locations"], json!([]));
    let updated = w
        .app_call(
            "PATCH",
            &format!("users/{REP}/events/{id}"),
            Some(json!({ "attendees": [
                { "type": "Optional", "emailAddress": { "name": "Jane", "address": "JANE@acme.example" } },
                { "emailAddress": { "name": "Raj", "address": "raj@acme.example" } },
            ] })),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert!(
        updated.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/events/$entity")
    );
    let attendees = updated.body["attendees"].as_array().unwrap();
    assert_eq!(attendees.len(), 2);
    assert_eq!(attendees[0]["type"], "optional");
    assert_eq!(attendees[1]["status"]["response"], "none");
}

#[tokio::test]
async fn a_value_outside_a_graph_enum_is_refused() {
    let w = world().await;
    let answer = w
        .app_call(
            "POST",
            &format!("users/{REP}/events"),
            Some(json!({
                "subject": "Odd",
                "showAs": "sometimes",
                "start": { "dateTime": "2026-03-02T09:00:00", "timeZone": "UTC" },
                "end": { "dateTime": "2026-03-02T10:00:00", "timeZone": "UTC" },
            })),
        )
        .await;
    assert_envelope(&answer, 400, "RequestBodyRead");
    assert!(
        answer.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("microsoft.graph.freeBusyStatus")
    );
}

#[tokio::test]
async fn delta_items_carry_their_odata_type() {
    let w = world().await;
    w.create(json!({
        "subject": "In the window",
        "start": { "dateTime": "2026-03-02T09:00:00", "timeZone": "UTC" },
        "end": { "dateTime": "2026-03-02T10:00:00", "timeZone": "UTC" },
    }))
    .await;
    let page = w
        .app_call(
            "GET",
            &format!(
                "users/{REP}/calendarView/delta?startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-03-08T00:00:00Z"
            ),
            None,
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let item = &page.body["value"][0];
    assert_eq!(item["@odata.type"], "#microsoft.graph.event");
    assert_eq!(item["subject"], "In the window");
}

#[tokio::test]
async fn batch_responses_carry_the_headers_of_their_own_responses() {
    let w = world().await;
    let answer = w
        .app_call(
            "POST",
            "$batch",
            Some(json!({ "requests": [
                { "id": "1", "method": "POST", "url": format!("/users/{REP}/events"),
                  "headers": { "Content-Type": "application/json" },
                  "body": { "subject": "Batched",
                            "start": { "dateTime": "2026-03-02T09:00:00", "timeZone": "UTC" },
                            "end": { "dateTime": "2026-03-02T10:00:00", "timeZone": "UTC" } } },
                { "id": "2", "method": "GET", "url": format!("/users/{REP}/outlook/masterCategories") },
            ] })),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    for response in answer.body["responses"].as_array().unwrap() {
        assert_eq!(
            response["headers"]["Content-Type"], GRAPH_JSON,
            "{response}"
        );
        assert_eq!(response["headers"]["Cache-Control"], "private");
    }
}

#[tokio::test]
async fn a_contact_read_or_written_carries_its_odata_context() {
    let w = world().await;
    let created = w
        .app_call(
            "POST",
            &format!("users/{REP}/contacts"),
            Some(json!({ "givenName": "Jane", "surname": "Doe" })),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    let read = w
        .app_call("GET", &format!("users/{REP}/contacts/{id}"), None)
        .await;
    let updated = w
        .app_call(
            "PATCH",
            &format!("users/{REP}/contacts/{id}"),
            Some(json!({ "jobTitle": "Buyer" })),
        )
        .await;
    for contact in [&created.body, &read.body, &updated.body] {
        assert!(
            contact["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/$metadata#users('{REP}')/contacts/$entity")),
            "{contact}"
        );
    }
}
