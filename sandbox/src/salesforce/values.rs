//! Field values as Salesforce stores them, and their wire formats: date-times are
//! `2025-09-24T16:00:00.000+0000` (milliseconds, offset without a colon), dates `2025-09-24`.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{Value as Json, json};

/// One field's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Number(f64),
    /// Ids, references, strings, emails, picklists, text areas.
    Text(String),
    DateTime(DateTime<Utc>),
    Date(NaiveDate),
    /// A JunctionIdList such as `EventWhoIds`.
    Ids(Vec<String>),
}

impl Value {
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    pub fn to_json(&self) -> Json {
        match self {
            Self::Null => Json::Null,
            Self::Bool(b) => json!(b),
            Self::Int(i) => json!(i),
            Self::Number(n) => json!(n),
            Self::Text(s) => json!(s),
            Self::DateTime(t) => json!(format_datetime(*t)),
            Self::Date(d) => json!(d.format("%Y-%m-%d").to_string()),
            Self::Ids(ids) => json!(ids),
        }
    }

    /// SOQL ordering: text compares case-insensitively; nulls are handled by the caller.
    pub fn compare(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Self::Text(a), Self::Text(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
            (Self::Bool(a), Self::Bool(b)) => Some(a.cmp(b)),
            (Self::Int(a), Self::Int(b)) => Some(a.cmp(b)),
            (Self::DateTime(a), Self::DateTime(b)) => Some(a.cmp(b)),
            (Self::Date(a), Self::Date(b)) => Some(a.cmp(b)),
            (Self::DateTime(a), Self::Date(b)) => Some(a.date_naive().cmp(b)),
            (a, b) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        }
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Int(i) => Some(*i as f64),
            Self::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The value as list view results show it: always a string, dates in Java's `toString`.
    pub fn to_display(&self) -> Option<String> {
        match self {
            Self::Null => None,
            Self::Bool(b) => Some(b.to_string()),
            Self::Int(i) => Some(i.to_string()),
            Self::Number(n) => Some(n.to_string()),
            Self::Text(s) => Some(s.clone()),
            Self::DateTime(t) => Some(t.format("%a %b %d %H:%M:%S GMT %Y").to_string()),
            Self::Date(d) => Some(d.format("%a %b %d 00:00:00 GMT %Y").to_string()),
            Self::Ids(ids) => Some(ids.join(",")),
        }
    }
}

/// `2025-09-24T16:00:00.000+0000`.
pub fn format_datetime(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f%z").to_string()
}

/// A date-time as Salesforce accepts it in a body or a SOQL literal: with milliseconds or not,
/// with `Z`, `+0000` or `+00:00`.
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .or_else(|| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z").ok())
        .map(|t| t.with_timezone(&Utc))
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The current time as Salesforce records it: to the millisecond.
pub fn truncate_ms(t: DateTime<Utc>) -> DateTime<Utc> {
    parse_datetime(&t.to_rfc3339_opts(SecondsFormat::Millis, true)).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_use_milliseconds_and_an_offset_without_a_colon() {
        let t = parse_datetime("2025-09-24T16:00:00Z").unwrap();
        assert_eq!(format_datetime(t), "2025-09-24T16:00:00.000+0000");
        for input in [
            "2025-09-24T16:00:00.000+0000",
            "2025-09-24T16:00:00+00:00",
            "2025-09-24T18:00:00.000+0200",
        ] {
            assert_eq!(parse_datetime(input), Some(t), "{input}");
        }
        assert_eq!(parse_datetime("2025-09-24"), None);
    }

    #[test]
    fn list_view_values_are_java_strings() {
        let t = parse_datetime("2014-08-01T21:15:46Z").unwrap();
        assert_eq!(
            Value::DateTime(t).to_display().unwrap(),
            "Fri Aug 01 21:15:46 GMT 2014"
        );
    }
}
