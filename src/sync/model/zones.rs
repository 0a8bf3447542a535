//! Graph's zone-qualified times (`{"dateTime": "2026-03-08T02:30:00.0000000", "timeZone":
//! "Pacific Standard Time"}`) to the UTC instant Salesforce stores. The zone is an IANA name or
//! a Windows name; Windows names go through CLDR's world-wide mapping (its `001` rows, as the
//! `windows-timezones` crate carries them). A zone neither knows is an error, never UTC.

use std::str::FromStr as _;

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset as _, TimeZone as _, Utc};
use chrono_tz::{OffsetComponents as _, Tz};
use windows_timezones::WindowsTimezone;

/// The zone a Windows or IANA name stands for.
pub fn zone(name: &str) -> Option<Tz> {
    let name = name.trim();
    if let Ok(windows) = WindowsTimezone::from_str(name) {
        return Some(Tz::from(windows));
    }
    name.parse().ok()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("not a Graph date-time: {0:?}")]
    DateTime(String),
    #[error("unknown time zone: {0:?}")]
    Zone(String),
}

/// Graph's naive local time (up to seven fractional digits) in `zone` as a UTC instant.
///
/// - A local time the autumn change repeats is read as standard time, the second of the two,
///   as Exchange reads it: .NET's `TimeZoneInfo.ConvertTimeToUtc` "assumes that it is the
///   standard time of the source time zone", and so does Windows'
///   `TzSpecificLocalTimeToSystemTime`. The emulated Graph reads it the same way.
/// - A local time skipped when the clock jumps forward is read with the offset in force before
///   the gap, which lands it as far past the gap as it was into it (02:30 on a spring-forward
///   night is 03:30 local), as Outlook shows such a meeting.
pub fn to_utc(date_time: &str, zone_name: &str) -> Result<DateTime<Utc>, TimeError> {
    let local =
        NaiveDateTime::parse_from_str(date_time.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S%.f")
            .map_err(|_| TimeError::DateTime(date_time.chars().take(40).collect()))?;
    let zone =
        zone(zone_name).ok_or_else(|| TimeError::Zone(zone_name.chars().take(80).collect()))?;
    Ok(match zone.from_local_datetime(&local) {
        LocalResult::Single(at) => at.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, later) => {
            let standard = [earlier, later]
                .into_iter()
                .find(|at| at.offset().dst_offset().is_zero())
                .unwrap_or(later);
            standard.with_timezone(&Utc)
        }
        LocalResult::None => {
            let before = zone
                .from_local_datetime(&(local - chrono::Duration::hours(6)))
                .earliest()
                .map_or(0, |at| at.offset().fix().local_minus_utc());
            local.and_utc() - chrono::Duration::seconds(i64::from(before))
        }
    })
}
