use outforce::sync::model::settings::{
    ConflictPolicy, Deletion, Direction, PrivatePolicy, Scope, SyncSettings, breaker_trips,
};
use serde_json::json;

fn parsed(document: serde_json::Value) -> SyncSettings {
    SyncSettings::parse(&document).unwrap()
}

#[test]
fn settings_come_from_the_configuration_with_the_designs_defaults() {
    let defaults = parsed(json!({}));
    assert_eq!(defaults, SyncSettings::default());
    assert_eq!(defaults.private, PrivatePolicy::AsPrivate);
    assert_eq!(defaults.deleted, Deletion::Delete);
    assert_eq!(defaults.deleted_in_salesforce, Deletion::Keep);
    assert_eq!(defaults.conflict, ConflictPolicy::NewestWins);
    assert_eq!(defaults.direction, Direction::OutlookToSalesforce);
    assert_eq!(defaults.scope, Scope::Selected);
    assert_eq!(
        (defaults.window_days_back, defaults.window_days_ahead),
        (14, 28)
    );
    assert_eq!(defaults.category, "Salesforce");
    assert!(parsed(json!({ "scope": "all" })).all_meetings());
    for (direction, sends, brings) in [
        ("off", false, false),
        ("salesforce_to_outlook", false, true),
        ("outlook_to_salesforce", true, false),
        ("both", true, true),
    ] {
        let settings = parsed(json!({ "direction": direction }));
        assert_eq!(settings.outlook_to_salesforce(), sends, "{direction}");
        assert_eq!(settings.salesforce_to_outlook(), brings, "{direction}");
    }
    for (word, conflict) in [
        ("salesforce_wins", ConflictPolicy::SalesforceWins),
        ("outlook_wins", ConflictPolicy::OutlookWins),
        ("newest_wins", ConflictPolicy::NewestWins),
    ] {
        let settings = parsed(json!({ "conflict": word, "deleted_in_salesforce": "delete" }));
        assert_eq!(settings.conflict, conflict);
        assert_eq!(settings.deleted_in_salesforce, Deletion::Delete);
    }
    let settings = parsed(json!({ "private": "time_and_attendees", "deleted": "keep" }));
    assert_eq!(settings.private, PrivatePolicy::TimeAndAttendeesOnly);
    assert_eq!(settings.deleted, Deletion::Keep);
    // What is stored reads back the same, every setting spelled out.
    let stored = serde_json::to_value(&settings).unwrap();
    assert_eq!(stored["private"], "time_and_attendees");
    assert_eq!(parsed(stored), settings);
}

#[test]
fn a_value_the_sync_does_not_know_is_refused_by_its_path_never_read_as_a_default() {
    for (document, field) in [
        (json!({ "private": "maybe" }), "settings.private"),
        (json!({ "deleted": 3 }), "settings.deleted"),
        (json!({ "direction": "sideways" }), "settings.direction"),
        (
            json!({ "window_days_ahead": 0 }),
            "settings.window_days_ahead",
        ),
        (
            json!({ "window_days_back": -1 }),
            "settings.window_days_back",
        ),
        (
            json!({ "poll_interval_secs": 30 }),
            "settings.poll_interval_secs",
        ),
        (
            json!({ "excluded": ["a.example", "not a domain"] }),
            "settings.excluded[1]",
        ),
        (
            json!({ "extra_email_fields": { "contact": ["Email"] } }),
            "settings.extra_email_fields.contact[0]",
        ),
        (
            json!({ "extra_email_fields": { "contacts": [] } }),
            "settings.extra_email_fields.contacts",
        ),
        (json!({ "colour": "blue" }), "settings.colour"),
        (json!([]), "settings"),
    ] {
        let invalid = SyncSettings::parse(&document).unwrap_err();
        assert_eq!(invalid.field, field, "{document}: {}", invalid.message);
        assert!(!invalid.message.is_empty());
    }
}

#[test]
fn the_window_is_whole_days_around_today_and_exclusions_cover_domains() {
    let settings = parsed(json!({
        "window_days_back": 2, "window_days_ahead": 3,
        "excluded": ["@Partner.Example", " CEO@contoso.example "], "category": "CRM",
    }));
    assert_eq!(
        settings.excluded,
        ["partner.example", "ceo@contoso.example"],
        "kept as the sync compares them"
    );
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-10T15:30:00Z")
        .unwrap()
        .to_utc();
    let (start, end) = settings.window(now);
    assert_eq!(start.to_rfc3339(), "2026-12-08T00:00:00+00:00");
    assert_eq!(
        end.to_rfc3339(),
        "2026-12-14T00:00:00+00:00",
        "today and 3 days after"
    );
    assert_eq!(settings.category, "CRM");
    assert!(settings.excludes("Anyone@partner.example"));
    assert!(settings.excludes("CEO@contoso.example"));
    assert!(!settings.excludes("cfo@contoso.example"));
    assert!(!settings.excludes("x@notpartner.example"));
}

#[test]
fn the_deletion_breaker_trips_above_fifty_or_a_fifth_of_the_linked_events() {
    assert!(
        !breaker_trips(1, 1),
        "one meeting deleted is never too much"
    );
    assert!(!breaker_trips(4, 5));
    assert!(breaker_trips(5, 10), "half of them");
    assert!(!breaker_trips(5, 25), "exactly a fifth");
    assert!(breaker_trips(6, 25));
    assert!(!breaker_trips(50, 1000));
    assert!(breaker_trips(51, 1000), "more than 50, whatever the share");
}
