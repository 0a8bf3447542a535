use serde_json::{Value, json};

use super::fixture::{REP, assert_envelope, meeting, world};

fn get(id: &str, depends: Option<&str>) -> Value {
    let mut request = json!({ "id": id, "method": "GET", "url": format!("/users/{REP}/events") });
    if let Some(d) = depends {
        request["dependsOn"] = json!([d]);
    }
    request
}

#[tokio::test]
async fn batch_items_have_their_own_status_and_dependencies_fail_with_424() {
    let w = world().await;
    let answer = w
        .app_call(
            "POST",
            "$batch",
            Some(json!({ "requests": [
                { "id": "1", "method": "POST", "url": format!("/users/{REP}/events"), "headers": { "Content-Type": "application/json" },
                  "body": meeting("From batch", "2025-07-01T09:00:00", "2025-07-01T10:00:00") },
                { "id": "2", "method": "GET", "url": format!("/users/{REP}/events/not-an-id"), "dependsOn": ["1"] },
                { "id": "3", "method": "GET", "url": format!("/users/{REP}/events"), "dependsOn": ["2"] },
                { "id": "4", "method": "POST", "url": format!("/users/{REP}/events"), "body": { "subject": "no content type" } },
            ]})),
        )
        .await;
    assert_eq!(answer.status, 200, "the batch itself succeeds");
    let responses = answer.body["responses"].as_array().unwrap();
    let status = |id: &str| {
        responses.iter().find(|r| r["id"] == id).unwrap()["status"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(status("1"), 201);
    assert_eq!(status("2"), 400);
    assert_eq!(status("3"), 424);
    assert_eq!(status("4"), 400);
    assert_eq!(responses[0]["body"]["subject"], "From batch");
}

#[tokio::test]
async fn malformed_batches_are_refused_whole() {
    let w = world().await;
    let twenty_one: Vec<Value> = (0..21).map(|i| get(&i.to_string(), None)).collect();
    assert_envelope(
        &w.app_call("POST", "$batch", Some(json!({ "requests": twenty_one })))
            .await,
        400,
        "BadRequest",
    );
    let duplicate = json!({ "requests": [get("a", None), get("A", None)] });
    assert_envelope(
        &w.app_call("POST", "$batch", Some(duplicate)).await,
        400,
        "BadRequest",
    );
}

#[tokio::test]
async fn parallel_items_beyond_four_per_mailbox_are_throttled_but_a_chain_is_not() {
    let w = world().await;
    let parallel: Vec<Value> = (0..6).map(|i| get(&i.to_string(), None)).collect();
    let answer = w
        .app_call("POST", "$batch", Some(json!({ "requests": parallel })))
        .await;
    let responses = answer.body["responses"].as_array().unwrap();
    let throttled: Vec<&Value> = responses.iter().filter(|r| r["status"] == 429).collect();
    assert_eq!(throttled.len(), 2);
    assert_eq!(
        throttled[0]["body"]["error"]["code"],
        "ApplicationThrottled"
    );
    assert_eq!(
        throttled[0]["body"]["error"]["message"],
        "Application is over its MailboxConcurrency limit."
    );
    assert!(throttled[0]["headers"]["Retry-After"].is_string());

    let chain: Vec<Value> = (0..6)
        .map(|i| {
            get(
                &i.to_string(),
                (i > 0).then(|| (i - 1).to_string()).as_deref(),
            )
        })
        .collect();
    let answer = w
        .app_call("POST", "$batch", Some(json!({ "requests": chain })))
        .await;
    assert!(
        answer.body["responses"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == 200)
    );
}
