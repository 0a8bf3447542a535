//! What the per-rep checks (`…/org-wide/check`, `…/graph/check`, `…/users/{id}/check`) say
//! about each rep.

use serde::Serialize;
use utoipa::ToSchema;

use crate::graph::GraphError;
use crate::http::api::graph::MailboxView;
use crate::http::error::ApiError;
use crate::ids::UserId;
use crate::state::AppState;
use crate::storage::tenants::Tenant;
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

/// A rep's mailbox tried under the tenant's Graph mode.
pub(super) struct MailboxTry {
    /// `ok`, `limited` (some areas refused) or `error` (no token for the mailbox).
    pub(super) status: &'static str,
    pub(super) mailbox: Option<MailboxView>,
    pub(super) problem: Option<Problem>,
}

/// Gets a token for the rep's mailbox and probes what it may do there.
pub(super) async fn try_mailbox(
    state: &AppState,
    tenant: &Tenant,
    user: &User,
) -> Result<MailboxTry, ApiError> {
    match state.graph.for_rep(tenant, user, None).await {
        Ok(mailbox) => {
            let works = state.graph.probe(&mailbox).await;
            Ok(MailboxTry {
                status: if works.all_ok() { "ok" } else { "limited" },
                mailbox: Some(works.into()),
                problem: None,
            })
        }
        Err(GraphError::Storage(cause)) => Err(cause.into()),
        Err(error) => Ok(MailboxTry {
            status: "error",
            mailbox: None,
            problem: Some(Problem {
                code: error.code(),
                advice: error.advice(),
            }),
        }),
    }
}
