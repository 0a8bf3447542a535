//! The mailbox's master category list: the selection category is added to it when missing, so
//! that the rep finds it in Outlook's category picker. Graph asks for `MailboxSettings.Read` to
//! list it and `MailboxSettings.ReadWrite` to add to it.

use serde_json::{Value, json};

use super::Graph;
use super::access::MailboxToken;
use super::events::ReadError;

/// Blue in Outlook's palette (`preset7`): Salesforce's colour, near enough.
const COLOR: &str = "preset7";

/// What became of the category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// The list had it (names compare without case, as Outlook's do).
    Present,
    Added,
}

impl Graph {
    /// Adds `name` to the mailbox's master category list unless it is there.
    pub async fn ensure_category(
        &self,
        mailbox: &MailboxToken,
        name: &str,
    ) -> Result<Category, ReadError> {
        let url = self.mailbox_url(mailbox, "outlook/masterCategories");
        let response = self.send(self.http.get(&url), mailbox).await?;
        match response.status().as_u16() {
            200 => {}
            other => return Err(ReadError::Status(other)),
        }
        let listed: Value = response.json().await.map_err(ReadError::Decode)?;
        let present = listed["value"].as_array().is_some_and(|all| {
            all.iter().any(|c| {
                c["displayName"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
        });
        if present {
            return Ok(Category::Present);
        }
        let body = json!({ "displayName": name, "color": COLOR });
        let response = self.send(self.http.post(&url).json(&body), mailbox).await?;
        match response.status().as_u16() {
            200..=299 => Ok(Category::Added),
            // Added meanwhile (another device, another instance of ours).
            409 => Ok(Category::Present),
            other => Err(ReadError::Status(other)),
        }
    }
}
