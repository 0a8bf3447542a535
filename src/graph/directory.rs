//! The directory beyond the mailbox: the groups a rep belongs to, read when their token had too
//! many to carry them (the group overage). Graph asks for `GroupMember.Read.All` (with
//! `User.Read.All` for an application, `User.ReadBasic.All` delegated).

use serde_json::{Value, json};

use super::Graph;
use super::access::MailboxToken;
use super::events::ReadError;

impl Graph {
    /// Every group the mailbox's owner belongs to, directly or through other groups
    /// (`getMemberGroups`, which returns up to 11,000).
    pub async fn member_groups(&self, mailbox: &MailboxToken) -> Result<Vec<String>, ReadError> {
        let url = self.mailbox_url(mailbox, "getMemberGroups");
        let body = json!({ "securityEnabledOnly": false });
        let response = self.send(self.http.post(url).json(&body), mailbox).await?;
        match response.status().as_u16() {
            200 => {}
            other => return Err(ReadError::Status(other)),
        }
        let answer: Value = response.json().await.map_err(ReadError::Decode)?;
        Ok(answer["value"]
            .as_array()
            .map(|ids| {
                ids.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default())
    }
}
