//! The policies of the sync configuration that applies to a rep (their own assignment, else a
//! group's, else the tenant's default; `storage::sync_configs`), read from its settings
//! document. A missing key is the default; a value the sync does not know is refused when the
//! configuration is saved (issue 14's API) and read here as the default.
//!
//! ```json
//! {"private": "skip" | "as_private" | "time_and_attendees", "deleted": "delete" | "keep"}
//! ```

use serde_json::Value;

use super::event_map::PrivatePolicy;

/// What happens to the Salesforce Event when the meeting is cancelled in Outlook or the rep
/// stops syncing it (rule 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// The Event is deleted.
    Delete,
    /// The Event stays; a cancelled meeting's Event says so in its subject.
    Keep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub private: PrivatePolicy,
    pub deleted: Deletion,
}

impl Default for Policy {
    /// DESIGN.md's defaults: private events as private, deletes delete.
    fn default() -> Self {
        Self {
            private: PrivatePolicy::AsPrivate,
            deleted: Deletion::Delete,
        }
    }
}

impl Policy {
    pub fn from_settings(settings: Option<&Value>) -> Self {
        let word = |key: &str| settings.and_then(|s| s.get(key)).and_then(Value::as_str);
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
        }
    }
}
