use outforce::sync::content::ConflictPolicy;
use outforce::sync::event_map::PrivatePolicy;
use outforce::sync::policy::{Deletion, Policy, breaker_trips};
use serde_json::json;

#[test]
fn policies_come_from_the_configuration_with_the_designs_defaults() {
    assert_eq!(
        Policy::from_settings(None),
        Policy {
            private: PrivatePolicy::AsPrivate,
            deleted: Deletion::Delete,
            window_days_back: 14,
            window_days_ahead: 28,
            category: "Salesforce".into(),
            excluded: vec![],
            poll_interval_secs: None,
            outlook_to_salesforce: true,
            all_meetings: false,
            salesforce_to_outlook: false,
            conflict: ConflictPolicy::NewestWins,
            deleted_in_salesforce: Deletion::Keep,
            extra_email_fields: None,
        }
    );
    let all = json!({ "scope": "all" });
    assert!(Policy::from_settings(Some(&all)).all_meetings);
    for (direction, sends, brings) in [
        ("off", false, false),
        ("salesforce_to_outlook", false, true),
        ("outlook_to_salesforce", true, false),
        ("both", true, true),
    ] {
        let set = json!({ "direction": direction });
        let policy = Policy::from_settings(Some(&set));
        assert_eq!(policy.outlook_to_salesforce, sends, "{direction}");
        assert_eq!(policy.salesforce_to_outlook, brings, "{direction}");
    }
    for (word, conflict) in [
        ("salesforce_wins", ConflictPolicy::SalesforceWins),
        ("outlook_wins", ConflictPolicy::OutlookWins),
        ("newest_wins", ConflictPolicy::NewestWins),
    ] {
        let set = json!({ "conflict": word, "deleted_in_salesforce": "delete" });
        let policy = Policy::from_settings(Some(&set));
        assert_eq!(policy.conflict, conflict);
        assert_eq!(policy.deleted_in_salesforce, Deletion::Delete);
    }
    let set = json!({ "private": "time_and_attendees", "deleted": "keep" });
    let policy = Policy::from_settings(Some(&set));
    assert_eq!(policy.private, PrivatePolicy::TimeAndAttendeesOnly);
    assert_eq!(policy.deleted, Deletion::Keep);
    let skip = json!({ "private": "skip" });
    assert_eq!(
        Policy::from_settings(Some(&skip)).private,
        PrivatePolicy::Skip
    );
    let unknown = json!({ "private": "maybe", "deleted": 3 });
    assert_eq!(Policy::from_settings(Some(&unknown)), Policy::default());
}

#[test]
fn the_window_is_whole_days_around_today_and_exclusions_cover_domains() {
    let set = json!({
        "window_days_back": 2, "window_days_ahead": 3,
        "excluded": ["@Partner.Example", "ceo@contoso.example"], "category": "CRM",
    });
    let policy = Policy::from_settings(Some(&set));
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-10T15:30:00Z")
        .unwrap()
        .to_utc();
    let (start, end) = policy.window(now);
    assert_eq!(start.to_rfc3339(), "2026-12-08T00:00:00+00:00");
    assert_eq!(
        end.to_rfc3339(),
        "2026-12-14T00:00:00+00:00",
        "today and 3 days after"
    );
    assert_eq!(policy.category, "CRM");
    assert!(policy.excludes("Anyone@partner.example"));
    assert!(policy.excludes("CEO@contoso.example"));
    assert!(!policy.excludes("cfo@contoso.example"));
    assert!(!policy.excludes("x@notpartner.example"));
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
