//! Reading a rep's events from their mailbox: one event as Graph has it now, with its body as
//! text and its id immutable, so the sync writes what Outlook holds rather than what the pane
//! saw. A throttled answer (429) says how long to wait.

use std::time::Duration;

use secrecy::ExposeSecret as _;

use super::Graph;
use super::access::MailboxToken;

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

/// Without a `Retry-After`, a throttled call waits this long.
const DEFAULT_WAIT: Duration = Duration::from_secs(10);

impl Graph {
    /// The event `id` of the mailbox; `None` when Graph does not know it (not yet saved there,
    /// or gone).
    pub async fn event(
        &self,
        mailbox: &MailboxToken,
        id: &str,
    ) -> Result<Option<serde_json::Value>, ReadError> {
        let base = self.settings.base_url.trim_end_matches('/');
        let id: String = url_path_segment(id);
        let url = format!("{base}/v1.0/{}/events/{id}", mailbox.mailbox);
        let response = self
            .http
            .get(url)
            .bearer_auth(mailbox.token.expose_secret())
            .header("Prefer", "outlook.body-content-type=\"text\"")
            .header("Prefer", "IdType=\"ImmutableId\"")
            .send()
            .await
            .map_err(ReadError::Transport)?;
        let status = response.status().as_u16();
        match status {
            200 => response.json().await.map(Some).map_err(ReadError::Decode),
            404 => Ok(None),
            429 | 503 => {
                let wait = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map_or(DEFAULT_WAIT, Duration::from_secs);
                Err(ReadError::Throttled(wait))
            }
            other => Err(ReadError::Status(other)),
        }
    }
}

/// The single-value extended property that marks an event selected for sync on every device:
/// its value is the Salesforce Event's Id once known, empty when the rep stopped syncing it.
/// (The GUID is outforce's own property set; it never changes.)
pub const SELECTION_PROPERTY: &str =
    "String {6A1C2E57-3B4D-4C8E-9F21-7D0B5E8A4C13} Name outforceSalesforceId";

impl Graph {
    /// Writes `value` into the event's selection property. Only the property changes, so
    /// Exchange sends no meeting update to the attendees (rule 7).
    pub async fn stamp_selection(
        &self,
        mailbox: &MailboxToken,
        id: &str,
        value: &str,
    ) -> Result<(), ReadError> {
        let base = self.settings.base_url.trim_end_matches('/');
        let url = format!(
            "{base}/v1.0/{}/events/{}",
            mailbox.mailbox,
            url_path_segment(id)
        );
        let body = serde_json::json!({
            "singleValueExtendedProperties": [{ "id": SELECTION_PROPERTY, "value": value }],
        });
        let response = self
            .http
            .patch(url)
            .bearer_auth(mailbox.token.expose_secret())
            .header("Prefer", "IdType=\"ImmutableId\"")
            .json(&body)
            .send()
            .await
            .map_err(ReadError::Transport)?;
        match response.status().as_u16() {
            200..=299 => Ok(()),
            429 | 503 => Err(ReadError::Throttled(DEFAULT_WAIT)),
            other => Err(ReadError::Status(other)),
        }
    }
}

/// An id as one path segment: Graph's ids may hold `/`, `+` and `=`.
fn url_path_segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
