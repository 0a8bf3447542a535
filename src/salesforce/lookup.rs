//! Finding the Contacts, unconverted Leads and active Users that carry some email addresses: one
//! Composite call holding one query per object type, whatever the number of addresses (the
//! pane's matching asks for up to 500), never one call per attendee. Every address reaches the
//! queries as an escaped SOQL string literal, and only addresses that parsed as such.

use std::collections::HashMap;

use serde::Deserialize;

use super::composite;
use super::rest::soql_escape;
use super::session::{Session, SessionError};
use crate::matching::{EmailAddress, Found, Named, RecordKind, RecordRow, UserRow};

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

/// What Salesforce holds for each address (an address with nothing has an empty entry).
pub async fn by_email(
    session: &mut Session,
    emails: &[EmailAddress],
) -> Result<HashMap<EmailAddress, Found>, SessionError> {
    let mut found: HashMap<EmailAddress, Found> = emails
        .iter()
        .map(|e| (e.clone(), Found::default()))
        .collect();
    if emails.is_empty() {
        return Ok(found);
    }
    let list = email_list(emails);
    let queries = [
        (
            "contacts",
            format!(
                "SELECT Id, Name, Email, Account.Id, Account.Name, Owner.Id, Owner.Name, \
                 LastModifiedDate FROM Contact WHERE Email IN ({list}) LIMIT {PAGE}"
            ),
        ),
        (
            "leads",
            format!(
                "SELECT Id, Name, Email, Company, Owner.Id, Owner.Name, LastModifiedDate \
                 FROM Lead WHERE IsConverted = false AND Email IN ({list}) LIMIT {PAGE}"
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
            let Some(email) = row
                .email
                .as_deref()
                .and_then(|e| EmailAddress::parse(e).ok())
            else {
                continue;
            };
            let Some(entry) = found.get_mut(&email) else {
                continue;
            };
            let name = row.name.unwrap_or_default();
            match reference {
                "users" => entry.users.push(UserRow {
                    id: row.id,
                    name,
                    email,
                }),
                kind @ ("contacts" | "leads") => entry.records.push(RecordRow {
                    kind: if kind == "contacts" {
                        RecordKind::Contact
                    } else {
                        RecordKind::Lead
                    },
                    id: row.id,
                    name,
                    email,
                    account: named(row.account),
                    company: row.company,
                    owner: named(row.owner),
                    last_modified: row.last_modified_date.unwrap_or_default(),
                }),
                _ => {}
            }
        }
    }
    Ok(found)
}
