//! What a Graph token may really do with one mailbox: read its calendar, its contacts and its
//! master category list. The answer per area is `ok` or Graph's error code (`ErrorAccessDenied`
//! when the permission or the tenant's application access policy forbids it). The category
//! list is optional: without `MailboxSettings.ReadWrite` the selection category is not added to
//! it, and everything else works.

use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};

use super::Graph;
use super::access::MailboxToken;

impl Graph {
    /// What one mailbox lets `mailbox`'s token do.
    pub async fn probe(&self, mailbox: &MailboxToken) -> MailboxAccess {
        self::mailbox(
            &self.http,
            &self.settings.base_url,
            &mailbox.token,
            &mailbox.mailbox,
        )
        .await
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MailboxAccess {
    pub calendar: String,
    pub contacts: String,
    /// The master category list (`MailboxSettings`), where the selection category is added.
    pub categories: String,
}

impl MailboxAccess {
    pub fn all_ok(&self) -> bool {
        self.calendar == "ok" && self.contacts == "ok"
    }
}

#[derive(Deserialize)]
struct Envelope {
    error: Inner,
}

#[derive(Deserialize)]
struct Inner {
    code: String,
}

/// Probes the mailbox at `mailbox` (`me` for a delegated token, `users/{id}` for an
/// application token).
pub async fn mailbox(
    http: &reqwest::Client,
    base_url: &str,
    token: &SecretString,
    mailbox: &str,
) -> MailboxAccess {
    let base = base_url.trim_end_matches('/');
    let calendar = area(
        http,
        token,
        &format!("{base}/v1.0/{mailbox}/events?$top=1&$select=id"),
    )
    .await;
    let contacts = area(
        http,
        token,
        &format!("{base}/v1.0/{mailbox}/contactFolders?$top=1"),
    )
    .await;
    let categories = area(
        http,
        token,
        &format!("{base}/v1.0/{mailbox}/outlook/masterCategories"),
    )
    .await;
    MailboxAccess {
        calendar,
        contacts,
        categories,
    }
}

async fn area(http: &reqwest::Client, token: &SecretString, url: &str) -> String {
    let response = match http
        .get(url)
        .bearer_auth(token.expose_secret())
        .send()
        .await
    {
        Ok(response) => response,
        Err(_) => return "unreachable".into(),
    };
    if response.status().is_success() {
        return "ok".into();
    }
    let status = response.status().as_u16();
    match response.json::<Envelope>().await {
        Ok(body) => body.error.code,
        Err(_) => format!("http_{status}"),
    }
}
