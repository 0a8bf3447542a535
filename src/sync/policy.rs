//! The policies of the sync configuration that applies to a rep (their own assignment, else a
//! group's, else the tenant's default; `storage::sync_configs`), read from its settings
//! document. A missing key is the default; a value the sync does not know is refused when the
//! configuration is saved (issue 14's API) and read here as the default.
//!
//! ```json
//! {"private": "skip" | "as_private" | "time_and_attendees", "deleted": "delete" | "keep",
//!  "window_days_back": 14, "window_days_ahead": 28, "category": "Salesforce",
//!  "excluded": ["ceo@contoso.example", "partner.example"], "poll_interval_secs": 300,
//!  "direction": "off" | "outlook_to_salesforce" | "salesforce_to_outlook" | "both",
//!  "scope": "selected" | "all", "conflict": "salesforce_wins" | "outlook_wins" | "newest_wins",
//!  "deleted_in_salesforce": "delete" | "keep"}
//! ```

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::content::ConflictPolicy;
use super::event_map::PrivatePolicy;
use crate::matching::ExtraEmailFields;

/// What happens to the Salesforce Event when the meeting is cancelled in Outlook or the rep
/// stops syncing it (rule 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// The Event is deleted.
    Delete,
    /// The Event stays; a cancelled meeting's Event says so in its subject.
    Keep,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub private: PrivatePolicy,
    pub deleted: Deletion,
    /// The calendar window synced: this many days back and ahead of today.
    pub window_days_back: i64,
    pub window_days_ahead: i64,
    /// The Outlook category that selects a meeting without the pane.
    pub category: String,
    /// Addresses and domains never related nor created, lower case.
    pub excluded: Vec<String>,
    /// How often the mailbox is polled; the server's `sync.poll_interval_secs` when unset.
    pub poll_interval_secs: Option<u64>,
    /// Whether meetings go from Outlook to Salesforce (`direction` is
    /// `outlook_to_salesforce`, the default, or `both`).
    pub outlook_to_salesforce: bool,
    /// Every meeting of the window with an attendee who matches is synced, not only those
    /// selected (`scope: all`).
    pub all_meetings: bool,
    /// Whether the rep's Salesforce Events come to Outlook (`direction` is
    /// `salesforce_to_outlook` or `both`).
    pub salesforce_to_outlook: bool,
    /// Who wins a part both sides changed since the last sync (rule 4).
    pub conflict: ConflictPolicy,
    /// What an Event deleted in Salesforce does to its Outlook event (rule 5): kept (and
    /// unlinked) unless the policy says delete.
    pub deleted_in_salesforce: Deletion,
    /// The org's fields besides `Email` that matching searches for this configuration's reps;
    /// `None`: the tenant's (`PUT /api/v1/admin/matching`).
    pub extra_email_fields: Option<ExtraEmailFields>,
}

impl Default for Policy {
    /// DESIGN.md's defaults: private events as private, deletes delete.
    fn default() -> Self {
        Self {
            private: PrivatePolicy::AsPrivate,
            deleted: Deletion::Delete,
            window_days_back: 14,
            window_days_ahead: 28,
            category: "Salesforce".into(),
            excluded: Vec::new(),
            poll_interval_secs: None,
            outlook_to_salesforce: true,
            all_meetings: false,
            salesforce_to_outlook: false,
            // Our choice: the rep's latest edit stands, wherever they made it.
            conflict: ConflictPolicy::NewestWins,
            // Our choice: an Outlook meeting is never deleted unless the admin says so.
            deleted_in_salesforce: Deletion::Keep,
            extra_email_fields: None,
        }
    }
}

impl Policy {
    pub fn from_settings(settings: Option<&Value>) -> Self {
        let word = |key: &str| settings.and_then(|s| s.get(key)).and_then(Value::as_str);
        let number = |key: &str| settings.and_then(|s| s.get(key)).and_then(Value::as_u64);
        let days = |key: &str| number(key).filter(|&d| d <= 365).map(|d| d as i64);
        let default = Self::default();
        Self {
            private: match word("private") {
                Some("skip") => PrivatePolicy::Skip,
                Some("time_and_attendees") => PrivatePolicy::TimeAndAttendeesOnly,
                Some("as_private") => PrivatePolicy::AsPrivate,
                _ => default.private,
            },
            deleted: match word("deleted") {
                Some("keep") => Deletion::Keep,
                Some("delete") => Deletion::Delete,
                _ => default.deleted,
            },
            window_days_back: days("window_days_back").unwrap_or(default.window_days_back),
            window_days_ahead: days("window_days_ahead").unwrap_or(default.window_days_ahead),
            category: word("category")
                .filter(|c| !c.trim().is_empty())
                .map_or(default.category, str::to_string),
            excluded: settings
                .and_then(|s| s.get("excluded"))
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(Value::as_str)
                        .map(|e| e.trim().trim_start_matches('@').to_ascii_lowercase())
                        .filter(|e| !e.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            poll_interval_secs: number("poll_interval_secs").filter(|&secs| secs >= 60),
            outlook_to_salesforce: !matches!(
                word("direction"),
                Some("off" | "salesforce_to_outlook")
            ),
            all_meetings: word("scope") == Some("all"),
            salesforce_to_outlook: matches!(
                word("direction"),
                Some("salesforce_to_outlook" | "both")
            ),
            conflict: match word("conflict") {
                Some("salesforce_wins") => ConflictPolicy::SalesforceWins,
                Some("outlook_wins") => ConflictPolicy::OutlookWins,
                Some("newest_wins") => ConflictPolicy::NewestWins,
                _ => default.conflict,
            },
            deleted_in_salesforce: match word("deleted_in_salesforce") {
                Some("delete") => Deletion::Delete,
                Some("keep") => Deletion::Keep,
                _ => default.deleted_in_salesforce,
            },
            extra_email_fields: settings
                .and_then(|s| s.get("extra_email_fields"))
                .and_then(|v| serde_json::from_value::<ExtraEmailFields>(v.clone()).ok())
                .and_then(|fields| fields.checked().ok()),
        }
    }

    /// The fields matching searches for this configuration's reps: its own, else the tenant's.
    pub fn email_fields(&self, tenant: &ExtraEmailFields) -> ExtraEmailFields {
        self.extra_email_fields
            .clone()
            .unwrap_or_else(|| tenant.clone())
    }

    /// Whether `address` is excluded, by itself or by its domain.
    pub fn excludes(&self, address: &str) -> bool {
        let address = address.to_ascii_lowercase();
        let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
        self.excluded.iter().any(|e| *e == address || *e == domain)
    }

    /// The window `[start, end)` on `today`'s date: whole UTC days, so a delta round bound to
    /// it stays valid all day.
    pub fn window(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let midnight = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map_or(now, |m| m.and_utc());
        (
            midnight - Duration::days(self.window_days_back),
            midnight + Duration::days(self.window_days_ahead + 1),
        )
    }
}

/// The code a user's sync is held with when one round would delete too much.
pub const DELETION_BREAKER: &str = "deletion_circuit_breaker";

/// Whether deleting `deletions` of a user's `linked` Salesforce Events in one round is too
/// much: more than 50, or more than 20 % of them. Our choice: the 20 % rule needs at least 5
/// deletions, so a rep with few synced meetings can still delete one.
pub fn breaker_trips(deletions: usize, linked: usize) -> bool {
    deletions > 50 || (deletions >= 5 && deletions * 5 > linked)
}
