//! Attendees to Salesforce records: pure functions from the attendees of a meeting and the
//! Salesforce rows found for their addresses to ranked, explained matches (DESIGN.md
//! "Matching"); no I/O. Addresses are compared in lower case, as Salesforce compares emails.

use serde::Serialize;
use utoipa::ToSchema;

/// An email address as an attendee carries it, checked and lower-cased, its domain in Unicode
/// (as Salesforce stores an internationalised address). Anything that cannot be an address is
/// refused, so that no client string ever reaches a query unchecked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress {
    text: String,
    /// The address with its domain in punycode, when that differs (`xn--…`).
    ascii: Option<String>,
}

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
        let Some((local, domain)) = text.rsplit_once('@') else {
            return Err("an email address has an @");
        };
        local_part_ok(local)?;
        let labels_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        const NOT_A_DOMAIN: &str = "the part after the @ is a domain name such as example.com";
        if !labels_ok {
            return Err(NOT_A_DOMAIN);
        }
        // One form for both spellings of an internationalised domain: `bücher.example` and
        // `xn--bcher-kva.example` are the same mailbox.
        let ascii_domain = idna::domain_to_ascii(domain).map_err(|_| NOT_A_DOMAIN)?;
        let (unicode_domain, read) = idna::domain_to_unicode(&ascii_domain);
        read.map_err(|_| NOT_A_DOMAIN)?;
        let local = local.to_lowercase();
        let text = format!("{local}@{unicode_domain}");
        let ascii = (ascii_domain != unicode_domain).then(|| format!("{local}@{ascii_domain}"));
        Ok(Self { text, ascii })
    }

    /// The address with a Unicode domain: how it is compared, shown and written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Every spelling a record may hold the address in: as [`Self::as_str`], and with the
    /// domain in punycode when that differs.
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.text.as_str()).chain(self.ascii.as_deref())
    }
}

/// The part before the @: a dot-atom as mail systems write it (no spaces or separators), or a
/// quoted string (`"john doe"@acme.example`, RFC 5321), which may hold spaces and an @.
fn local_part_ok(local: &str) -> Result<(), &'static str> {
    if local.is_empty() || local.len() > 64 {
        return Err("the part before the @ has 1 to 64 characters");
    }
    if let Some(quoted) = local
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        let mut chars = quoted.chars();
        while let Some(c) = chars.next() {
            let escaped = c == '\\';
            let c = if escaped { chars.next() } else { Some(c) };
            match c {
                Some(c) if c == ' ' || c.is_ascii_graphic() => {
                    if !escaped && c == '"' {
                        return Err("a quoted part before the @ escapes its quotes");
                    }
                }
                _ => return Err("a quoted part before the @ holds printable characters only"),
            }
        }
        return Ok(());
    }
    if local.contains('@') {
        return Err("an email address has one @");
    }
    if local
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
    {
        return Err(
            "an email address has no spaces, control characters, quotes, <, >, comma or semicolon",
        );
    }
    Ok(())
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
    /// One of the org's extra email fields (named in `field`) holds the address.
    ExtraEmail,
}

/// The most extra email fields per object: each one is another clause in the lookup's query.
pub const MAX_EXTRA_EMAIL_FIELDS: usize = 5;

/// The custom fields besides `Email` that hold addresses in the tenant's org (NPSP's
/// `npe01__WorkEmail__c`, …), per object; searched too, case-insensitively as `Email` is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraEmailFields {
    #[serde(default)]
    pub contact: Vec<String>,
    #[serde(default)]
    pub lead: Vec<String>,
}

impl ExtraEmailFields {
    /// Checks the field names: API names of custom fields (`Name__c`, or `ns__Name__c`), at most
    /// five per object, none twice. The error names the offending entry.
    pub fn checked(self) -> Result<Self, (String, &'static str)> {
        for (object, fields) in [("contact", &self.contact), ("lead", &self.lead)] {
            if fields.len() > MAX_EXTRA_EMAIL_FIELDS {
                return Err((
                    object.to_string(),
                    "at most 5 extra email fields per object",
                ));
            }
            for (index, field) in fields.iter().enumerate() {
                let at = format!("{object}[{index}]");
                let body = field.strip_suffix("__c").unwrap_or_default();
                let well_formed = !body.is_empty()
                    && field.len() <= 80
                    && body.starts_with(|c: char| c.is_ascii_alphabetic())
                    && body.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !body.ends_with('_')
                    && !body.contains("___");
                if !well_formed {
                    return Err((at, "a custom field's API name, such as Work_Email__c"));
                }
                if fields[..index]
                    .iter()
                    .any(|f| f.eq_ignore_ascii_case(field))
                {
                    return Err((at, "named twice"));
                }
            }
        }
        Ok(self)
    }

    pub fn for_kind(&self, kind: RecordKind) -> &[String] {
        match kind {
            RecordKind::Contact => &self.contact,
            RecordKind::Lead => &self.lead,
        }
    }
}

/// A Contact or an unconverted Lead found for an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub kind: RecordKind,
    pub id: String,
    pub name: String,
    /// The record's `Email`, when it holds an address.
    pub email: Option<EmailAddress>,
    /// The org's extra email fields that hold an address: `(field, address)`.
    pub extra_emails: Vec<(String, EmailAddress)>,
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
    /// With `extra_email`: the field that holds the address.
    pub field: Option<String>,
}

/// One attendee's matches, best first, and the colleague they are, if they are one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AttendeeMatches {
    pub email: String,
    /// Why the attendee's address cannot be one (nothing was looked up for it); `null` for an
    /// address.
    pub problem: Option<String>,
    /// The display name the pane sent, for prefilling a new record.
    pub name: Option<String>,
    pub matches: Vec<Match>,
    pub colleague: Option<Named>,
    /// An admin excluded the address or its domain: it is never related nor created, and no
    /// match is offered.
    pub excluded: bool,
}

/// Why `row` matches `email`, and through which extra field; none when it does not.
fn reason(row: &RecordRow, email: &EmailAddress) -> Option<(Reason, Option<String>)> {
    if row.email.as_ref() == Some(email) {
        return Some((Reason::PrimaryEmail, None));
    }
    row.extra_emails
        .iter()
        .find(|(_, address)| address == email)
        .map(|(field, _)| (Reason::ExtraEmail, Some(field.clone())))
}

/// Ranks what was found for an address: Contacts before Leads, a match on the primary email
/// before one on an extra field, a Contact with an Account before one without, then the most
/// recently changed first (Id breaks a tie).
pub fn explain(email: &EmailAddress, found: &Found) -> AttendeeMatches {
    let mut records: Vec<(&RecordRow, (Reason, Option<String>))> = found
        .records
        .iter()
        .filter_map(|r| reason(r, email).map(|why| (r, why)))
        .collect();
    records.sort_by(|(a, why_a), (b, why_b)| {
        let rank = |r: &RecordRow, why: &(Reason, Option<String>)| {
            (
                r.kind == RecordKind::Lead,
                why.0 != Reason::PrimaryEmail,
                r.account.is_none(),
            )
        };
        rank(a, why_a)
            .cmp(&rank(b, why_b))
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
        problem: None,
        name: None,
        matches: records
            .into_iter()
            .map(|(r, (reason, field))| Match {
                kind: r.kind,
                id: r.id.clone(),
                name: r.name.clone(),
                account: r.account.clone(),
                company: r.company.clone(),
                owner: r.owner.clone(),
                reason,
                field,
            })
            .collect(),
        colleague,
        excluded: false,
    }
}
