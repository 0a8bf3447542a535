//! Graph's `Retry-After`, as the sync waits it out.

use std::time::Duration;

use outforce::graph::MAX_WAIT;
use outforce::graph::events::retry_after;

#[test]
fn a_fractional_retry_after_is_waited_to_the_millisecond() {
    assert_eq!(retry_after("2.128"), Duration::from_millis(2128));
    assert_eq!(retry_after(" 3 "), Duration::from_secs(3));
    assert_eq!(retry_after("0"), Duration::ZERO);
}

#[test]
fn a_retry_after_that_is_no_number_of_seconds_waits_ten_seconds() {
    for header in ["", "soon", "-1", "NaN", "Wed, 21 Oct 2026 07:28:00 GMT"] {
        assert_eq!(retry_after(header), Duration::from_secs(10), "{header:?}");
    }
}

#[test]
fn a_retry_after_of_hours_waits_no_longer_than_the_cap() {
    assert_eq!(retry_after("86400"), MAX_WAIT);
}
