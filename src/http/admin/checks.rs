//! What the per-rep checks (`…/org-wide/check`, `…/graph/check`) say about each rep.

use serde::Serialize;
use utoipa::ToSchema;

use crate::ids::UserId;
use crate::storage::users::User;

/// A rep as a per-rep check names them.
#[derive(Serialize, ToSchema)]
pub struct RepRef {
    #[schema(value_type = String)]
    pub(super) user_id: UserId,
    pub(super) display_name: Option<String>,
}

impl From<&User> for RepRef {
    fn from(user: &User) -> Self {
        Self {
            user_id: user.id.clone(),
            display_name: user.display_name.clone(),
        }
    }
}

/// Why a rep's check failed, and what the admin can do.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    #[schema(example = "salesforce_user_not_approved")]
    pub(super) code: &'static str,
    pub(super) advice: &'static str,
}
