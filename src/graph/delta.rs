//! `calendarView/delta` over a window: the first round lists every event and occurrence in it,
//! later rounds (from the stored delta link) only what changed, deletions as `@removed`.
//! A round whose state Graph has forgotten answers 410 (`syncStateNotFound`, `resyncRequired`):
//! the caller starts a full round again.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Graph;
use super::access::MailboxToken;
use super::events::ReadError;
use crate::storage::tenants::GraphAccessMode;

/// Events per page we ask for; Graph may send fewer.
const PAGE_SIZE: u32 = 100;

/// One page of a round.
#[derive(Debug, Default)]
pub struct DeltaPage {
    pub items: Vec<Value>,
    /// The next page of this round.
    pub next_link: Option<String>,
    /// On the last page: where the next round starts.
    pub delta_link: Option<String>,
}

/// What a delta call met.
#[derive(Debug, thiserror::Error)]
pub enum DeltaError {
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Graph forgot the round (410, or a 4xx `syncStateNotFound`/`resyncRequired`).
    #[error("Graph no longer knows this delta round")]
    Gone,
    /// A next or delta link the mailbox's token is not sent to: one that leads away from the
    /// configured Graph (the token goes nowhere else), or one made for the signed-in user
    /// (`/me`) while the mailbox is now read by application permission. Never followed: the
    /// caller reads the window afresh.
    #[error("a delta link this mailbox's token may not follow")]
    Foreign,
}

impl Graph {
    /// Where a full round over `[start, end)` begins.
    pub fn delta_start(
        &self,
        mailbox: &MailboxToken,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> String {
        let query = serde_urlencoded::to_string([
            (
                "startDateTime",
                start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            ),
            ("endDateTime", end.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        ])
        .unwrap_or_default();
        self.mailbox_url(mailbox, &format!("calendarView/delta?{query}"))
    }

    /// One page from `url` (a round's start, a next link or a delta link).
    pub async fn delta_page(
        &self,
        mailbox: &MailboxToken,
        url: &str,
    ) -> Result<DeltaPage, DeltaError> {
        let base = self.settings.base_url.trim_end_matches('/');
        let Some(path) = url.strip_prefix(base).filter(|p| p.starts_with('/')) else {
            return Err(DeltaError::Foreign);
        };
        // A round begun for the signed-in user (`/me`, with their delegated grant) cannot go on
        // with an application token, which Graph refuses for `/me` (400): the tenant's Graph
        // access changed since the round began.
        let version = path.split('/').nth(1).unwrap_or_default();
        let of_me = path
            .strip_prefix(&format!("/{version}"))
            .is_some_and(|rest| rest.starts_with("/me/"));
        if of_me && mailbox.mode == GraphAccessMode::Application {
            return Err(DeltaError::Foreign);
        }
        // Bodies as text, as every read of an event asks: one conversion, Exchange's own.
        let request = self.http.get(url).header(
            "Prefer",
            format!("odata.maxpagesize={PAGE_SIZE}, outlook.body-content-type=\"text\""),
        );
        let response = self.send(request, mailbox).await?;
        let status = response.status().as_u16();
        if status == 200 {
            let mut page: Value = response
                .json()
                .await
                .map_err(|e| DeltaError::Read(ReadError::Decode(e)))?;
            let link = |key: &str| page[key].as_str().map(str::to_string);
            let (next_link, delta_link) = (link("@odata.nextLink"), link("@odata.deltaLink"));
            let items = match page["value"].take() {
                Value::Array(items) => items,
                _ => Vec::new(),
            };
            return Ok(DeltaPage {
                items,
                next_link,
                delta_link,
            });
        }
        let answer: Value = response.json().await.unwrap_or_default();
        let code = answer["error"]["code"].as_str().unwrap_or_default();
        if status == 410 || matches!(code, "syncStateNotFound" | "resyncRequired") {
            return Err(DeltaError::Gone);
        }
        Err(DeltaError::Read(ReadError::Status(status)))
    }
}

/// A whole round: every page's items, and where the next round starts.
#[derive(Debug, Default)]
pub struct Round {
    pub items: Vec<Value>,
    pub delta_link: Option<String>,
}

impl Graph {
    /// Every page of a round from `url` (a round's start or a delta link), following its next
    /// links to the last page.
    pub async fn delta_round(
        &self,
        mailbox: &MailboxToken,
        url: &str,
    ) -> Result<Round, DeltaError> {
        let mut round = Round::default();
        let mut url = url.to_string();
        loop {
            let page = self.delta_page(mailbox, &url).await?;
            round.items.extend(page.items);
            match page.next_link {
                Some(next) => url = next,
                None => {
                    round.delta_link = page.delta_link;
                    return Ok(round);
                }
            }
        }
    }
}
