//! Delivering notifications: a change notification to every live subscription that covers a
//! change (retried when the webhook fails or is slow), and lifecycle notifications on demand.

use std::time::Duration;

use actix_web::web;
use serde_json::{Value, json};

use super::Inner;
use super::api::Change;
use super::subscriptions::{Delivery, Subscription};
use super::time::stamp;

const DELIVERY_TIMEOUT: Duration = Duration::from_secs(3);

/// Notifies every live subscription that covers a change.
pub fn deliver(inner: &web::Data<Inner>, changes: Vec<Change>) {
    for change in changes {
        let targets: Vec<(Subscription, Value)> = {
            let state = inner.shared.lock();
            let now = state.now();
            state
                .subscriptions
                .iter()
                .filter(|s| {
                    s.mailbox == change.mailbox
                        && s.collection == change.collection
                        && s.expiration > now
                })
                .filter(|s| s.folder.is_none() || s.folder == change.folder)
                .filter(|s| s.change_types.iter().any(|c| c == change.change_type))
                .map(|s| (s.clone(), notification(s, &change)))
                .collect()
        };
        let losing = inner.shared.lock().losing_notifications;
        for (subscription, payload) in targets {
            let inner = inner.clone();
            let resource = payload["value"][0]["resource"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let event = change.change_type.to_string();
            // Seeding from a thread without a runtime cannot deliver, a subscription awaiting
            // its reauthorization is not notified, and a test may lose notifications on the
            // way: each is recorded as a miss.
            let runtime = tokio::runtime::Handle::try_current()
                .ok()
                .filter(|_| !subscription.awaiting_reauthorization && !losing);
            let Some(runtime) = runtime else {
                let missed = Delivery {
                    subscription_id: subscription.id.clone(),
                    event,
                    resource,
                    status: None,
                    attempt: 0,
                };
                record(&inner, missed);
                continue;
            };
            runtime.spawn(async move {
                post_with_retries(
                    &inner,
                    &subscription.id,
                    &subscription.notification_url,
                    &payload,
                    &event,
                    &resource,
                )
                .await;
            });
        }
    }
}

fn notification(subscription: &Subscription, change: &Change) -> Value {
    let id = change.ids.shown(subscription.immutable_ids);
    let resource = format!("Users/{}/{}/{id}", change.mailbox, change.collection);
    let kind = if change.collection == "Events" {
        "#Microsoft.Graph.Event"
    } else {
        "#Microsoft.Graph.Contact"
    };
    json!({ "value": [{
        "id": uuid::Uuid::new_v4().to_string(),
        "subscriptionId": subscription.id,
        "subscriptionExpirationDateTime": stamp(subscription.expiration),
        "clientState": subscription.client_state,
        "changeType": change.change_type,
        "resource": resource,
        "tenantId": subscription.tenant,
        "resourceData": { "@odata.type": kind, "@odata.id": resource, "@odata.etag": change.etag, "id": id },
    }]})
}

async fn post_with_retries(
    inner: &web::Data<Inner>,
    subscription: &str,
    url: &str,
    payload: &Value,
    event: &str,
    resource: &str,
) -> Option<u16> {
    let delays = inner.shared.lock().retry_delays.clone();
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let status = inner
            .webhooks
            .post(url)
            .header("Content-Type", "application/json")
            .body(payload.to_string())
            .timeout(DELIVERY_TIMEOUT)
            .send()
            .await
            .ok()
            .map(|r| r.status().as_u16());
        record(
            inner,
            Delivery {
                subscription_id: subscription.into(),
                event: event.into(),
                resource: resource.into(),
                status,
                attempt,
            },
        );
        let delivered = status.is_some_and(|s| (200..300).contains(&s));
        match delays.get(attempt as usize - 1) {
            Some(delay) if !delivered => tokio::time::sleep(*delay).await,
            _ => return status,
        }
    }
}

fn record(inner: &web::Data<Inner>, delivery: Delivery) {
    inner.shared.lock().deliveries.push(delivery);
}

/// Sends a lifecycle notification (`reauthorizationRequired`, `subscriptionRemoved`, `missed`)
/// to the subscription's lifecycle URL; `subscriptionRemoved` also ends the subscription.
pub async fn lifecycle(
    inner: &web::Data<Inner>,
    subscription_id: &str,
    event: &str,
) -> anyhow::Result<Option<u16>> {
    let (subscription, url) = {
        let mut state = inner.shared.lock();
        let subscription = state
            .subscriptions
            .iter()
            .find(|s| s.id == subscription_id)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no such subscription"))?;
        let url = subscription
            .lifecycle_url
            .clone()
            .ok_or_else(|| anyhow::anyhow!("the subscription has no lifecycleNotificationUrl"))?;
        match event {
            "subscriptionRemoved" => state.subscriptions.retain(|s| s.id != subscription_id),
            "reauthorizationRequired" => {
                for s in state
                    .subscriptions
                    .iter_mut()
                    .filter(|s| s.id == subscription_id)
                {
                    s.awaiting_reauthorization = true;
                }
            }
            _ => {}
        }
        (subscription, url)
    };
    let payload = json!({ "value": [{
        "subscriptionId": subscription.id,
        "subscriptionExpirationDateTime": stamp(subscription.expiration),
        "tenantId": subscription.tenant,
        "clientState": subscription.client_state,
        "lifecycleEvent": event,
    }]});
    Ok(post_with_retries(
        inner,
        &subscription.id,
        &url,
        &payload,
        event,
        &subscription.resource,
    )
    .await)
}
