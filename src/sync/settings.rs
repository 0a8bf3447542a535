//! The settings document of a sync configuration, checked before it is saved: every key known,
//! every value in range, each problem named by its field (`settings.window_days_ahead`). What
//! the sync reads of it is `sync::policy`; a key it does not act on yet is still checked, so a
//! configuration saved today means the same once it does.

use serde_json::{Map, Value};

use crate::matching::{EmailAddress, ExtraEmailFields};

/// A setting that cannot be saved: its path and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

fn invalid(key: &str, message: impl Into<String>) -> Invalid {
    Invalid {
        field: format!("settings.{key}"),
        message: message.into(),
    }
}

/// The most days the window reaches back or ahead.
const MAX_DAYS: u64 = 365;
/// The poll interval's bounds, in seconds: a minute to a day.
const POLL_SECS: (u64, u64) = (60, 86_400);
/// Outlook's limit on a category's name.
const CATEGORY_CHARS: usize = 255;
/// The most addresses and domains one configuration excludes.
const MAX_EXCLUDED: usize = 1_000;

/// The words each choice takes.
const CHOICES: &[(&str, &[&str])] = &[
    (
        "direction",
        &[
            "off",
            "outlook_to_salesforce",
            "salesforce_to_outlook",
            "both",
        ],
    ),
    ("scope", &["selected", "all"]),
    ("private", &["skip", "as_private", "time_and_attendees"]),
    (
        "conflict",
        &["salesforce_wins", "outlook_wins", "newest_wins"],
    ),
    ("deleted", &["delete", "keep"]),
    ("deleted_in_salesforce", &["delete", "keep"]),
];

/// Checks a settings document: an object whose every key is known and whose values are valid.
pub fn check(settings: &Value) -> Result<(), Invalid> {
    let Some(object) = settings.as_object() else {
        return Err(Invalid {
            field: "settings".into(),
            message: "an object of settings".into(),
        });
    };
    for (key, value) in object {
        check_one(key, value)?;
    }
    Ok(())
}

fn check_one(key: &str, value: &Value) -> Result<(), Invalid> {
    if let Some((_, words)) = CHOICES.iter().find(|(name, _)| *name == key) {
        return match value.as_str() {
            Some(word) if words.contains(&word) => Ok(()),
            _ => Err(invalid(key, format!("one of {}", words.join(", ")))),
        };
    }
    match key {
        "window_days_back" => days(key, value, 0),
        "window_days_ahead" => days(key, value, 1),
        "poll_interval_secs" => match value.as_u64() {
            Some(secs) if (POLL_SECS.0..=POLL_SECS.1).contains(&secs) => Ok(()),
            _ => Err(invalid(
                key,
                format!("whole seconds, {} to {}", POLL_SECS.0, POLL_SECS.1),
            )),
        },
        "category" => match value.as_str().map(str::trim) {
            Some(name) if !name.is_empty() && name.chars().count() <= CATEGORY_CHARS => Ok(()),
            _ => Err(invalid(
                key,
                format!("an Outlook category's name, 1 to {CATEGORY_CHARS} characters"),
            )),
        },
        "excluded" => excluded(value),
        "extra_email_fields" => extra_email_fields(value),
        _ => Err(invalid(key, "not a setting of a sync configuration")),
    }
}

fn days(key: &str, value: &Value, least: u64) -> Result<(), Invalid> {
    match value.as_u64() {
        Some(days) if (least..=MAX_DAYS).contains(&days) => Ok(()),
        _ => Err(invalid(key, format!("whole days, {least} to {MAX_DAYS}"))),
    }
}

/// Addresses (`ceo@contoso.com`) and domains (`partner.example`, or `@partner.example`).
fn excluded(value: &Value) -> Result<(), Invalid> {
    let Some(list) = value.as_array() else {
        return Err(invalid("excluded", "a list of addresses and domains"));
    };
    if list.len() > MAX_EXCLUDED {
        return Err(invalid(
            "excluded",
            format!("at most {MAX_EXCLUDED} addresses and domains"),
        ));
    }
    for (i, entry) in list.iter().enumerate() {
        let text = entry.as_str().map(str::trim).unwrap_or_default();
        let ok = if text.contains('@') && !text.starts_with('@') {
            EmailAddress::parse(text).is_ok()
        } else {
            is_domain(text.trim_start_matches('@'))
        };
        if !ok {
            return Err(Invalid {
                field: format!("settings.excluded[{i}]"),
                message: "an email address or a domain".into(),
            });
        }
    }
    Ok(())
}

fn is_domain(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    labels.len() >= 2
        && text.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn extra_email_fields(value: &Value) -> Result<(), Invalid> {
    let fields: ExtraEmailFields = serde_json::from_value(value.clone()).map_err(|_| {
        invalid(
            "extra_email_fields",
            "{\"contact\": [field names], \"lead\": [field names]}",
        )
    })?;
    fields
        .checked()
        .map(|_| ())
        .map_err(|(field, message)| Invalid {
            field: format!("settings.extra_email_fields.{field}"),
            message: message.into(),
        })
}

/// The document as saved: the excluded entries trimmed and lower case, so that what an admin
/// reads back is what the sync compares.
pub fn normalized(settings: &Value) -> Value {
    let mut object: Map<String, Value> = settings.as_object().cloned().unwrap_or_default();
    if let Some(Value::Array(list)) = object.get_mut("excluded") {
        for entry in list.iter_mut() {
            if let Some(text) = entry.as_str() {
                *entry = Value::String(text.trim().to_ascii_lowercase());
            }
        }
    }
    Value::Object(object)
}
