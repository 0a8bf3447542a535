//! Salesforce's date-time format: `2025-09-24T16:00:00.000+0000`, milliseconds and an offset
//! without a colon, which RFC 3339 parsers reject. Input may also use `Z` or `+00:00`.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

const FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3f%z";

/// A point in time as Salesforce reads and writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SfDateTime(pub DateTime<Utc>);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a Salesforce date-time: {0:?}")]
pub struct InvalidDateTime(String);

impl SfDateTime {
    pub fn parse(text: &str) -> Result<Self, InvalidDateTime> {
        DateTime::<FixedOffset>::parse_from_str(text, FORMAT)
            .or_else(|_| DateTime::parse_from_rfc3339(text))
            .map(|at| Self(at.with_timezone(&Utc)))
            .map_err(|_| InvalidDateTime(text.chars().take(40).collect()))
    }
}

impl std::fmt::Display for SfDateTime {
    /// Always UTC, to the millisecond: `2025-09-24T16:00:00.000+0000`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format(FORMAT))
    }
}

impl std::str::FromStr for SfDateTime {
    type Err = InvalidDateTime;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for SfDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SfDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}
