//! What a meeting may be related to in Salesforce, checked before anything is stored: the Who
//! ids (up to 50 Contacts, or one Lead alone) and the What id (an Account, Opportunity or
//! Case; none with a Lead). These are Salesforce's own limits on an Event (EventWhoIds and
//! WhoId/WhatId), enforced as the rep clicks so the sync never meets them.

/// The most Contacts one Event relates to (EventWhoIds).
pub const MAX_CONTACTS: usize = 50;

/// What a Salesforce Id's key prefix says it is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Contact,
    Lead,
    Account,
    Opportunity,
    Case,
}

impl Kind {
    /// The kind of a 15- or 18-character record Id, by its key prefix; `None` for anything
    /// else (a malformed Id or an object a meeting is not related to here).
    pub fn of(id: &str) -> Option<Self> {
        let well_formed =
            matches!(id.len(), 15 | 18) && id.chars().all(|c| c.is_ascii_alphanumeric());
        if !well_formed {
            return None;
        }
        Some(match &id[..3] {
            "003" => Self::Contact,
            "00Q" => Self::Lead,
            "001" => Self::Account,
            "006" => Self::Opportunity,
            "500" => Self::Case,
            _ => return None,
        })
    }
}

/// A related record's name as the rep saw it (a Case's number and subject).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordName {
    pub kind: Kind,
    pub name: String,
}

/// The longest name kept (Salesforce's Name fields hold 255 characters at most; a Case's number
/// and subject together a little more).
pub const MAX_NAME_CHARS: usize = 300;

/// The names the pane sent, kept for the Ids the meeting is related to only, each cut to
/// [`MAX_NAME_CHARS`].
pub fn kept_names<'a>(
    sent: &std::collections::BTreeMap<String, String>,
    related: impl IntoIterator<Item = &'a str>,
) -> std::collections::BTreeMap<String, RecordName> {
    related
        .into_iter()
        .filter_map(|id| {
            let name = sent.get(id)?.trim();
            let kind = Kind::of(id)?;
            (!name.is_empty()).then(|| {
                (
                    id.to_string(),
                    RecordName {
                        kind,
                        name: name.chars().take(MAX_NAME_CHARS).collect(),
                    },
                )
            })
        })
        .collect()
}

/// A broken rule: a stable code, the field, and what the rep reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub rule: &'static str,
    pub field: String,
    pub message: String,
}

fn broken(rule: &'static str, field: impl Into<String>, message: impl Into<String>) -> Broken {
    Broken {
        rule,
        field: field.into(),
        message: message.into(),
    }
}

/// Checked relations: the Who ids (duplicates dropped, order kept) and the What id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relations {
    pub who_ids: Vec<String>,
    pub what_id: Option<String>,
}

/// Checks the rep's choice against the platform's limits.
pub fn check(who_ids: &[String], what_id: Option<&str>) -> Result<Relations, Broken> {
    let mut kept: Vec<String> = Vec::with_capacity(who_ids.len());
    let mut leads = 0;
    for (index, id) in who_ids.iter().enumerate() {
        match Kind::of(id) {
            Some(Kind::Contact) => {}
            Some(Kind::Lead) => leads += 1,
            _ => {
                return Err(broken(
                    "invalid_who",
                    format!("who_ids[{index}]"),
                    "a Contact (003…) or Lead (00Q…) Id",
                ));
            }
        }
        if !kept.contains(id) {
            kept.push(id.clone());
        }
    }
    if leads > 0 && kept.len() > 1 {
        return Err(broken(
            "lead_not_alone",
            "who_ids",
            "a meeting related to a Lead relates to that Lead alone (Salesforce allows up to \
             50 Contacts or one Lead)",
        ));
    }
    if kept.len() > MAX_CONTACTS {
        return Err(broken(
            "too_many_contacts",
            "who_ids",
            format!("at most {MAX_CONTACTS} Contacts per meeting (Salesforce's limit)"),
        ));
    }
    if let Some(what) = what_id {
        if !matches!(
            Kind::of(what),
            Some(Kind::Account | Kind::Opportunity | Kind::Case)
        ) {
            return Err(broken(
                "invalid_what",
                "what_id",
                "an Account (001…), Opportunity (006…) or Case (500…) Id",
            ));
        }
        if leads > 0 {
            return Err(broken(
                "lead_with_what",
                "what_id",
                "a meeting related to a Lead cannot also be related to an Account, \
                 Opportunity or Case (Salesforce's rule)",
            ));
        }
    }
    Ok(Relations {
        who_ids: kept,
        what_id: what_id.map(str::to_string),
    })
}
