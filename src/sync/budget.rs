//! Rule 9, the Salesforce side: how much of the org's daily API allowance is left decides
//! whether a sync goes ahead, waits a moment first, or waits and tries again later. The usage
//! comes from the `Sforce-Limit-Info` header of every response; a reading older than the
//! recheck interval is refreshed with one call to `/limits` before a paused org is judged.

use std::time::Duration;

use chrono::Utc;

use crate::config::SyncSettings;
use crate::salesforce::limits::ApiUsage;

/// What the allowance left permits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Go,
    /// Go, after this pause: little is left.
    Slow(Duration),
    /// Try again after this long: almost nothing is left.
    Pause(Duration),
}

/// The verdict for a reading (none yet: go, and the first response gives one).
pub fn judge(usage: Option<ApiUsage>, settings: &SyncSettings) -> Budget {
    let Some(usage) = usage.filter(|u| u.max > 0) else {
        return Budget::Go;
    };
    let left_percent = usage.remaining().saturating_mul(100) / usage.max;
    if left_percent < settings.pause_below_percent {
        Budget::Pause(Duration::from_secs(settings.paused_recheck_secs))
    } else if left_percent < settings.slow_below_percent {
        Budget::Slow(Duration::from_millis(settings.slow_delay_ms))
    } else {
        Budget::Go
    }
}

/// Whether a reading is too old to keep an org paused on: the allowance may have come back.
pub fn stale(usage: &ApiUsage, settings: &SyncSettings) -> bool {
    let age = Utc::now() - usage.seen_at;
    age.num_seconds() >= i64::try_from(settings.paused_recheck_secs / 2).unwrap_or(i64::MAX)
}
