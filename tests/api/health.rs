use crate::db::Backend;
use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_answers_200() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    app.stop().await;
}

#[tokio::test]
async fn readyz_checks_the_database_on_sqlite_and_postgres() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = spawn_app(backend).await;
        let response = app.get("/readyz").await;
        assert_eq!(response.status(), 200, "{backend:?}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["database"], "ok");
        app.stop().await;
    }
}

#[tokio::test]
async fn readyz_is_503_in_the_envelope_when_the_database_is_gone() {
    let app = spawn_app(Backend::Sqlite).await;
    app.state.db.close().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(!body["error"]["request_id"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn head_on_healthz_and_readyz_answers_as_get_does_without_a_body() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in ["/healthz", "/readyz"] {
        let response = app
            .client
            .head(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.bytes().await.unwrap().is_empty(), "{path}");
    }
    app.stop().await;
}
