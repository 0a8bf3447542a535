use std::time::Duration;

use chrono::Utc;
use outforce::config::SyncSettings;
use outforce::salesforce::limits::ApiUsage;
use outforce::sync::budget::{Budget, judge, stale};

fn used(used: u64) -> Option<ApiUsage> {
    Some(ApiUsage {
        used,
        max: 100_000,
        seen_at: Utc::now(),
    })
}

#[test]
fn the_allowance_left_decides_go_slow_or_pause() {
    let settings = SyncSettings::default();
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
        Budget::Pause(Duration::from_secs(300)),
        "under 2 % left"
    );
    assert_eq!(
        judge(used(100_000), &settings),
        Budget::Pause(Duration::from_secs(300))
    );
}

#[test]
fn a_paused_reading_goes_stale_after_half_the_recheck_interval() {
    let settings = SyncSettings::default();
    let fresh = used(99_000).unwrap();
    assert!(!stale(&fresh, &settings));
    let old = ApiUsage {
        seen_at: Utc::now() - chrono::Duration::seconds(151),
        ..fresh
    };
    assert!(stale(&old, &settings));
}
