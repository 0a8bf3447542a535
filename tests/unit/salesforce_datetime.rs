use chrono::TimeZone as _;

use chrono::Utc;
use outforce::salesforce::datetime::*;

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
