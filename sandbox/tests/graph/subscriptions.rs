use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

use super::fixture::{REP, World, assert_envelope, meeting, world};

/// A webhook on loopback HTTPS (a certificate from the sandbox CA) that answers the validation
/// handshake (or garbles it) and records every notification.
struct Webhook {
    url: String,
    received: Arc<Mutex<Vec<Value>>>,
}

fn webhook(w: &World, honest: bool) -> Webhook {
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let store = received.clone();
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let store = store.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let store = store.clone();
            async move {
                let query: Vec<(String, String)> =
                    serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
                if let Some((_, token)) = query.iter().find(|(k, _)| k == "validationToken") {
                    let answer = if honest {
                        token.clone()
                    } else {
                        format!("{token}!")
                    };
                    return HttpResponse::Ok().content_type("text/plain").body(answer);
                }
                store
                    .lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
                HttpResponse::Accepted().finish()
            }
        }))
    })
    .workers(1)
    .listen_rustls_0_23(listener, w.authority.server_config().unwrap())
    .unwrap()
    .run();
    tokio::spawn(server);
    Webhook {
        url: format!("https://127.0.0.1:{port}/notifications"),
        received,
    }
}

fn in_minutes(minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(minutes))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn subscription(url: &str, minutes: i64) -> Value {
    json!({
        "changeType": "created,updated,deleted",
        "notificationUrl": url,
        "lifecycleNotificationUrl": url,
        "resource": format!("/users/{REP}/events"),
        "expirationDateTime": in_minutes(minutes),
        "clientState": "outforce-secret-state",
    })
}

async fn wait_for(received: &Arc<Mutex<Vec<Value>>>, count: usize) -> Vec<Value> {
    for _ in 0..100 {
        let seen = received.lock().unwrap().clone();
        if seen.len() >= count {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "expected {count} notifications, got {:?}",
        received.lock().unwrap()
    );
}

#[tokio::test]
async fn a_subscription_validates_its_endpoint_then_notifies_each_change() {
    let w = world().await;
    let hook = webhook(&w, true);
    let created = w
        .app_call("POST", "subscriptions", Some(subscription(&hook.url, 4000)))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["latestSupportedTlsVersion"], "v1_2");
    assert_eq!(created.body["changeType"], "created,updated,deleted");
    let id = created.body["id"].as_str().unwrap().to_string();

    let event = w
        .create(meeting(
            "Notify me",
            "2025-07-01T09:00:00",
            "2025-07-01T10:00:00",
        ))
        .await;
    let seen = wait_for(&hook.received, 1).await;
    let note = &seen[0]["value"][0];
    assert_eq!(note["subscriptionId"], id.as_str());
    assert_eq!(note["clientState"], "outforce-secret-state");
    assert_eq!(note["changeType"], "created");
    assert_eq!(
        note["resource"],
        format!("Users/{REP}/Events/{}", event["id"].as_str().unwrap())
    );
    assert_eq!(
        note["resourceData"]["@odata.type"],
        "#Microsoft.Graph.Event"
    );

    // A change made in Outlook notifies too.
    w.graph
        .create_event(
            REP,
            meeting(
                "Typed in Outlook",
                "2025-07-02T09:00:00",
                "2025-07-02T10:00:00",
            ),
        )
        .unwrap();
    wait_for(&hook.received, 2).await;

    assert_eq!(
        w.graph
            .send_lifecycle(&id, "reauthorizationRequired")
            .await
            .unwrap(),
        Some(202)
    );
    let seen = wait_for(&hook.received, 3).await;
    assert_eq!(
        seen[2]["value"][0]["lifecycleEvent"],
        "reauthorizationRequired"
    );
    assert_eq!(
        w.app_call("POST", &format!("subscriptions/{id}/reauthorize"), None)
            .await
            .status,
        204
    );

    let renewed = w
        .app_call(
            "PATCH",
            &format!("subscriptions/{id}"),
            Some(json!({ "expirationDateTime": in_minutes(4200) })),
        )
        .await;
    assert_eq!(renewed.status, 200);
    let too_long = w
        .app_call(
            "PATCH",
            &format!("subscriptions/{id}"),
            Some(json!({ "expirationDateTime": in_minutes(4300) })),
        )
        .await;
    assert_envelope(&too_long, 400, "InvalidRequest");
    assert_eq!(
        w.app_call("DELETE", &format!("subscriptions/{id}"), None)
            .await
            .status,
        204
    );
    assert!(w.graph.deliveries().iter().all(|d| d.status == Some(202)));
}

#[tokio::test]
async fn subscriptions_are_refused_without_a_valid_handshake_or_lifetime() {
    let w = world().await;
    let liar = webhook(&w, false);
    let refused = w
        .app_call("POST", "subscriptions", Some(subscription(&liar.url, 60)))
        .await;
    assert_envelope(&refused, 400, "ValidationError");
    let honest = webhook(&w, true);
    let too_long = w
        .app_call(
            "POST",
            "subscriptions",
            Some(subscription(&honest.url, 4231)),
        )
        .await;
    assert_envelope(&too_long, 400, "InvalidRequest");
    let plain = w
        .app_call(
            "POST",
            "subscriptions",
            Some(subscription("http://127.0.0.1:9/hook", 60)),
        )
        .await;
    assert_envelope(&plain, 400, "InvalidRequest");
    assert!(w.graph.subscription_ids().is_empty());
}
