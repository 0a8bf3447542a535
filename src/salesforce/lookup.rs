//! Finding the Contacts, unconverted Leads and active Users that carry some email addresses: one
//! Composite call holding one query per object type (per part of the addresses, when together
//! they would pass Salesforce's 100,000 characters a statement), whatever the number of
//! addresses (the pane's matching asks for up to 500), never one call per attendee. Every
//! address reaches the queries as an escaped SOQL string literal, and only addresses that
//! parsed as such; one longer than Salesforce's email fields hold is not asked about.

use std::borrow::Cow;
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
        .flat_map(EmailAddress::spellings)
        .map(|e| format!("'{}'", soql_escape(e)))
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
/// holds it, and the active Users with it. The addresses are split so that no query passes
/// Salesforce's length limit, each part's three queries in the same Composite call (up to its
/// 25 subrequests).
pub async fn by_email(
    session: &mut Session,
    emails: &[EmailAddress],
    extra_fields: &ExtraEmailFields,
) -> Result<HashMap<EmailAddress, Found>, SessionError> {
    let mut found: HashMap<EmailAddress, Found> = emails
        .iter()
        .map(|e| (e.clone(), Found::default()))
        .collect();
    let parts = parts_within_limit(emails, extra_fields);
    for call in parts.chunks(QUERIES_PER_CALL / 3) {
        let mut queries = Vec::with_capacity(call.len() * 3);
        for (n, part) in call.iter().enumerate() {
            queries.extend(part_queries(n, part, extra_fields));
        }
        read_rows(session, &queries, extra_fields, &mut found).await?;
    }
    Ok(found)
}

/// A Composite call holds at most 25 subrequests.
const QUERIES_PER_CALL: usize = 25;

/// Salesforce's longest SOQL statement is 100,000 characters; a part's queries stay well under
/// it (the SELECT and the filters' other words take the rest).
const SOQL_BUDGET: usize = 90_000;

/// The addresses in parts whose longest query (the address list once per email field it is
/// compared with) fits [`SOQL_BUDGET`].
fn parts_within_limit<'e>(
    emails: &'e [EmailAddress],
    extra_fields: &ExtraEmailFields,
) -> Vec<&'e [EmailAddress]> {
    let lists_per_query = 1 + extra_fields.contact.len().max(extra_fields.lead.len());
    let fields_text: usize = extra_fields
        .contact
        .iter()
        .chain(&extra_fields.lead)
        .map(|f| f.len() + 16)
        .sum();
    let budget = SOQL_BUDGET.saturating_sub(fields_text) / lists_per_query;
    let mut parts = Vec::new();
    let (mut start, mut length) = (0, 0);
    for (i, email) in emails.iter().enumerate() {
        // Quoted, escaped at most to twice its length, and a comma.
        let cost: usize = email.spellings().map(|s| 2 * s.len() + 3).sum();
        if i > start && length + cost > budget {
            parts.push(&emails[start..i]);
            (start, length) = (i, 0);
        }
        length += cost;
    }
    if start < emails.len() {
        parts.push(&emails[start..]);
    }
    parts
}

/// The three queries of part `n`: its Contacts, unconverted Leads and active Users.
fn part_queries(
    n: usize,
    emails: &[EmailAddress],
    extra_fields: &ExtraEmailFields,
) -> [(String, String); 3] {
    let list = email_list(emails);
    let (contact_select, contact_filter) = extra(&extra_fields.contact, &list);
    let (lead_select, lead_filter) = extra(&extra_fields.lead, &list);
    [
        (
            format!("contacts{n}"),
            format!(
                "SELECT Id, Name, Email{contact_select}, Account.Id, Account.Name, Owner.Id, \
                 Owner.Name, LastModifiedDate FROM Contact \
                 WHERE Email IN ({list}){contact_filter} LIMIT {PAGE}"
            ),
        ),
        (
            format!("leads{n}"),
            format!(
                "SELECT Id, Name, Email{lead_select}, Company, Owner.Id, Owner.Name, \
                 LastModifiedDate FROM Lead \
                 WHERE IsConverted = false AND (Email IN ({list}){lead_filter}) LIMIT {PAGE}"
            ),
        ),
        (
            format!("users{n}"),
            format!(
                "SELECT Id, Name, Email FROM User WHERE IsActive = true AND Email IN ({list}) \
                 LIMIT {PAGE}"
            ),
        ),
    ]
}

/// Each row of one Composite call's queries, kept under every address it carries.
async fn read_rows(
    session: &mut Session,
    queries: &[(String, String)],
    extra_fields: &ExtraEmailFields,
    found: &mut HashMap<EmailAddress, Found>,
) -> Result<(), SessionError> {
    for (reference, rows) in composite::queries::<Row>(session, queries).await? {
        for row in rows {
            let address = |value: Option<&str>| value.and_then(|e| EmailAddress::parse(e).ok());
            let email = address(row.email.as_deref());
            let name = row.name.clone().unwrap_or_default();
            if reference.starts_with("users") {
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
            let kind = if reference.starts_with("contacts") {
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
    Ok(())
}

/// The length of Salesforce's email fields (`Email` on Contact, Lead and User, and every custom
/// field of type Email).
const EMAIL_FIELD_LENGTH: usize = 80;

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
    // No email field of Salesforce holds a longer address: nothing to ask about it.
    let too_long = |e: &EmailAddress| e.as_str().chars().count() > EMAIL_FIELD_LENGTH;
    let mut found: HashMap<EmailAddress, Arc<Found>> = emails
        .iter()
        .filter(|e| too_long(e))
        .map(|e| (e.clone(), Arc::new(Found::default())))
        .collect();
    let storable: Cow<'_, [EmailAddress]> = if found.is_empty() {
        Cow::Borrowed(emails)
    } else {
        Cow::Owned(emails.iter().filter(|e| !too_long(e)).cloned().collect())
    };
    let org = session.org_id().clone();
    let (known, missing) = cache.split(&org, extra_fields, &storable).await;
    found.extend(known);
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
