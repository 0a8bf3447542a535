//! A sync configuration's settings, typed: what an admin sets per group of reps (direction,
//! scope, privacy, conflicts, deletions, window, exclusions, category, poll interval, extra email
//! fields). Read once, when the configuration is saved ([`SyncSettings::parse`]): every key
//! known, every value of its type and in range, each problem named by its path
//! (`settings.window_days_ahead`, `settings.excluded[1]`). What is stored is this struct, and
//! what the sync reads is the same struct: a value the sync does not know can never reach it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::matching::{EmailAddress, ExtraEmailFields};

/// Which way meetings go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Nothing syncs.
    Off,
    /// Outlook's meetings are written to Salesforce.
    #[default]
    OutlookToSalesforce,
    /// The rep's Salesforce Events come to their Outlook calendar.
    SalesforceToOutlook,
    Both,
}

/// Which meetings are synced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Those the rep selects in the pane or with the category.
    #[default]
    Selected,
    /// Every meeting of the window with an attendee who matches exactly one Contact (or else
    /// one Lead); the rep may still take one out.
    All,
}

/// What to do with a private or confidential meeting (rule 6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrivatePolicy {
    /// It never leaves the mailbox.
    Skip,
    /// Everything, with `IsPrivate`.
    #[default]
    AsPrivate,
    /// Its time and relations only, with `IsPrivate`: no subject, location or description.
    #[serde(rename = "time_and_attendees")]
    TimeAndAttendeesOnly,
}

/// Who wins a part of a meeting both sides changed since they last agreed (rule 4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictPolicy {
    SalesforceWins,
    OutlookWins,
    /// The side changed last; Salesforce on a tie. Our choice of default: the rep's latest
    /// edit stands, wherever they made it.
    #[default]
    NewestWins,
}

/// What a deletion on one side does to the other (rule 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Deletion {
    Delete,
    /// It stays; a cancelled meeting's Event says so in its subject.
    Keep,
}

/// A sync configuration's settings; a key left out takes its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SyncSettings {
    pub direction: Direction,
    pub scope: Scope,
    pub private: PrivatePolicy,
    pub conflict: ConflictPolicy,
    /// What a meeting cancelled or deleted in Outlook, or unselected, does to its Event
    /// (`delete` by default).
    pub deleted: Deletion,
    /// What an Event deleted in Salesforce does to its Outlook event (`keep` by default: our
    /// choice, an Outlook meeting is never deleted unless the admin says so). A meeting with
    /// attendees is never deleted from Salesforce: Exchange would mail them.
    pub deleted_in_salesforce: Deletion,
    /// The calendar window synced: this many days back (0 to 365; 14 by default) …
    #[schema(minimum = 0, maximum = 365)]
    pub window_days_back: u32,
    /// … and ahead of today (1 to 365; 28 by default).
    #[schema(minimum = 1, maximum = 365)]
    pub window_days_ahead: u32,
    /// The Outlook category that selects a meeting without the pane.
    pub category: String,
    /// Addresses and domains never looked up, related or created (lower case, at most 1,000).
    pub excluded: Vec<String>,
    /// How often each rep's calendar is read (60 to 86,400 seconds); the server's
    /// `sync.poll_interval_secs` when unset.
    #[schema(minimum = 60, maximum = 86400)]
    pub poll_interval_secs: Option<u64>,
    /// The org's fields besides `Email` that matching searches for these reps; the tenant's
    /// (`PUT /api/v1/admin/matching`) when unset.
    pub extra_email_fields: Option<ExtraEmailFields>,
}

impl Default for SyncSettings {
    /// DESIGN.md's defaults.
    fn default() -> Self {
        Self {
            direction: Direction::default(),
            scope: Scope::default(),
            private: PrivatePolicy::default(),
            conflict: ConflictPolicy::default(),
            deleted: Deletion::Delete,
            deleted_in_salesforce: Deletion::Keep,
            window_days_back: 14,
            window_days_ahead: 28,
            category: "Salesforce".into(),
            excluded: Vec::new(),
            poll_interval_secs: None,
            extra_email_fields: None,
        }
    }
}

/// A setting that cannot be saved: its path and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

fn invalid(path: &str, message: impl Into<String>) -> Invalid {
    Invalid {
        field: format!("settings.{path}"),
        message: message.into(),
    }
}

/// The most days the window reaches back or ahead.
const MAX_DAYS: u32 = 365;
/// The poll interval's bounds, in seconds: a minute to a day.
const POLL_SECS: (u64, u64) = (60, 86_400);
/// Outlook's limit on a category's name.
const CATEGORY_CHARS: usize = 255;
/// The most addresses and domains one configuration excludes.
const MAX_EXCLUDED: usize = 1_000;

impl SyncSettings {
    /// The settings an admin sent, checked and normalized (excluded entries trimmed and lower
    /// case, so that what an admin reads back is what the sync compares).
    pub fn parse(document: &serde_json::Value) -> Result<Self, Invalid> {
        if !document.is_object() {
            return Err(Invalid {
                field: "settings".into(),
                message: "an object of settings".into(),
            });
        }
        let mut settings: Self = serde_path_to_error::deserialize(document).map_err(|error| {
            // The path names the key that did not read, an unknown one included.
            let path = error.path().to_string();
            let inner = error.into_inner().to_string();
            let message = match inner.find(" at line ") {
                Some(at) => inner[..at].to_string(),
                None => inner,
            };
            invalid(&path, message)
        })?;
        settings.check()?;
        for entry in &mut settings.excluded {
            *entry = entry.trim().trim_start_matches('@').to_ascii_lowercase();
        }
        Ok(settings)
    }

    fn check(&self) -> Result<(), Invalid> {
        if self.window_days_back > MAX_DAYS {
            return Err(invalid(
                "window_days_back",
                format!("whole days, 0 to {MAX_DAYS}"),
            ));
        }
        if !(1..=MAX_DAYS).contains(&self.window_days_ahead) {
            return Err(invalid(
                "window_days_ahead",
                format!("whole days, 1 to {MAX_DAYS}"),
            ));
        }
        if let Some(secs) = self.poll_interval_secs
            && !(POLL_SECS.0..=POLL_SECS.1).contains(&secs)
        {
            return Err(invalid(
                "poll_interval_secs",
                format!("whole seconds, {} to {}", POLL_SECS.0, POLL_SECS.1),
            ));
        }
        let name = self.category.trim();
        if name.is_empty() || name.chars().count() > CATEGORY_CHARS {
            return Err(invalid(
                "category",
                format!("an Outlook category's name, 1 to {CATEGORY_CHARS} characters"),
            ));
        }
        if self.excluded.len() > MAX_EXCLUDED {
            return Err(invalid(
                "excluded",
                format!("at most {MAX_EXCLUDED} addresses and domains"),
            ));
        }
        for (i, entry) in self.excluded.iter().enumerate() {
            let text = entry.trim();
            let ok = if text.contains('@') && !text.starts_with('@') {
                EmailAddress::parse(text).is_ok()
            } else {
                is_domain(text.trim_start_matches('@'))
            };
            if !ok {
                return Err(invalid(
                    &format!("excluded[{i}]"),
                    "an email address or a domain",
                ));
            }
        }
        if let Some(fields) = &self.extra_email_fields {
            fields.clone().checked().map_err(|(field, message)| {
                invalid(&format!("extra_email_fields.{field}"), message)
            })?;
        }
        Ok(())
    }

    /// Whether meetings go from Outlook to Salesforce.
    pub fn outlook_to_salesforce(&self) -> bool {
        matches!(
            self.direction,
            Direction::OutlookToSalesforce | Direction::Both
        )
    }

    /// Whether the rep's Salesforce Events come to Outlook.
    pub fn salesforce_to_outlook(&self) -> bool {
        matches!(
            self.direction,
            Direction::SalesforceToOutlook | Direction::Both
        )
    }

    /// Every meeting with a customer is synced, not only those selected.
    pub fn all_meetings(&self) -> bool {
        self.scope == Scope::All
    }

    /// The fields matching searches for these reps: the configuration's, else the tenant's.
    pub fn email_fields(&self, tenant: &ExtraEmailFields) -> ExtraEmailFields {
        self.extra_email_fields
            .clone()
            .unwrap_or_else(|| tenant.clone())
    }

    /// Whether `address` is excluded, by itself or by its domain.
    pub fn excludes(&self, address: &str) -> bool {
        let address = address.to_ascii_lowercase();
        let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
        self.excluded
            .iter()
            .map(|e| e.trim_start_matches('@'))
            .any(|e| e == address || e == domain)
    }

    /// The window `[start, end)` on `today`'s date: whole UTC days, so a delta round bound to
    /// it stays valid all day.
    pub fn window(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let midnight = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map_or(now, |m| m.and_utc());
        (
            midnight - Duration::days(i64::from(self.window_days_back)),
            midnight + Duration::days(i64::from(self.window_days_ahead) + 1),
        )
    }

    /// Whether a meeting from `start` to `end` falls in the window on `now`'s date.
    pub fn in_window(&self, now: DateTime<Utc>, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        let (from, to) = self.window(now);
        start < to && end > from
    }
}

fn is_domain(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    labels.len() >= 2
        && text.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Whether deleting `deletions` of a user's `linked` Salesforce Events in one round is too
/// much: more than 50, or more than 20 % of them. Our choice: the 20 % rule needs at least 5
/// deletions, so a rep with few synced meetings can still delete one.
pub fn breaker_trips(deletions: usize, linked: usize) -> bool {
    deletions > 50 || (deletions >= 5 && deletions * 5 > linked)
}
