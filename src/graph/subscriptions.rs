//! Change-notification subscriptions on a rep's calendar: created (Graph first checks our
//! webhook with a validation handshake), renewed before they lapse, reauthorized when Graph
//! asks, deleted when no longer wanted. Basic notifications only (no resource data): the
//! notification says which event changed and the sync reads it.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::Graph;
use super::access::MailboxToken;
use super::events::{ReadError, url_path_segment};

/// Outlook events: at most 4,230 minutes for a subscription without resource data. We ask a
/// little less so a clock a few minutes ahead of Graph's is not refused.
pub const LIFETIME: chrono::Duration = chrono::Duration::minutes(4200);

/// Where Graph reaches us.
#[derive(Debug, Clone)]
pub struct Webhooks {
    pub notification_url: String,
    pub lifecycle_url: String,
}

/// A live subscription.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub id: String,
    pub expiration_date_time: DateTime<Utc>,
}

/// What creating a subscription met, beyond throttling and transport.
#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Graph refused it (a webhook it could not validate, a URL that is not HTTPS): its answer.
    #[error("Graph refused the subscription ({status}): {message}")]
    Refused { status: u16, message: String },
}

impl Graph {
    /// Subscribes to every change of the mailbox's events, notifications carrying immutable
    /// ids and `client_state`.
    pub async fn subscribe(
        &self,
        mailbox: &MailboxToken,
        webhooks: &Webhooks,
        client_state: &str,
        expires: DateTime<Utc>,
    ) -> Result<Subscription, SubscribeError> {
        let body = serde_json::json!({
            "changeType": "created,updated,deleted",
            "notificationUrl": webhooks.notification_url,
            "lifecycleNotificationUrl": webhooks.lifecycle_url,
            "resource": format!("/{}/events", mailbox.mailbox),
            "expirationDateTime": stamp(expires),
            "clientState": client_state,
        });
        let response = self
            .send(
                self.http.post(self.url("subscriptions")).json(&body),
                mailbox,
            )
            .await?;
        let status = response.status().as_u16();
        if status == 201 {
            return response
                .json()
                .await
                .map_err(|e| ReadError::Decode(e).into());
        }
        let answer: serde_json::Value = response.json().await.unwrap_or_default();
        let message = answer["error"]["message"]
            .as_str()
            .unwrap_or("no message")
            .to_string();
        Err(SubscribeError::Refused { status, message })
    }

    /// Extends a subscription to `expires`; `None` when Graph no longer has it.
    pub async fn renew(
        &self,
        mailbox: &MailboxToken,
        id: &str,
        expires: DateTime<Utc>,
    ) -> Result<Option<Subscription>, ReadError> {
        let body = serde_json::json!({ "expirationDateTime": stamp(expires) });
        let url = self.url(&format!("subscriptions/{}", url_path_segment(id)));
        let response = self.send(self.http.patch(url).json(&body), mailbox).await?;
        match response.status().as_u16() {
            200 => response.json().await.map(Some).map_err(ReadError::Decode),
            404 => Ok(None),
            other => Err(ReadError::Status(other)),
        }
    }

    /// Reauthorizes a subscription Graph asked about (`reauthorizationRequired`); `false` when
    /// Graph no longer has it.
    pub async fn reauthorize(&self, mailbox: &MailboxToken, id: &str) -> Result<bool, ReadError> {
        let url = self.url(&format!(
            "subscriptions/{}/reauthorize",
            url_path_segment(id)
        ));
        let response = self.send(self.http.post(url), mailbox).await?;
        match response.status().as_u16() {
            200..=299 => Ok(true),
            404 => Ok(false),
            other => Err(ReadError::Status(other)),
        }
    }

    /// Deletes a subscription; one Graph no longer has is as good as deleted.
    pub async fn unsubscribe(&self, mailbox: &MailboxToken, id: &str) -> Result<(), ReadError> {
        let url = self.url(&format!("subscriptions/{}", url_path_segment(id)));
        let response = self.send(self.http.delete(url), mailbox).await?;
        match response.status().as_u16() {
            200..=299 | 404 => Ok(()),
            other => Err(ReadError::Status(other)),
        }
    }

    fn url(&self, rest: &str) -> String {
        let base = self.settings.base_url.trim_end_matches('/');
        format!("{base}/v1.0/{rest}")
    }
}

/// Graph's instant format: UTC with a `Z`.
fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
