//! What every sync job looks up about its rep: the policies that apply, a Graph token for
//! their mailbox, and the mailbox's watch.

use super::policy::Policy;
use crate::graph::access::MailboxToken;
use crate::graph::error::GraphError;
use crate::ids::UserId;
use crate::state::AppState;
use crate::storage::mailbox_watches::{self, Watch};
use crate::storage::{StorageError, fresh, sync_configs, tenants, users};

/// The policies of the sync configuration that applies to the rep: read from the database at
/// most once in a few seconds (the task pane's every call asks), and again at once after this
/// process changes a configuration, an assignment or the rep's groups.
pub async fn policy_for(state: &AppState, user: &users::User) -> Result<Policy, StorageError> {
    let generation = fresh::generation();
    if let Some(known) = state.policies.get(&user.id, generation).await {
        return Ok(known);
    }
    let groups: Vec<&str> = user.entra_groups.iter().map(String::as_str).collect();
    let config =
        sync_configs::resolve_for_user(&state.db, &user.tenant_id, &user.entra_object_id, &groups)
            .await?;
    let policy = Policy::from_settings(config.as_ref().map(|c| &c.settings.0));
    state
        .policies
        .insert(user.id.clone(), generation, policy.clone())
        .await;
    Ok(policy)
}

/// What a scheduled read of a rep's calendar or Salesforce Events starts from.
pub struct Reading {
    pub user: users::User,
    pub watch: Watch,
    pub policy: Policy,
    pub now: chrono::DateTime<chrono::Utc>,
    /// How often the rep is read: their configuration's interval, else the server's (seconds).
    pub interval: u64,
    /// When the next read is due.
    pub next: chrono::DateTime<chrono::Utc>,
}

/// The rep `user_id` as a read finds them; `None` when they are gone or not watched.
pub async fn reading(state: &AppState, user_id: &UserId) -> Result<Option<Reading>, StorageError> {
    let Some((user, watch)) = watched(state, user_id).await? else {
        return Ok(None);
    };
    let policy = policy_for(state, &user).await?;
    let now = crate::storage::now();
    let interval = policy
        .poll_interval_secs
        .unwrap_or(state.settings.sync.poll_interval_secs);
    let next = now + chrono::Duration::seconds(i64::try_from(interval).unwrap_or(300));
    Ok(Some(Reading {
        user,
        watch,
        policy,
        now,
        interval,
        next,
    }))
}

/// A Graph token for the rep's mailbox, when the tenant's access mode gives one (the poll
/// waits for one).
pub async fn mailbox(state: &AppState, user: &users::User) -> Option<MailboxToken> {
    mailbox_access(state, user).await.ok().flatten()
}

/// The rep's mailbox token, `Ok(None)` when the sync has no way into the mailbox (no
/// credential, no consent, the rep's grant gone: it falls back to the pane's view), and an
/// error when Entra or storage failed in passing (the sync waits and asks again).
pub async fn mailbox_access(
    state: &AppState,
    user: &users::User,
) -> Result<Option<MailboxToken>, GraphError> {
    let Some(tenant) = tenants::find(&state.db, &user.tenant_id).await? else {
        return Ok(None);
    };
    match state.graph.for_rep(&tenant, user, None).await {
        Ok(token) => Ok(Some(token)),
        Err(error) if error.is_transient() || matches!(error, GraphError::Storage(_)) => Err(error),
        Err(_) => Ok(None),
    }
}

/// The rep and their mailbox's watch; `None` when either is gone (the rep was removed, or
/// never watched), and the job has nothing to do.
pub async fn watched(
    state: &AppState,
    user_id: &UserId,
) -> Result<Option<(users::User, Watch)>, StorageError> {
    let Some(watch) = mailbox_watches::find(&state.db, user_id).await? else {
        return Ok(None);
    };
    Ok(users::find(&state.db, user_id)
        .await?
        .map(|user| (user, watch)))
}

/// The groups of a rep whose token had too many to carry them (the group overage): read from
/// Graph at most once an hour by this process and kept on the user, where the sync reads them.
/// When Graph cannot say (no permission, no token), the groups stored last stand.
pub async fn member_groups(state: &AppState, user: &users::User) -> Vec<String> {
    if let Some(known) = state.member_groups.get(&user.id).await {
        return known.as_ref().clone();
    }
    let read = match mailbox(state, user).await {
        Some(mailbox) => state.graph.member_groups(&mailbox).await.ok(),
        None => None,
    };
    let Some(groups) = read else {
        tracing::info!(user = %user.id, "the rep's groups could not be read from Graph");
        return user.entra_groups.0.clone();
    };
    if groups != user.entra_groups.0 {
        let now = crate::storage::now();
        if let Err(error) = users::set_groups(&state.db, &user.id, &groups, now).await {
            tracing::warn!(user = %user.id, error = %error, "the rep's groups were not stored");
        }
    }
    state
        .member_groups
        .insert(user.id.clone(), std::sync::Arc::new(groups.clone()))
        .await;
    groups
}
