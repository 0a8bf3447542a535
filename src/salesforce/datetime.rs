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

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn at(h: u32, m: u32, ms: u32) -> SfDateTime {
        SfDateTime(
            Utc.with_ymd_and_hms(2025, 9, 24, h, m, 0).unwrap()
                + chrono::Duration::milliseconds(i64::from(ms)),
        )
    }

    #[test]
    fn reads_salesforce_own_format_and_the_variants_it_accepts() {
        assert_eq!(
            SfDateTime::parse("2025-09-24T16:00:00.000+0000").unwrap(),
            at(16, 0, 0)
        );
        assert_eq!(
            SfDateTime::parse("2025-09-24T18:30:00.250+0200").unwrap(),
            at(16, 30, 250)
        );
        assert_eq!(
            SfDateTime::parse("2025-09-24T16:00:00Z").unwrap(),
            at(16, 0, 0)
        );
        assert_eq!(
            SfDateTime::parse("2025-09-24T16:00:00.000+00:00").unwrap(),
            at(16, 0, 0)
        );
    }

    #[test]
    fn writes_utc_with_milliseconds_and_a_colonless_offset() {
        assert_eq!(at(16, 0, 5).to_string(), "2025-09-24T16:00:00.005+0000");
        let json = serde_json::to_string(&at(9, 15, 0)).unwrap();
        assert_eq!(json, "\"2025-09-24T09:15:00.000+0000\"");
        let back: SfDateTime = serde_json::from_str(&json).unwrap();
        assert_eq!(back, at(9, 15, 0));
    }

    #[test]
    fn refuses_what_is_not_a_date_time() {
        assert!(SfDateTime::parse("2025-09-24").is_err());
        assert!(SfDateTime::parse("yesterday").is_err());
        assert!(serde_json::from_str::<SfDateTime>("\"24/09/2025 16:00\"").is_err());
    }
}
