//! `sobjects/{type}/updated` and `sobjects/{type}/deleted` (getUpdated / getDeleted): UTC
//! windows truncated to the minute, at most 30 days back, at most 600,000 ids.

use chrono::{DateTime, Duration, DurationRound as _, Utc};
use serde_json::json;

use super::{Call, Env, Reply, method_not_allowed};
use crate::salesforce::values::{Value, format_datetime, parse_datetime};

const LOOK_BACK_DAYS: i64 = 30;
const MAX_IDS: usize = 600_000;

fn to_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::minutes(1)).unwrap_or(t)
}

pub fn changes(env: &mut Env<'_>, call: &Call<'_>) -> Reply {
    if call.method != "GET" {
        return method_not_allowed(call.method, "GET,HEAD");
    }
    let [_, sobject, kind] = call.path.as_slice() else {
        return Reply::not_found();
    };
    let Some(object) = env.org.object(sobject) else {
        return Reply::not_found();
    };
    let bound = |name: &str| call.param(name).and_then(parse_datetime).map(to_minute);
    let (Some(start), Some(end)) = (bound("start"), bound("end")) else {
        return Reply::error(
            400,
            "MISSING_ARGUMENT",
            "start and end are required, as date-times",
        );
    };
    let now = to_minute(env.now);
    let earliest = now - Duration::days(LOOK_BACK_DAYS);
    if start < earliest {
        return Reply::error(
            400,
            "INVALID_REPLICATION_DATE",
            "startDate cannot be more than 30 days ago",
        );
    }
    if start >= end {
        return Reply::error(
            400,
            "INVALID_REPLICATION_DATE",
            "startDate must chronologically precede endDate by more than one minute",
        );
    }
    let end = end.min(now);
    let within = |t: &DateTime<Utc>| start <= *t && *t < end;
    let rows = env.org.rows(&object.name);
    if *kind == "updated" {
        let ids: Vec<&str> = rows
            .filter(|r| r.deleted.is_none())
            .filter(|r| matches!(r.get("SystemModstamp"), Value::DateTime(t) if within(t)))
            .map(|r| r.id.as_str())
            .collect();
        if ids.len() > MAX_IDS {
            return Reply::error(
                400,
                "EXCEEDED_ID_LIMIT",
                "too many ids in the window; narrow it",
            );
        }
        return Reply::ok(json!({ "ids": ids, "latestDateCovered": format_datetime(end) }));
    }
    let deleted: Vec<_> = rows
        .filter_map(|r| Some((r, r.deleted?)))
        .filter(|(_, at)| within(at))
        .map(|(r, at)| json!({ "id": r.id, "deletedDate": format_datetime(at) }))
        .collect();
    if deleted.len() > MAX_IDS {
        return Reply::error(
            400,
            "EXCEEDED_ID_LIMIT",
            "too many ids in the window; narrow it",
        );
    }
    Reply::ok(json!({
        "deletedRecords": deleted,
        "earliestDateAvailable": format_datetime(earliest),
        "latestDateCovered": format_datetime(end),
    }))
}
