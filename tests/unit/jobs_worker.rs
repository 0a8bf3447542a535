use outforce::config::JobSettings;
use outforce::jobs::worker::*;

#[test]
fn backoff_doubles_from_the_base_up_to_the_cap() {
    let settings = JobSettings {
        backoff_base_secs: 5,
        backoff_max_secs: 60,
        ..JobSettings::default()
    };
    let secs: Vec<i64> = (1..=6)
        .map(|a| backoff(&settings, a).num_seconds())
        .collect();
    assert_eq!(secs, [5, 10, 20, 40, 60, 60]);
    assert_eq!(backoff(&settings, 1000).num_seconds(), 60);
}
