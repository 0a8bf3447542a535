//! Finding the Contacts, unconverted Leads and active Users that carry some email addresses: one
//! Composite call holding one query per object type, whatever the number of addresses (the
//! pane's matching asks for up to 500), never one call per attendee. Every address reaches the
//! queries as an escaped SOQL string literal, and only addresses that parsed as such.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;

use super::composite;
use super::rest::soql_escape;
use super::session::{Session, SessionError};
use crate::match_cache::MatchCache;
use crate::matching::{
    EmailAddress, ExtraEmailFields, Found, Named, RecordKind, RecordRow, UserRow,
};

/// The most rows one query returns in one page; more matches than this for 500 addresses are
/// not looked at (a query's first page).
const PAGE: usize = 2000;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Parent {
    id: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Row {
    id: String,
    name: Option<String>,
    email: Option<String>,
    account: Option<Parent>,
    owner: Option<Parent>,
    company: Option<String>,
    last_modified_date: Option<String>,
    /// The extra email fields asked for, by API name.
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

fn named(parent: Option<Parent>) -> Option<Named> {
    let parent = parent?;
    Some(Named {
        id: parent.id?,
        name: parent.name.unwrap_or_default(),
    })
}

/// The addresses as the inside of a SOQL `IN (…)`: each an escaped string literal.
pub fn email_list(emails: &[EmailAddress]) -> String {
    emails
        .iter()
        .map(|e| format!("'{}'", soql_escape(e.as_str())))
        .collect::<Vec<_>>()
        .join(",")
}

/// `fields` as extra SELECT items (`, A__c, B__c`) and extra conditions (` OR A__c IN (…)`).
fn extra(fields: &[String], list: &str) -> (String, String) {
    let select = fields.iter().map(|f| format!(", {f}")).collect();
    let filter = fields
        .iter()
        .map(|f| format!(" OR {f} IN ({list})"))
        .collect();
    (select, filter)
}

/// What Salesforce holds for each address (an address with nothing has an empty entry): the
/// Contacts and unconverted Leads whose `Email`, or one of the org's `extra` email fields,
/// holds it, and the active Users with it.
pub async fn by_email(
    session: &mut Session,
    emails: &[EmailAddress],
    extra_fields: &ExtraEmailFields,
) -> Result<HashMap<EmailAddress, Found>, SessionError> {
    let mut found: HashMap<EmailAddress, Found> = emails
        .iter()
        .map(|e| (e.clone(), Found::default()))
        .collect();
    if emails.is_empty() {
        return Ok(found);
    }
    let list = email_list(emails);
    let (contact_select, contact_filter) = extra(&extra_fields.contact, &list);
    let (lead_select, lead_filter) = extra(&extra_fields.lead, &list);
    let queries = [
        (
            "contacts",
            format!(
                "SELECT Id, Name, Email{contact_select}, Account.Id, Account.Name, Owner.Id, \
                 Owner.Name, LastModifiedDate FROM Contact \
                 WHERE Email IN ({list}){contact_filter} LIMIT {PAGE}"
            ),
        ),
        (
            "leads",
            format!(
                "SELECT Id, Name, Email{lead_select}, Company, Owner.Id, Owner.Name, \
                 LastModifiedDate FROM Lead \
                 WHERE IsConverted = false AND (Email IN ({list}){lead_filter}) LIMIT {PAGE}"
            ),
        ),
        (
            "users",
            format!(
                "SELECT Id, Name, Email FROM User WHERE IsActive = true AND Email IN ({list}) \
                 LIMIT {PAGE}"
            ),
        ),
    ];
    for (reference, rows) in composite::queries::<Row>(session, &queries).await? {
        for row in rows {
            let address = |value: Option<&str>| value.and_then(|e| EmailAddress::parse(e).ok());
            let email = address(row.email.as_deref());
            let name = row.name.clone().unwrap_or_default();
            if reference == "users" {
                if let Some(email) = email
                    && let Some(entry) = found.get_mut(&email)
                {
                    entry.users.push(UserRow {
                        id: row.id,
                        name,
                        email,
                    });
                }
                continue;
            }
            let kind = if reference == "contacts" {
                RecordKind::Contact
            } else {
                RecordKind::Lead
            };
            let extra_emails: Vec<(String, EmailAddress)> = extra_fields
                .for_kind(kind)
                .iter()
                .filter_map(|field| {
                    let value = row.rest.get(field).and_then(|v| v.as_str());
                    address(value).map(|a| (field.clone(), a))
                })
                .collect();
            let record = RecordRow {
                kind,
                id: row.id,
                name,
                email,
                extra_emails,
                account: named(row.account),
                company: row.company,
                owner: named(row.owner),
                last_modified: row.last_modified_date.unwrap_or_default(),
            };
            // A record holding several of the addresses asked for belongs to each.
            let mut carried: Vec<&EmailAddress> = record.email.iter().collect();
            carried.extend(record.extra_emails.iter().map(|(_, a)| a));
            carried.sort();
            carried.dedup();
            for address in carried {
                if let Some(entry) = found.get_mut(address) {
                    entry.records.push(record.clone());
                }
            }
        }
    }
    Ok(found)
}

/// The most addresses one lookup call carries (the pane's own limit on a meeting's attendees).
const ADDRESSES_PER_CALL: usize = 500;

/// What is found for each address: from the org's recent lookups in `cache` when it has them,
/// the rest looked up (one Composite call per 500) and kept there.
pub async fn cached(
    session: &mut Session,
    cache: &MatchCache,
    emails: &[EmailAddress],
    extra_fields: &ExtraEmailFields,
) -> Result<HashMap<EmailAddress, Arc<Found>>, SessionError> {
    let org = session.org_id().clone();
    let (known, missing) = cache.split(&org, extra_fields, emails).await;
    let mut found: HashMap<EmailAddress, Arc<Found>> = known.into_iter().collect();
    for chunk in missing.chunks(ADDRESSES_PER_CALL) {
        for (email, result) in by_email(session, chunk, extra_fields).await? {
            let kept = cache
                .remember(&org, extra_fields, email.clone(), result)
                .await;
            found.insert(email, kept);
        }
    }
    Ok(found)
}
