use outforce::jobs::Job;
use serde::{Deserialize, Serialize};

use crate::db::Backend;
use crate::helpers::spawn_app;

#[derive(Serialize, Deserialize)]
struct Later;

impl Job for Later {
    const KIND: &'static str = "test_later";
    type Context = outforce::state::AppState;
    async fn run(&self, _: &Self::Context) -> anyhow::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_jobs_by_state() {
    let app = spawn_app(Backend::Sqlite).await;
    app.get("/healthz").await;
    app.get("/healthz").await;
    app.get("/no/such/route/42").await;
    // Scheduled for tomorrow: stays pending (and no worker knows its kind anyway).
    let tomorrow = chrono::Utc::now() + chrono::TimeDelta::days(1);
    app.state.queue.enqueue_at(&Later, tomorrow).await.unwrap();

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    let healthz = text
        .lines()
        .find(|l| {
            l.starts_with("outforce_http_requests_total{") && l.contains(r#"endpoint="/healthz""#)
        })
        .unwrap_or_else(|| panic!("no healthz counter in:\n{text}"));
    assert!(
        healthz.contains(r#"status="200""#) && healthz.ends_with(" 2"),
        "{healthz}"
    );
    assert!(text.contains("outforce_http_requests_duration_seconds_bucket"));
    assert!(
        !text.contains("/no/such/route/42"),
        "raw paths must not become labels"
    );
    assert!(
        text.contains(r#"outforce_jobs{state="pending"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"outforce_jobs{state="dead"} 0"#));
    app.stop().await;
}

#[tokio::test]
async fn with_a_metrics_token_only_the_scraper_that_presents_it_reads_metrics() {
    let (url, _dir) = crate::db::fresh_url(Backend::Sqlite).await;
    let mut loaded = crate::helpers::test_settings(&url);
    loaded.settings.metrics.token = Some(secrecy::SecretString::from("scrape-me"));
    let app = crate::helpers::spawn_with(loaded, outforce::startup::registry()).await;
    let metrics = |token: Option<&'static str>| {
        let request = app.client.get(format!("{}/metrics", app.address));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
        .send()
    };
    let anonymous = metrics(None).await.unwrap();
    assert_eq!(anonymous.status(), 403);
    let body: serde_json::Value = anonymous.json().await.unwrap();
    assert_eq!(body["error"]["code"], "metrics_token_required");
    assert_eq!(metrics(Some("wrong")).await.unwrap().status(), 403);
    let scraper = metrics(Some("scrape-me")).await.unwrap();
    assert_eq!(scraper.status(), 200);
    assert!(scraper.text().await.unwrap().contains("outforce_jobs"));
    app.stop().await;
}
