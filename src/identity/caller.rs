//! Who a validated token says is calling.

use crate::ids::{EntraObjectId, EntraTenantId};

/// The personal Microsoft accounts' tenant: outforce serves work accounts only.
pub const PERSONAL_ACCOUNTS_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// A validated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub tenant_id: EntraTenantId,
    pub object_id: EntraObjectId,
    /// For display only: names change, and are never a key.
    pub display_name: Option<String>,
    /// The sign-in name (`preferred_username`, or `upn` in v1 tokens): matched to a Salesforce
    /// username in org-wide mode, never a key.
    pub username: Option<String>,
    pub roles: Vec<String>,
    /// Group object ids from the `groups` claim (when the app registration emits it): they pick
    /// the rep's sync configuration.
    pub groups: Vec<String>,
    /// The rep is in more groups than the token holds (the group overage): `groups` is empty,
    /// and their groups are read from Graph (`crate::member_groups`).
    pub groups_overage: bool,
    /// The token's `exp`, in seconds since the epoch.
    pub expires_at: i64,
    /// The key that signed the token: a cached validation ends when the key is withdrawn.
    pub(super) kid: String,
}

impl Caller {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r.eq_ignore_ascii_case(role))
    }
}
