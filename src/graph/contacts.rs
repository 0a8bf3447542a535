//! The rep's own Outlook contacts, read for what they know of a person: the name and company a
//! rep saved for an address, a better guess for a new Salesforce record than a display name
//! such as "Nadia".

use serde::Deserialize;

use super::Graph;
use super::access::MailboxToken;
use super::events::ReadError;
use crate::matching::EmailAddress;

/// What the rep's Outlook contact for an address says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactCard {
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub company_name: Option<String>,
}

#[derive(Deserialize)]
struct Page {
    value: Vec<ContactCard>,
}

impl Graph {
    /// The first of the mailbox's contacts that carries `email` (`emailAddresses/any`, as
    /// Graph filters contacts by address), if any.
    pub async fn contact_card(
        &self,
        mailbox: &MailboxToken,
        email: &EmailAddress,
    ) -> Result<Option<ContactCard>, ReadError> {
        // OData quotes a string with ' and doubles one inside it.
        let filter = format!(
            "emailAddresses/any(a:a/address eq '{}')",
            email.as_str().replace('\'', "''")
        );
        let request = self
            .http
            .get(self.mailbox_url(mailbox, "contacts"))
            .query(&[
                ("$filter", filter.as_str()),
                ("$select", "givenName,surname,companyName"),
                ("$top", "1"),
            ]);
        let response = self.send(request, mailbox).await?;
        match response.status().as_u16() {
            200 => {}
            other => return Err(ReadError::Status(other)),
        }
        let page: Page = response.json().await.map_err(ReadError::Decode)?;
        Ok(page.value.into_iter().next())
    }
}
