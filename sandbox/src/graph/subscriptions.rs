//! Subscriptions: create (after the validation handshake), renew within the maximum lifetime,
//! reauthorize, delete, list. Delivery is in `notify`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::api::{Call, Caller, Reply};
use super::auth::reach;
use super::time::{parse_query_instant, stamp};

use super::Inner;

/// Outlook events and contacts: 4,230 minutes; one day with resource data.
const MAX_MINUTES: i64 = 4230;
const MAX_MINUTES_WITH_DATA: i64 = 1440;
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: String,
    pub resource: String,
    pub mailbox: String,
    pub collection: &'static str,
    pub folder: Option<String>,
    pub change_types: Vec<String>,
    pub notification_url: String,
    pub lifecycle_url: Option<String>,
    pub expiration: DateTime<Utc>,
    pub client_state: Option<String>,
    pub app_id: String,
    pub creator_id: String,
    pub tenant: String,
    pub include_resource_data: bool,
    pub immutable_ids: bool,
    /// A `reauthorizationRequired` was sent and the app has neither reauthorized nor renewed
    /// the subscription since: no change is notified meanwhile. (Graph's documentation says
    /// only that ignoring the event "might break the change notification flow"; the emulator
    /// takes the strict reading, so that a client that ignores it is caught.)
    pub awaiting_reauthorization: bool,
}

impl Subscription {
    fn json(&self, base: &str) -> Value {
        json!({
            "@odata.context": format!("{base}/$metadata#subscriptions/$entity"),
            "id": self.id,
            "resource": self.resource,
            "applicationId": self.app_id,
            "changeType": self.change_types.join(","),
            "clientState": self.client_state,
            "notificationUrl": self.notification_url,
            "notificationQueryOptions": null,
            "lifecycleNotificationUrl": self.lifecycle_url,
            "expirationDateTime": stamp(self.expiration),
            "creatorId": self.creator_id,
            "includeResourceData": self.include_resource_data,
            "latestSupportedTlsVersion": "v1_2",
            "encryptionCertificate": null,
            "encryptionCertificateId": null,
            "notificationUrlAppId": null,
            "notificationContentType": null,
        })
    }
}

/// One attempt to reach a webhook, for tests to inspect.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub subscription_id: String,
    /// `created`/`updated`/`deleted`, or the lifecycle event.
    pub event: String,
    pub resource: String,
    /// The webhook's status; `None` when it could not be reached in time.
    pub status: Option<u16>,
    pub attempt: u32,
}

fn invalid(message: &str) -> Reply {
    Reply::error(400, "InvalidRequest", message)
}

/// `/me/events`, `users/{id}/contacts`, `/users/{id}/contactFolders/{fid}/contacts`.
fn parse_resource(
    resource: &str,
    caller: &Caller,
) -> Option<(String, &'static str, Option<String>)> {
    let parts: Vec<&str> = resource.trim_start_matches('/').split('/').collect();
    let (user, rest) = match parts.as_slice() {
        [me, rest @ ..] if me.eq_ignore_ascii_case("me") => (caller.user.clone()?, rest),
        [users, user, rest @ ..] if users.eq_ignore_ascii_case("users") => {
            ((*user).to_string(), rest)
        }
        _ => return None,
    };
    let lower: Vec<String> = rest.iter().map(|s| s.to_ascii_lowercase()).collect();
    match lower
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["events"] => Some((user, "Events", None)),
        ["contacts"] => Some((user, "Contacts", None)),
        ["contactfolders", _, "contacts"] => Some((user, "Contacts", Some(rest[1].to_string()))),
        _ => None,
    }
}

pub async fn route(inner: &Inner, caller: &Caller, call: &Call<'_>) -> Reply {
    let path: Vec<&str> = call.path.iter().map(String::as_str).collect();
    match (call.method, path.as_slice()) {
        ("POST", ["subscriptions"]) => create(inner, caller, call).await,
        ("GET", ["subscriptions"]) => {
            let state = inner.shared.lock();
            let mine: Vec<Value> = state
                .subscriptions
                .iter()
                .filter(|s| s.app_id == caller.app_id)
                .map(|s| s.json(call.base))
                .collect();
            Reply::ok(
                json!({ "@odata.context": format!("{}/$metadata#subscriptions", call.base), "value": mine }),
            )
        }
        (method, ["subscriptions", id, rest @ ..]) => {
            let mut state = inner.shared.lock();
            let now = state.now();
            let Some(index) = state
                .subscriptions
                .iter()
                .position(|s| s.id == *id && s.app_id == caller.app_id)
            else {
                return Reply::error(404, "ResourceNotFound", "The object was not found.");
            };
            match (method, rest) {
                ("GET", []) => Reply::ok(state.subscriptions[index].json(call.base)),
                ("DELETE", []) => {
                    state.subscriptions.remove(index);
                    Reply::no_content()
                }
                ("PATCH", []) => {
                    let Some(expiration) = call
                        .body
                        .as_ref()
                        .and_then(|b| b["expirationDateTime"].as_str())
                        .and_then(parse_query_instant)
                    else {
                        return invalid("expirationDateTime is required.");
                    };
                    let subscription = &mut state.subscriptions[index];
                    if let Err(reply) =
                        check_expiration(expiration, now, subscription.include_resource_data)
                    {
                        return reply;
                    }
                    subscription.expiration = expiration;
                    subscription.awaiting_reauthorization = false;
                    Reply::ok(subscription.json(call.base))
                }
                ("POST", ["reauthorize"]) => {
                    state.subscriptions[index].awaiting_reauthorization = false;
                    Reply::no_content()
                }
                _ => Reply::error(405, "InvalidRequest", "The OData request is not supported."),
            }
        }
        _ => Reply::error(405, "InvalidRequest", "The OData request is not supported."),
    }
}

fn check_expiration(
    expiration: DateTime<Utc>,
    now: DateTime<Utc>,
    with_data: bool,
) -> Result<(), Reply> {
    let max = if with_data {
        MAX_MINUTES_WITH_DATA
    } else {
        MAX_MINUTES
    };
    if expiration <= now {
        return Err(invalid(
            "Subscription expiration can only be in the future.",
        ));
    }
    if expiration > now + chrono::Duration::minutes(max) {
        return Err(invalid(&format!(
            "Subscription expiration can only be {max} minutes in the future."
        )));
    }
    Ok(())
}

async fn create(inner: &Inner, caller: &Caller, call: &Call<'_>) -> Reply {
    let body = call.body.clone().unwrap_or(Value::Null);
    let text = |key: &str| body[key].as_str().map(str::to_string);
    let Some(resource) = text("resource") else {
        return invalid("resource is required.");
    };
    let Some(notification_url) = text("notificationUrl") else {
        return invalid("notificationUrl is required.");
    };
    let change_types: Vec<String> = text("changeType")
        .unwrap_or_default()
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if change_types.is_empty()
        || change_types
            .iter()
            .any(|c| !matches!(c.as_str(), "created" | "updated" | "deleted"))
    {
        return invalid("changeType must be one or more of created, updated, deleted.");
    }
    if text("clientState").is_some_and(|c| c.len() > 128) {
        return invalid("clientState can be at most 128 characters.");
    }
    let include_resource_data = body["includeResourceData"].as_bool().unwrap_or(false);
    if include_resource_data && body.get("encryptionCertificate").is_none_or(Value::is_null) {
        return invalid("encryptionCertificate is required when includeResourceData is true.");
    }
    let lifecycle_url = text("lifecycleNotificationUrl");
    let (now, mailbox, collection, folder) = {
        let state = inner.shared.lock();
        for url in std::iter::once(&notification_url).chain(lifecycle_url.as_ref()) {
            if let Err(reply) = check_url(url, state.allow_http_webhooks) {
                return reply;
            }
        }
        let Some((user, collection, folder)) = parse_resource(&resource, caller) else {
            return invalid(&format!("Resource '{resource}' is not supported."));
        };
        let area = if collection == "Events" {
            "Calendars"
        } else {
            "Contacts"
        };
        match reach(
            &state.mailboxes,
            &state.policies,
            caller,
            &user,
            area,
            false,
        ) {
            Ok(mailbox) => (state.now(), mailbox, collection, folder),
            Err(reply) => return reply,
        }
    };
    let Some(expiration) = text("expirationDateTime").and_then(|e| parse_query_instant(&e)) else {
        return invalid("expirationDateTime is required.");
    };
    if let Err(reply) = check_expiration(expiration, now, include_resource_data) {
        return reply;
    }
    for url in std::iter::once(&notification_url).chain(lifecycle_url.as_ref()) {
        if let Err(reason) = handshake(&inner.webhooks, url).await {
            return Reply::error(
                400,
                "ValidationError",
                &format!("Subscription validation request failed. {reason}"),
            );
        }
    }
    let subscription = Subscription {
        id: uuid::Uuid::new_v4().to_string(),
        resource,
        mailbox,
        collection,
        folder,
        change_types,
        notification_url,
        lifecycle_url,
        expiration,
        client_state: text("clientState"),
        app_id: caller.app_id.clone(),
        creator_id: caller.user.clone().unwrap_or_else(|| caller.app_id.clone()),
        tenant: caller.tenant.clone(),
        include_resource_data,
        immutable_ids: call.prefer.immutable_ids,
        awaiting_reauthorization: false,
    };
    let json = subscription.json(call.base);
    let delay = {
        let mut state = inner.shared.lock();
        state.subscriptions.push(subscription);
        state.subscription_answer_delay
    };
    // It notifies from now on, whenever its creator hears of it.
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Reply::with(201, json)
}

fn check_url(url: &str, allow_http: bool) -> Result<(), Reply> {
    let loopback_http =
        allow_http && (url.starts_with("http://127.0.0.1") || url.starts_with("http://localhost"));
    if url.starts_with("https://") || loopback_http {
        Ok(())
    } else {
        Err(invalid("The notification URL must use https."))
    }
}

/// POSTs `?validationToken=…` and expects the token back, as text, with 200, within 10 s.
async fn handshake(client: &reqwest::Client, url: &str) -> Result<(), String> {
    let token = format!(
        "Validation: Testing client application reachability for subscription Request-Id: {}",
        uuid::Uuid::new_v4()
    );
    let separator = if url.contains('?') { '&' } else { '?' };
    let encoded = serde_urlencoded::to_string([("validationToken", &token)]).unwrap_or_default();
    let response = client
        .post(format!("{url}{separator}{encoded}"))
        .header("Content-Type", "text/plain; charset=utf-8")
        .timeout(HANDSHAKE_TIMEOUT)
        .send()
        .await
        .map_err(|_| {
            "Notification endpoint must respond with 200 OK to validation request.".to_string()
        })?;
    let status = response.status().as_u16();
    let text_plain = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let body = response.text().await.unwrap_or_default();
    if status != 200 {
        return Err(format!(
            "Notification endpoint must respond with 200 OK to validation request (it answered {status})."
        ));
    }
    if body != token || !text_plain {
        return Err(
            "Response must exactly match validationToken query parameter, as text/plain.".into(),
        );
    }
    Ok(())
}
