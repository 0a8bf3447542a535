//! What was found for an address in an org, kept a short while so that a pane opened again (or
//! by a colleague of the same org) costs no Salesforce call. Misses are kept too: an unknown
//! attendee is the common case. An address is dropped when a rep creates a record for it; an
//! entry looked up with other extra email fields than the org's current ones is not used.

use std::sync::Arc;
use std::time::Duration;

use crate::ids::OrgId;
use crate::matching::{EmailAddress, ExtraEmailFields, Found};

/// How long a lookup is trusted: Salesforce changes under us (a colleague adds a Contact).
const TTL: Duration = Duration::from_secs(5 * 60);

/// What a lookup found, and the extra email fields it searched.
struct Entry {
    fields: ExtraEmailFields,
    found: Arc<Found>,
}

#[derive(Clone)]
pub struct MatchCache {
    found: moka::future::Cache<(OrgId, EmailAddress), Arc<Entry>>,
}

impl Default for MatchCache {
    fn default() -> Self {
        Self {
            found: moka::future::Cache::builder()
                .max_capacity(200_000)
                .time_to_live(TTL)
                .build(),
        }
    }
}

impl MatchCache {
    /// What is known for each address, and the addresses that must be looked up.
    pub async fn split(
        &self,
        org: &OrgId,
        fields: &ExtraEmailFields,
        emails: &[EmailAddress],
    ) -> (Vec<(EmailAddress, Arc<Found>)>, Vec<EmailAddress>) {
        let mut known = Vec::new();
        let mut missing = Vec::new();
        for email in emails {
            match self.found.get(&(org.clone(), email.clone())).await {
                Some(entry) if &entry.fields == fields => {
                    known.push((email.clone(), Arc::clone(&entry.found)));
                }
                _ => missing.push(email.clone()),
            }
        }
        (known, missing)
    }

    pub async fn remember(
        &self,
        org: &OrgId,
        fields: &ExtraEmailFields,
        email: EmailAddress,
        found: Found,
    ) -> Arc<Found> {
        let found = Arc::new(found);
        let entry = Entry {
            fields: fields.clone(),
            found: Arc::clone(&found),
        };
        self.found
            .insert((org.clone(), email), Arc::new(entry))
            .await;
        found
    }

    /// Forgets an address (a record was created for it).
    pub async fn forget(&self, org: &OrgId, email: &EmailAddress) {
        self.found.invalidate(&(org.clone(), email.clone())).await;
    }
}
