//! Reading a rep's events from their mailbox: one event as Graph has it now, with its body as
//! text and its id immutable, so the sync writes what Outlook holds rather than what the pane
//! saw. A throttled answer (429) says how long to wait.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use secrecy::ExposeSecret as _;

use super::access::MailboxToken;
use super::{Graph, MAX_WAIT};

/// What reading an event met.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// 429 (or 503) with the wait Graph asked for (`Retry-After`, seconds).
    #[error("Graph asked to wait {0:?}")]
    Throttled(Duration),
    #[error("Graph answered {0}")]
    Status(u16),
    #[error("Graph could not be reached")]
    Transport(#[source] reqwest::Error),
    #[error("Graph's answer could not be read")]
    Decode(#[source] reqwest::Error),
}

impl ReadError {
    /// A failure that passes by itself (throttled, Graph unreachable, timed out, a 5xx, a
    /// cut-off answer): asking again later can succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Throttled(_) | Self::Transport(_) | Self::Decode(_) => true,
            Self::Status(status) => *status >= 500,
        }
    }
}

/// Without a `Retry-After`, a throttled call waits this long.
const DEFAULT_WAIT: Duration = Duration::from_secs(10);

impl Graph {
    /// The event `id` of the mailbox, with its selection property; `None` when Graph does not
    /// know it (not yet saved there, or gone).
    pub async fn event(
        &self,
        mailbox: &MailboxToken,
        id: &str,
    ) -> Result<Option<serde_json::Value>, ReadError> {
        let url = self.mailbox_url(
            mailbox,
            &format!(
                "events/{}?$expand=singleValueExtendedProperties($filter=id%20eq%20'{}')",
                url_path_segment(id),
                url_path_segment(SELECTION_PROPERTY)
            ),
        );
        let request = self
            .http
            .get(url)
            .header("Prefer", "outlook.body-content-type=\"text\"");
        let response = self.send(request, mailbox).await?;
        match response.status().as_u16() {
            200 => response.json().await.map(Some).map_err(ReadError::Decode),
            404 => Ok(None),
            other => Err(ReadError::Status(other)),
        }
    }

    /// The occurrences and exceptions of the series `master_id` that fall in `[start, end)`,
    /// every page of them (cancelled occurrences are not listed).
    pub async fn instances(
        &self,
        mailbox: &MailboxToken,
        master_id: &str,
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<serde_json::Value>, ReadError> {
        let window = serde_urlencoded::to_string([
            (
                "startDateTime",
                start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            ),
            ("endDateTime", end.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            ("$select", "id,type,seriesMasterId,isCancelled".to_string()),
        ])
        .unwrap_or_default();
        let path = format!("events/{}/instances?{window}", url_path_segment(master_id));
        let mut url = self.mailbox_url(mailbox, &path);
        let base = format!("{}/", self.settings.base_url.trim_end_matches('/'));
        let mut found = Vec::new();
        loop {
            let response = self.send(self.http.get(&url), mailbox).await?;
            match response.status().as_u16() {
                200 => {}
                404 => return Ok(found),
                other => return Err(ReadError::Status(other)),
            }
            let mut page: serde_json::Value = response.json().await.map_err(ReadError::Decode)?;
            if let serde_json::Value::Array(items) = page["value"].take() {
                found.extend(items);
            }
            match page["@odata.nextLink"].as_str() {
                // A next link is followed only to the configured Graph, as delta links are.
                Some(next) if next.starts_with(&base) => url = next.to_string(),
                _ => return Ok(found),
            }
        }
    }

    /// `{graph}/v1.0/{mailbox}/{rest}`.
    pub(super) fn mailbox_url(&self, mailbox: &MailboxToken, rest: &str) -> String {
        let base = self.settings.base_url.trim_end_matches('/');
        format!("{base}/v1.0/{}/{rest}", mailbox.mailbox)
    }
}

impl Graph {
    /// Sends `request` with the mailbox's token, asking for immutable ids, and never more than
    /// [`MAILBOX_CONCURRENCY`] at once for one mailbox from this process (Outlook refuses a
    /// fifth with 429). A throttled answer (429, or 503 with `Retry-After`) is
    /// [`ReadError::Throttled`] with the wait Graph asked for, and holds the mailbox: until the
    /// wait is over, every request to it is [`ReadError::Throttled`] with what is left of the
    /// wait, unsent (asking again early only prolongs Graph's throttling).
    pub(super) async fn send(
        &self,
        request: reqwest::RequestBuilder,
        mailbox: &MailboxToken,
    ) -> Result<reqwest::Response, ReadError> {
        self.held(mailbox).await?;
        let slots = self
            .mailbox_slots
            .get_with(mailbox.owner.clone(), async {
                Arc::new(Semaphore::new(MAILBOX_CONCURRENCY))
            })
            .await;
        // The semaphore is never closed, so acquiring cannot fail.
        let _slot = slots.acquire().await.map_err(|_| ReadError::Status(0))?;
        // A request that waited for a slot may have waited into a hold.
        self.held(mailbox).await?;
        let sent = send_now(request, mailbox).await;
        if let Err(ReadError::Throttled(wait)) = &sent {
            let until = Instant::now() + *wait;
            self.mailbox_holds
                .entry(mailbox.owner.clone())
                .and_upsert_with(|held| async move {
                    held.map_or(until, |held| held.into_value().max(until))
                })
                .await;
        }
        sent
    }

    /// `Err(Throttled(what is left))` while Graph's last `Retry-After` for the mailbox runs.
    async fn held(&self, mailbox: &MailboxToken) -> Result<(), ReadError> {
        match self.mailbox_holds.get(&mailbox.owner).await {
            Some(until) if until > Instant::now() => {
                Err(ReadError::Throttled(until - Instant::now()))
            }
            _ => Ok(()),
        }
    }
}

/// Outlook's limit of concurrent requests per app and mailbox.
pub const MAILBOX_CONCURRENCY: usize = 4;

async fn send_now(
    request: reqwest::RequestBuilder,
    mailbox: &MailboxToken,
) -> Result<reqwest::Response, ReadError> {
    let response = request
        .bearer_auth(mailbox.token.expose_secret())
        .header("Prefer", "IdType=\"ImmutableId\"")
        .send()
        .await
        .map_err(ReadError::Transport)?;
    if matches!(response.status().as_u16(), 429 | 503) {
        let wait = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map_or(DEFAULT_WAIT, retry_after);
        return Err(ReadError::Throttled(wait));
    }
    Ok(response)
}

/// Graph's `Retry-After`: seconds, possibly fractional (`2.128`).
pub fn retry_after(header: &str) -> Duration {
    match header.trim().parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => {
            Duration::from_secs_f64(seconds).min(MAX_WAIT)
        }
        _ => DEFAULT_WAIT,
    }
}

/// The single-value extended property that marks an event selected for sync on every device:
/// its value is the Salesforce Event's Id once known, empty when the rep stopped syncing it.
/// (The GUID is outforce's own property set; it never changes.)
pub const SELECTION_PROPERTY: &str =
    "String {6A1C2E57-3B4D-4C8E-9F21-7D0B5E8A4C13} Name outforceSalesforceId";

impl Graph {
    /// Writes `value` into the event's selection property; the event's new change key. Only
    /// the property changes, so Exchange sends no meeting update to the attendees (rule 7).
    /// With `if_unchanged_since` (a change key), an event the rep changed since is left alone
    /// (`None`): that change's own sync stamps it.
    pub async fn stamp_selection(
        &self,
        mailbox: &MailboxToken,
        id: &str,
        value: &str,
        if_unchanged_since: Option<&str>,
    ) -> Result<Option<String>, ReadError> {
        let url = self.mailbox_url(mailbox, &format!("events/{}", url_path_segment(id)));
        let body = serde_json::json!({
            "singleValueExtendedProperties": [{ "id": SELECTION_PROPERTY, "value": value }],
        });
        let mut request = self.http.patch(url).json(&body);
        if let Some(change_key) = if_unchanged_since {
            request = request.header("If-Match", format!("W/\"{change_key}\""));
        }
        let response = self.send(request, mailbox).await?;
        match response.status().as_u16() {
            412 => Ok(None),
            200..=299 => match response.json::<serde_json::Value>().await {
                Ok(event) => Ok(event["changeKey"].as_str().map(str::to_string)),
                Err(error) => {
                    // The property is written; only its new change key is unknown, so the
                    // write's own notification is read as a change (one read more, no harm).
                    tracing::warn!(error = %error, "the stamped event's answer could not be read");
                    Ok(None)
                }
            },
            other => Err(ReadError::Status(other)),
        }
    }
}

/// An id as one path segment: Graph's ids may hold `/`, `+` and `=`.
pub(crate) fn url_path_segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
