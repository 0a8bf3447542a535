//! Rule 9, the Salesforce side: how much of the org's daily API allowance is left decides
//! whether a sync goes ahead, waits a moment first, or waits and looks again. The usage comes
//! from the `Sforce-Limit-Info` header of every response. While an org is paused, its reading
//! is refreshed with one call to `/limits` once it is older than the recheck interval
//! (`sync.paused_recheck_secs`, a minute by default), so an allowance that comes back (the
//! 24-hour window moving on, an admin raising it) resumes the sync within a minute, whatever
//! was left when it paused.

use std::time::Duration;

use chrono::Utc;

use crate::config::ServerSyncSettings;
use crate::salesforce::limits::ApiUsage;
use crate::salesforce::session::Session;
use crate::state::AppState;
use crate::sync::error::{Delay, SyncError};
use crate::sync::model::codes::LinkCode;

/// What the allowance left permits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Go,
    /// Go, after this pause: little is left.
    Slow(Duration),
    /// Wait and look again: almost nothing is left.
    Pause,
}

/// The verdict for a reading (none yet: go, and the first response gives one).
pub fn judge(usage: Option<ApiUsage>, settings: &ServerSyncSettings) -> Budget {
    let Some(usage) = usage.filter(|u| u.max > 0) else {
        return Budget::Go;
    };
    let left_percent = usage.remaining().saturating_mul(100) / usage.max;
    if left_percent < settings.pause_below_percent {
        Budget::Pause
    } else if left_percent < settings.slow_below_percent {
        Budget::Slow(Duration::from_millis(settings.slow_delay_ms))
    } else {
        Budget::Go
    }
}

/// Whether a reading is too old to keep an org paused on: the allowance may have come back.
pub fn stale(usage: &ApiUsage, settings: &ServerSyncSettings) -> bool {
    let age = Utc::now() - usage.seen_at;
    age.num_seconds() >= i64::try_from(settings.paused_recheck_secs).unwrap_or(i64::MAX)
}

/// Goes ahead (after a pause when little is left), or waits for the allowance
/// ([`LinkCode::SalesforceApiBudgetPaused`]). A paused org's old reading is refreshed first.
pub async fn spend(state: &AppState, session: &mut Session) -> Result<(), SyncError> {
    let settings = &state.settings.sync;
    let org = session.org_id().clone();
    let mut usage = state.salesforce.limits.get(&org);
    if let Some(seen) = usage
        && judge(Some(seen), settings) == Budget::Pause
        && stale(&seen, settings)
    {
        session.send(reqwest::Method::GET, "limits", None).await?;
        usage = state.salesforce.limits.get(&org);
    }
    match judge(usage, settings) {
        Budget::Go => Ok(()),
        Budget::Slow(pause) => {
            tokio::time::sleep(pause).await;
            Ok(())
        }
        Budget::Pause => Err(SyncError::Wait(
            Delay::Allowance,
            LinkCode::SalesforceApiBudgetPaused,
        )),
    }
}
