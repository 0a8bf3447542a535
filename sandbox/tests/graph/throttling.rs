use std::time::Duration;

use outforce_sandbox::graph::GraphFault;

use super::fixture::{COLLEAGUE, REP, assert_envelope, world};

#[tokio::test]
async fn an_exhausted_budget_answers_429_with_a_retry_after() {
    let w = world().await;
    w.graph.set_request_budget(3, Duration::from_secs(600));
    for _ in 0..3 {
        assert_eq!(
            w.app_call("GET", &format!("users/{REP}/events"), None)
                .await
                .status,
            200
        );
    }
    let refused = w
        .app_call("GET", &format!("users/{REP}/events"), None)
        .await;
    assert_envelope(&refused, 429, "TooManyRequests");
    assert_eq!(
        refused.body["error"]["message"],
        "Please retry again later."
    );
    assert_eq!(refused.body["error"]["innerError"]["status"], "429");
    let wait: f64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!(wait > 0.0 && wait <= 600.0, "{wait}");
    assert_eq!(
        w.app_call("GET", &format!("users/{COLLEAGUE}/events"), None)
            .await
            .status,
        200,
        "the budget is per mailbox"
    );
}

#[tokio::test]
async fn more_than_four_concurrent_requests_on_a_mailbox_are_throttled() {
    let w = world().await;
    w.graph.set_latency(Duration::from_millis(300));
    let path = format!("users/{REP}/events");
    let call = || w.app_call("GET", &path, None);
    let (a, b, c, d, e, f) = tokio::join!(call(), call(), call(), call(), call(), call());
    let answers = [a, b, c, d, e, f];
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        4,
        "{statuses:?}"
    );
    let throttled = answers.iter().find(|a| a.status == 429).unwrap();
    assert_eq!(throttled.code(), "ApplicationThrottled");
}

#[tokio::test]
async fn scripted_faults_have_graphs_bodies() {
    let w = world().await;
    w.graph.script_faults(
        &format!("/v1.0/users/{REP}/calendarView"),
        vec![GraphFault::Throttled(2.128), GraphFault::Unavailable],
    );
    let first = w.app_call("GET", &format!("users/{REP}/calendarView/delta?startDateTime=2025-07-01T00:00:00Z&endDateTime=2025-08-01T00:00:00Z"), None).await;
    assert_envelope(&first, 429, "TooManyRequests");
    assert_eq!(first.header("retry-after"), Some("2.128"));
    let second = w.app_call("GET", &format!("users/{REP}/calendarView?startDateTime=2025-07-01T00:00:00Z&endDateTime=2025-08-01T00:00:00Z"), None).await;
    assert_envelope(&second, 503, "ServiceUnavailable");
    let third = w.app_call("GET", &format!("users/{REP}/calendarView?startDateTime=2025-07-01T00:00:00Z&endDateTime=2025-08-01T00:00:00Z"), None).await;
    assert_eq!(third.status, 200);
}
