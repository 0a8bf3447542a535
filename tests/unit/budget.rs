use std::time::Duration;

use chrono::Utc;
use outforce::config::ServerSyncSettings;
use outforce::salesforce::limits::ApiUsage;
use outforce::sync::to_salesforce::budget::{Budget, judge, stale};

fn used(used: u64) -> Option<ApiUsage> {
    Some(ApiUsage {
        used,
        max: 100_000,
        seen_at: Utc::now(),
    })
}

#[test]
fn the_allowance_left_decides_go_slow_or_pause() {
    let settings = ServerSyncSettings::default();
    assert_eq!(judge(None, &settings), Budget::Go, "no reading yet");
    assert_eq!(judge(used(50_000), &settings), Budget::Go);
    assert_eq!(judge(used(89_999), &settings), Budget::Go, "10 % left");
    assert_eq!(
        judge(used(90_001), &settings),
        Budget::Slow(Duration::from_millis(1000)),
        "under 10 % left"
    );
    assert_eq!(
        judge(used(98_001), &settings),
        Budget::Pause,
        "under 2 % left"
    );
    assert_eq!(judge(used(100_000), &settings), Budget::Pause);
}

#[test]
fn a_paused_reading_is_read_again_after_a_minute() {
    let settings = ServerSyncSettings::default();
    assert_eq!(settings.paused_recheck_secs, 60);
    let fresh = used(99_000).unwrap();
    assert!(!stale(&fresh, &settings));
    let old = ApiUsage {
        seen_at: Utc::now() - chrono::Duration::seconds(61),
        ..fresh
    };
    assert!(stale(&old, &settings));
}
