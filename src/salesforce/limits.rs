//! `Sforce-Limit-Info: api-usage=10018/100000; api-bursts=1/750`: how much of its daily API
//! allocation an org has used, read from every response and kept per org so that sync can slow
//! down before the org runs out and admins can see where they stand.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ids::OrgId;

/// An org's API usage as one response reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ApiUsage {
    pub used: u64,
    pub max: u64,
    pub seen_at: DateTime<Utc>,
}

impl ApiUsage {
    /// The `api-usage` pair of the header; other pairs (`api-bursts`, the old
    /// `per-app-api-usage`) are ignored.
    pub fn parse(header: &str, seen_at: DateTime<Utc>) -> Option<Self> {
        header.split(';').find_map(|pair| {
            let value = pair.trim().strip_prefix("api-usage=")?;
            let (used, max) = value.split_once('/')?;
            Some(Self {
                used: used.trim().parse().ok()?,
                max: max.trim().parse().ok()?,
                seen_at,
            })
        })
    }

    pub fn remaining(&self) -> u64 {
        self.max.saturating_sub(self.used)
    }
}

/// The latest usage per org (by org id), shared by every client of this process.
#[derive(Debug, Default)]
pub struct OrgLimits {
    latest: Mutex<HashMap<OrgId, ApiUsage>>,
}

impl OrgLimits {
    /// Keeps `usage` unless a newer report is already held (responses can arrive out of order).
    pub fn record(&self, org_id: &OrgId, usage: ApiUsage) {
        let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        match latest.get(org_id) {
            Some(held) if held.seen_at > usage.seen_at => {}
            _ => {
                latest.insert(org_id.clone(), usage);
            }
        }
    }

    pub fn get(&self, org_id: &OrgId) -> Option<ApiUsage> {
        let latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        latest.get(org_id).copied()
    }
}
