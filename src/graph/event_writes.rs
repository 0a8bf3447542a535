//! Writing the rep's calendar for Salesforce → Outlook: an event made from a Salesforce Event
//! (with no attendees, so nothing is mailed to anyone: rule 7), changed, or deleted. A create
//! carries a `transactionId`, so that one repeated after a lost answer gets the event it made.

use serde_json::{Map, Value};

use super::Graph;
use super::access::MailboxToken;
use super::events::{ReadError, url_path_segment};

/// An event as a write left it: its id and change key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub id: String,
    pub change_key: Option<String>,
}

impl Graph {
    /// Makes an event in the rep's calendar; `transaction_id` makes a repeat harmless.
    pub async fn create_event(
        &self,
        mailbox: &MailboxToken,
        event: &Map<String, Value>,
        transaction_id: &str,
    ) -> Result<Written, ReadError> {
        let mut body = event.clone();
        body.insert("transactionId".into(), Value::String(transaction_id.into()));
        let url = self.mailbox_url(mailbox, "events");
        let response = self.send(self.http.post(url).json(&body), mailbox).await?;
        match response.status().as_u16() {
            200 | 201 => written(response).await,
            other => Err(ReadError::Status(other)),
        }
    }

    /// Changes an event; `None` when the rep changed it since `if_unchanged_since` (a change
    /// key), so that their change is read first.
    pub async fn update_event(
        &self,
        mailbox: &MailboxToken,
        id: &str,
        changes: &Map<String, Value>,
        if_unchanged_since: Option<&str>,
    ) -> Result<Option<Written>, ReadError> {
        let url = self.mailbox_url(mailbox, &format!("events/{}", url_path_segment(id)));
        let mut request = self.http.patch(url).json(changes);
        if let Some(change_key) = if_unchanged_since {
            request = request.header("If-Match", format!("W/\"{change_key}\""));
        }
        let response = self.send(request, mailbox).await?;
        match response.status().as_u16() {
            412 => Ok(None),
            200..=299 => written(response).await.map(Some),
            other => Err(ReadError::Status(other)),
        }
    }

    /// Deletes an event; gone already is done.
    pub async fn delete_event(&self, mailbox: &MailboxToken, id: &str) -> Result<(), ReadError> {
        let url = self.mailbox_url(mailbox, &format!("events/{}", url_path_segment(id)));
        let response = self.send(self.http.delete(url), mailbox).await?;
        match response.status().as_u16() {
            200..=299 | 404 => Ok(()),
            other => Err(ReadError::Status(other)),
        }
    }
}

async fn written(response: reqwest::Response) -> Result<Written, ReadError> {
    let event: Value = response.json().await.map_err(ReadError::Decode)?;
    let id = event["id"].as_str().unwrap_or_default().to_string();
    if id.is_empty() {
        return Err(ReadError::Status(0));
    }
    Ok(Written {
        id,
        change_key: event["changeKey"].as_str().map(str::to_string),
    })
}
