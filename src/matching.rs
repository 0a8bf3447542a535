//! Attendees to Salesforce records: pure functions from the attendees of a meeting and the
//! Salesforce rows found for their addresses to ranked, explained matches (DESIGN.md
//! "Matching"); no I/O. Addresses are compared in lower case, as Salesforce compares emails.

use serde::Serialize;
use utoipa::ToSchema;

/// An email address as an attendee carries it, checked and lower-cased. Anything that cannot
/// be an address is refused, so that no client string ever reaches a query unchecked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// The longest address SMTP carries (RFC 5321: 254 characters in a path).
    const MAX_LEN: usize = 254;

    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an email address is required");
        }
        if text.len() > Self::MAX_LEN {
            return Err("an email address has at most 254 characters");
        }
        if text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
        {
            return Err(
                "an email address has no spaces, control characters, <, >, comma or semicolon",
            );
        }
        let Some((local, domain)) = text.rsplit_once('@') else {
            return Err("an email address has an @");
        };
        // A quoted local part may hold an @; no mail system an attendee comes from uses one.
        if local.contains('@') {
            return Err("an email address has one @");
        }
        if local.is_empty() || local.len() > 64 {
            return Err("the part before the @ has 1 to 64 characters");
        }
        let labels_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !labels_ok {
            return Err("the part after the @ is a domain name such as example.com");
        }
        Ok(Self(text.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Contact,
    Lead,
}

/// A record's Id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// Why a record matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The record's `Email` is the attendee's address.
    PrimaryEmail,
}

/// A Contact or an unconverted Lead found for an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub kind: RecordKind,
    pub id: String,
    pub name: String,
    pub email: EmailAddress,
    /// A Contact's Account; a Lead's Company is in `company`.
    pub account: Option<Named>,
    pub company: Option<String>,
    pub owner: Option<Named>,
    /// Salesforce's `LastModifiedDate`, as written (it sorts as text).
    pub last_modified: String,
}

/// An active Salesforce user with the address: the attendee is a colleague.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: EmailAddress,
}

/// Everything found for one address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub records: Vec<RecordRow>,
    pub users: Vec<UserRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Match {
    pub kind: RecordKind,
    pub id: String,
    pub name: String,
    pub account: Option<Named>,
    pub company: Option<String>,
    pub owner: Option<Named>,
    pub reason: Reason,
}

/// One attendee's matches, best first, and the colleague they are, if they are one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AttendeeMatches {
    pub email: String,
    /// The display name the pane sent, for prefilling a new record.
    pub name: Option<String>,
    pub matches: Vec<Match>,
    pub colleague: Option<Named>,
}

/// Ranks what was found for an address: Contacts before Leads, a Contact with an Account
/// before one without, then the most recently changed first (Id breaks a tie).
pub fn explain(email: &EmailAddress, found: &Found) -> AttendeeMatches {
    let mut records: Vec<&RecordRow> = found.records.iter().filter(|r| &r.email == email).collect();
    records.sort_by(|a, b| {
        let rank = |r: &RecordRow| (r.kind == RecordKind::Lead, r.account.is_none());
        rank(a)
            .cmp(&rank(b))
            .then_with(|| b.last_modified.cmp(&a.last_modified))
            .then_with(|| a.id.cmp(&b.id))
    });
    let colleague = found
        .users
        .iter()
        .filter(|u| &u.email == email)
        .min_by(|a, b| a.id.cmp(&b.id))
        .map(|u| Named {
            id: u.id.clone(),
            name: u.name.clone(),
        });
    AttendeeMatches {
        email: email.as_str().to_string(),
        name: None,
        matches: records
            .into_iter()
            .map(|r| Match {
                kind: r.kind,
                id: r.id.clone(),
                name: r.name.clone(),
                account: r.account.clone(),
                company: r.company.clone(),
                owner: r.owner.clone(),
                reason: Reason::PrimaryEmail,
            })
            .collect(),
        colleague,
    }
}
