//! The records the pane works with beyond matching: the What search (Accounts, Opportunities,
//! Cases by name, one SOSL call), the Accounts the Account rule weighs (one Composite of two
//! queries), and creating a Contact or Lead (one call; a duplicate rule's rejection comes
//! back as [`SalesforceError::Duplicate`]).

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::composite;
use super::error::SalesforceError;
use super::rest::soql_escape;
use super::session::{Session, SessionError};
use crate::people::AccountRow;

/// The objects a meeting's What can be, as the search names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WhatType {
    Account,
    Opportunity,
    Case,
}

impl WhatType {
    pub const ALL: [Self; 3] = [Self::Account, Self::Opportunity, Self::Case];

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.sobject().eq_ignore_ascii_case(word.trim()))
    }

    fn sobject(self) -> &'static str {
        match self {
            Self::Account => "Account",
            Self::Opportunity => "Opportunity",
            Self::Case => "Case",
        }
    }

    /// The `RETURNING` clause of one object: the fields the pane shows.
    fn returning(self, limit: usize) -> String {
        let fields = match self {
            Self::Account => "Id, Name, Owner.Name",
            Self::Opportunity => "Id, Name, StageName, CloseDate, Account.Name",
            Self::Case => "Id, CaseNumber, Subject, Status, Account.Name",
        };
        format!("{}({fields} LIMIT {limit})", self.sobject())
    }
}

/// One record found by the What search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WhatRecord {
    #[serde(rename = "type")]
    pub kind: WhatType,
    pub id: String,
    /// An Account's or Opportunity's name; a Case's number and subject.
    pub name: String,
    /// The Account an Opportunity or Case belongs to, or an Opportunity's stage.
    pub detail: Option<String>,
}

/// A Case has no name: the pane shows its number and subject.
fn case_name(number: Option<String>, subject: Option<String>) -> String {
    format!(
        "{} {}",
        number.unwrap_or_default(),
        subject.unwrap_or_default()
    )
    .trim()
    .to_string()
}

/// The words of a SOSL search term, each escaped and ending in `*` (so "acm" finds "Acme" as
/// the rep types). Salesforce's reserved characters are escaped with `\`; words with fewer
/// than two letters or digits are left out (SOSL refuses them, and the index drops
/// punctuation). `None` when no word
/// is left.
pub fn sosl_prefix_term(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .filter(|word| word.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
        .map(|word| {
            let mut escaped = String::with_capacity(word.len() + 4);
            for c in word.chars() {
                if "&|!(){}[]^\"~*?:\\'+-".contains(c) {
                    escaped.push('\\');
                }
                escaped.push(c);
            }
            escaped.push('*');
            escaped
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Text for the inside of a SOQL `LIKE '%…%'`: quotes and backslashes escaped, and `%` and `_`
/// taken literally.
pub fn like_contains(text: &str) -> String {
    soql_escape(text).replace('%', "\\%").replace('_', "\\_")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Parent {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SearchRow {
    #[serde(rename = "attributes")]
    attributes: Attributes,
    id: String,
    name: Option<String>,
    case_number: Option<String>,
    subject: Option<String>,
    stage_name: Option<String>,
    account: Option<Parent>,
}

#[derive(Deserialize)]
struct Attributes {
    #[serde(rename = "type")]
    sobject: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchAnswer {
    search_records: Vec<SearchRow>,
}

/// Accounts, Opportunities and Cases whose name fields hold words starting with the words of
/// `term` (from [`sosl_prefix_term`]), at most `limit` of each type: one SOSL call.
pub async fn search_what(
    session: &mut Session,
    term: &str,
    types: &[WhatType],
    limit: usize,
) -> Result<Vec<WhatRecord>, SessionError> {
    let returning = types
        .iter()
        .map(|t| t.returning(limit))
        .collect::<Vec<_>>()
        .join(", ");
    let sosl = format!("FIND {{{term}}} IN NAME FIELDS RETURNING {returning}");
    let path = serde_urlencoded::to_string([("q", sosl.as_str())])
        .map(|q| format!("search?{q}"))
        .map_err(SalesforceError::Encode)?;
    let answer: SearchAnswer = session.get(&path).await?;
    Ok(answer
        .search_records
        .into_iter()
        .filter_map(|row| {
            let kind = WhatType::parse(&row.attributes.sobject)?;
            let account = row.account.and_then(|a| a.name);
            let (name, detail) = match kind {
                WhatType::Account => (row.name.unwrap_or_default(), None),
                WhatType::Opportunity => (row.name.unwrap_or_default(), account.or(row.stage_name)),
                WhatType::Case => (case_name(row.case_number, row.subject), account),
            };
            Some(WhatRecord {
                kind,
                id: row.id,
                name,
                detail,
            })
        })
        .collect())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccountFields {
    id: String,
    name: Option<String>,
    created_date: Option<String>,
}

/// What the Account rule weighs for `company`: the Accounts named exactly so (earliest
/// created first) and up to two whose names contain it (two tell "only one" from "several").
/// One Composite call.
pub async fn accounts_for_company(
    session: &mut Session,
    company: &str,
) -> Result<(Vec<AccountRow>, Vec<AccountRow>), SessionError> {
    let exact = format!(
        "SELECT Id, Name, CreatedDate FROM Account WHERE Name = '{}' \
         ORDER BY CreatedDate ASC, Id ASC LIMIT 1",
        soql_escape(company)
    );
    let containing = format!(
        "SELECT Id, Name, CreatedDate FROM Account WHERE Name LIKE '%{}%' \
         ORDER BY CreatedDate ASC, Id ASC LIMIT 2",
        like_contains(company)
    );
    let mut found = (Vec::new(), Vec::new());
    let asked = [
        ("exact".to_string(), exact),
        ("containing".to_string(), containing),
    ];
    for (reference, rows) in composite::queries::<AccountFields>(session, &asked).await? {
        let rows = rows.into_iter().map(|r| AccountRow {
            id: r.id,
            name: r.name.unwrap_or_default(),
            created: r.created_date.unwrap_or_default(),
        });
        if reference == "exact" {
            found.0.extend(rows);
        } else {
            found.1.extend(rows);
        }
    }
    Ok(found)
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

/// Creates one record of `sobject` with `fields`; its new Id.
pub async fn create(
    session: &mut Session,
    sobject: &str,
    fields: Map<String, Value>,
) -> Result<String, SessionError> {
    let body = Value::Object(fields);
    let created: Created = session
        .send(Method::POST, &format!("sobjects/{sobject}"), Some(&body))
        .await?
        .json()?;
    Ok(created.id)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NameRow {
    id: String,
    name: Option<String>,
    case_number: Option<String>,
    subject: Option<String>,
}

/// The names of records by Id (Contacts, Leads, Accounts, Opportunities; a Case's number and
/// subject), as Salesforce holds them now: one Composite call of a query per object. An Id
/// Salesforce does not return (deleted, not visible to the rep) is left out.
pub async fn names(
    session: &mut Session,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, String>, SessionError> {
    use crate::relations::Kind;
    let mut by_kind: std::collections::BTreeMap<&'static str, Vec<String>> = Default::default();
    for id in ids {
        let object = match Kind::of(id) {
            Some(Kind::Contact) => "Contact",
            Some(Kind::Lead) => "Lead",
            Some(Kind::Account) => "Account",
            Some(Kind::Opportunity) => "Opportunity",
            Some(Kind::Case) => "Case",
            None => continue,
        };
        by_kind
            .entry(object)
            .or_default()
            .push(format!("'{}'", soql_escape(id)));
    }
    if by_kind.is_empty() {
        return Ok(Default::default());
    }
    let queries: Vec<(String, String)> = by_kind
        .into_iter()
        .map(|(object, ids)| {
            let fields = if object == "Case" {
                "Id, CaseNumber, Subject"
            } else {
                "Id, Name"
            };
            let soql = format!(
                "SELECT {fields} FROM {object} WHERE Id IN ({})",
                ids.join(",")
            );
            (object.to_string(), soql)
        })
        .collect();
    let mut names = std::collections::HashMap::new();
    for (_, rows) in composite::queries::<NameRow>(session, &queries).await? {
        for row in rows {
            let name = row
                .name
                .unwrap_or_else(|| case_name(row.case_number, row.subject));
            names.insert(row.id, name);
        }
    }
    Ok(names)
}
