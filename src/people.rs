//! A new Contact or Lead from an attendee: the names a display name gives, the company an
//! address's domain suggests, and the rule that picks the Account (DESIGN.md, "Creating a
//! missing contact"). Pure functions, no I/O: [`crate::salesforce::records`] runs the queries.

use serde::Serialize;
use utoipa::ToSchema;

use crate::matching::{EmailAddress, Named};

/// First and last name as Salesforce stores them (`LastName` is required).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    /// Read from the display name (else from the address's local part).
    pub from_display_name: bool,
    pub first: Option<String>,
    pub last: String,
}

/// Mail providers whose domain names a mailbox, not a company.
const PERSONAL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.com",
];

/// Second-level labels under which a country's companies register (`acme.co.uk`).
const SECOND_LEVEL: &[&str] = &["co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc"];

/// The names an attendee's display name gives: "Doe, Jane" and "Jane Doe" both give Jane /
/// Doe; a single word is the last name; with no usable display name, the address's local part
/// (`jane.doe`) is read the same way.
pub fn name_from(display_name: Option<&str>, email: &EmailAddress) -> PersonName {
    let cleaned = display_name
        .map(|n| n.trim().trim_matches(|c| c == '"' || c == '\''))
        .map(|n| match n.find('(') {
            Some(at) => n[..at].trim(),
            None => n,
        })
        .filter(|n| !n.is_empty() && !n.contains('@'));
    if let Some(name) = cleaned {
        if let Some((last, first)) = name.split_once(',') {
            return PersonName {
                from_display_name: true,
                first: Some(first.trim().to_string()).filter(|f| !f.is_empty()),
                last: last.trim().to_string(),
            };
        }
        return match name.split_once(char::is_whitespace) {
            Some((first, last)) => PersonName {
                from_display_name: true,
                first: Some(first.to_string()),
                last: last.trim().to_string(),
            },
            None => PersonName {
                from_display_name: true,
                first: None,
                last: name.to_string(),
            },
        };
    }
    let local = email.as_str().split('@').next().unwrap_or_default();
    let local = local.split('+').next().unwrap_or(local);
    let words: Vec<String> = local
        .split(['.', '_', '-'])
        .filter(|w| !w.is_empty())
        .map(capitalized)
        .collect();
    match words.as_slice() {
        [] => PersonName {
            from_display_name: false,
            first: None,
            last: local.to_string(),
        },
        [only] => PersonName {
            from_display_name: false,
            first: None,
            last: only.clone(),
        },
        [first, rest @ ..] => PersonName {
            from_display_name: false,
            first: Some(first.clone()),
            last: rest.join(" "),
        },
    }
}

/// The company an address's domain suggests (`jane@mail.globex-corp.co.uk` → "Globex Corp"),
/// or none for a personal mailbox.
pub fn company_from(email: &EmailAddress) -> Option<String> {
    let domain = email.as_str().rsplit_once('@')?.1;
    if PERSONAL_DOMAINS.contains(&domain) {
        return None;
    }
    let mut labels: Vec<&str> = domain.split('.').collect();
    labels.pop();
    if labels.len() >= 2 && labels.last().is_some_and(|l| SECOND_LEVEL.contains(l)) {
        labels.pop();
    }
    let name = labels.last()?;
    Some(
        name.split('-')
            .filter(|w| !w.is_empty())
            .map(capitalized)
            .collect::<Vec<_>>()
            .join(" "),
    )
    .filter(|c| !c.is_empty())
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How the Account of a new Contact was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountRule {
    /// An Account is named exactly as the company (the earliest created, if several are).
    ExactName,
    /// No Account has the exact name and exactly one has a name containing it.
    OnlyContaining,
    /// No company, no Account with the name, or several containing it: no Account is set.
    NoAccount,
    /// The rep picked the Account (`account_id`), over the rule.
    ChosenByRep,
}

/// An Account as the rule's queries return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: String,
    pub name: String,
    /// `CreatedDate` as Salesforce writes it (ISO 8601 in UTC: it sorts as text).
    pub created: String,
}

/// The Account the rule picks, and which branch picked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AccountChoice {
    pub account: Option<Named>,
    pub rule: AccountRule,
}

impl AccountChoice {
    /// No Account: no company to look for, or the record is a Lead.
    pub fn none() -> Self {
        Self {
            account: None,
            rule: AccountRule::NoAccount,
        }
    }
}

/// The rule: exact name (case-insensitive, as Salesforce compares) → the earliest created
/// (Id breaks a tie); else the only Account whose name contains the company; else none.
/// `exact` and `containing` are what the two queries returned, in any order.
pub fn choose_account(
    company: &str,
    exact: &[AccountRow],
    containing: &[AccountRow],
) -> AccountChoice {
    let wanted = company.trim().to_lowercase();
    let named = |row: &AccountRow| Named {
        id: row.id.clone(),
        name: row.name.clone(),
    };
    let earliest = exact
        .iter()
        .filter(|a| a.name.trim().to_lowercase() == wanted)
        .min_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
    if let Some(account) = earliest {
        return AccountChoice {
            account: Some(named(account)),
            rule: AccountRule::ExactName,
        };
    }
    let mut holding: Vec<&AccountRow> = containing
        .iter()
        .filter(|a| a.name.to_lowercase().contains(&wanted))
        .collect();
    holding.dedup_by(|a, b| a.id == b.id);
    match holding.as_slice() {
        [only] if !wanted.is_empty() => AccountChoice {
            account: Some(named(only)),
            rule: AccountRule::OnlyContaining,
        },
        _ => AccountChoice::none(),
    }
}
