use chrono::{DateTime, Utc};
use outforce::storage::*;

#[test]
fn dialect_is_read_from_the_scheme() {
    assert_eq!(Dialect::of_url("sqlite://data/x.db"), Some(Dialect::Sqlite));
    assert_eq!(Dialect::of_url("sqlite::memory:"), Some(Dialect::Sqlite));
    assert_eq!(
        Dialect::of_url("postgres://u@h/db"),
        Some(Dialect::Postgres)
    );
    assert_eq!(
        Dialect::of_url("postgresql://u@h/db"),
        Some(Dialect::Postgres)
    );
    assert_eq!(Dialect::of_url("mysql://u@h/db"), None);
    assert_eq!(Dialect::of_url("no-scheme"), None);
}

#[test]
fn timestamps_keep_microseconds_only() {
    let at = DateTime::parse_from_rfc3339("2026-11-22T10:00:00.123456789Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    assert_eq!(
        truncate(at).to_rfc3339(),
        "2026-11-22T10:00:00.123456+00:00"
    );
}
