//! Graph's times: `dateTimeTimeZone` objects (`{"dateTime":"2017-08-30T11:00:00.0000000",
//! "timeZone":"Pacific Standard Time"}`, a naive local time with seven fractional digits and a
//! Windows or IANA zone name), UTC stamps with seven digits and `Z`, and the zones behind the
//! names (with daylight saving, through chrono-tz).

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::{OffsetComponents as _, Tz};
use serde_json::{Value, json};

/// Windows zone names Outlook uses, and the IANA zone each stands for (CLDR's mapping).
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("UTC", "UTC"),
    ("Coordinated Universal Time", "UTC"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("GMT Standard Time", "Europe/London"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("FLE Standard Time", "Europe/Kyiv"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("India Standard Time", "Asia/Kolkata"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Mountain Standard Time", "America/Denver"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Central Standard Time", "America/Chicago"),
    ("Eastern Standard Time", "America/New_York"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
];

/// The zone a Windows or IANA name stands for.
pub fn zone(name: &str) -> Option<Tz> {
    let iana = WINDOWS_ZONES
        .iter()
        .find(|(windows, _)| windows.eq_ignore_ascii_case(name))
        .map_or(name, |(_, iana)| iana);
    iana.parse().ok()
}

/// A naive local time in `zone` as a UTC instant. A time the autumn change repeats is standard
/// time, the second of the two, as Exchange reads it (.NET's `TimeZoneInfo.ConvertTimeToUtc`
/// "assumes that it is the standard time of the source time zone"); a time the spring change
/// skips is the moment as far past the gap, as Outlook shows it.
pub fn to_utc(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, later) => [earlier, later]
            .into_iter()
            .find(|t| t.offset().dst_offset().is_zero())
            .unwrap_or(later)
            .with_timezone(&Utc),
        LocalResult::None => to_utc(local + chrono::Duration::hours(1), zone),
    }
}

/// Parses a `dateTimeTimeZone` object into an instant and the zone name as given.
pub fn parse_date_time_zone(value: &Value) -> Result<(DateTime<Utc>, String), String> {
    let local = value["dateTime"].as_str().ok_or("dateTime is required")?;
    let name = value["timeZone"].as_str().unwrap_or("UTC").to_string();
    let tz = zone(&name).ok_or_else(|| format!("A valid TimeZone value must be specified. The following TimeZone value is not supported: '{name}'."))?;
    let naive = parse_naive(local).ok_or_else(|| {
        format!("Cannot convert the literal '{local}' to the expected type 'Edm.DateTime'.")
    })?;
    Ok((to_utc(naive, tz), name))
}

/// A local time as Graph writes it, with or without fractions, offsets ignored as Graph does not
/// send them in `dateTime`.
pub fn parse_naive(text: &str) -> Option<NaiveDateTime> {
    let trimmed = text.trim_end_matches('Z');
    NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M"))
        .ok()
        .or_else(|| {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.naive_utc())
        })
}

/// `{"dateTime": "...0000000", "timeZone": name}` for an instant shown in zone `name`.
pub fn date_time_zone(t: DateTime<Utc>, name: &str) -> Value {
    let tz = zone(name).unwrap_or(Tz::UTC);
    let local = t.with_timezone(&tz).naive_local();
    json!({ "dateTime": format!("{}.0000000", local.format("%Y-%m-%dT%H:%M:%S")), "timeZone": name })
}

/// An all-day event's start or end as Graph shows it: midnight of its calendar date (in the
/// zone it was made in), whatever zone the caller prefers, labelled with that zone. All-day
/// events float: Outlook shows them on the same dates everywhere.
pub fn all_day_date_time(t: DateTime<Utc>, own_zone: &str, shown_zone: &str) -> Value {
    let tz = zone(own_zone).unwrap_or(Tz::UTC);
    let date = t.with_timezone(&tz).date_naive();
    json!({ "dateTime": format!("{}T00:00:00.0000000", date.format("%Y-%m-%d")), "timeZone": shown_zone })
}

/// `2017-04-15T03:00:50.7579581Z`: UTC with seven fractional digits.
pub fn stamp(t: DateTime<Utc>) -> String {
    format!(
        "{}{:07}Z",
        t.format("%Y-%m-%dT%H:%M:%S."),
        t.timestamp_subsec_nanos() / 100
    )
}

/// An instant in a query string (`startDateTime=2025-09-24T00:00:00Z`, with or without offset;
/// without one it is UTC).
pub fn parse_query_instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| parse_naive(text).map(|n| n.and_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_zones_follow_daylight_saving() {
        let summer = parse_date_time_zone(&json!({ "dateTime": "2025-07-01T09:00:00.0000000", "timeZone": "Pacific Standard Time" })).unwrap();
        assert_eq!(summer.0.to_rfc3339(), "2025-07-01T16:00:00+00:00");
        let winter = parse_date_time_zone(
            &json!({ "dateTime": "2025-01-15T09:00:00", "timeZone": "Pacific Standard Time" }),
        )
        .unwrap();
        assert_eq!(winter.0.to_rfc3339(), "2025-01-15T17:00:00+00:00");
        assert_eq!(
            date_time_zone(summer.0, "W. Europe Standard Time"),
            json!({ "dateTime": "2025-07-01T18:00:00.0000000", "timeZone": "W. Europe Standard Time" })
        );
        assert!(
            parse_date_time_zone(
                &json!({ "dateTime": "2025-01-15T09:00:00", "timeZone": "Mars Standard Time" })
            )
            .is_err()
        );
    }

    #[test]
    fn stamps_have_seven_fractional_digits() {
        let t = DateTime::parse_from_rfc3339("2017-04-15T03:00:50.757958100Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(stamp(t), "2017-04-15T03:00:50.7579581Z");
    }
}
