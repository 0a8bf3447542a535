//! What every sync job looks up about its rep: the sync configuration that applies, a Graph
//! token for their mailbox (or why there is none), and the mailbox's watch.

use super::error::SyncError;
use super::model::codes::WatchCode;
use super::model::settings::SyncSettings;
use crate::graph::access::MailboxToken;
use crate::graph::error::GraphError;
use crate::ids::UserId;
use crate::state::AppState;
use crate::storage::mailbox_watches::{self, Watch};
use crate::storage::{StorageError, fresh, sync_configs, tenants, users};

/// The settings of the sync configuration that applies to the rep (their own assignment, else
/// a group's, else the tenant's default, else the defaults): read from the database at most
/// once in a few seconds (the task pane's every call asks), and again at once after this
/// process changes a configuration, an assignment or the rep's groups.
pub async fn settings_for(
    state: &AppState,
    user: &users::User,
) -> Result<SyncSettings, StorageError> {
    let generation = fresh::generation();
    if let Some(known) = state.policies.get(&user.id, generation).await {
        return Ok(known);
    }
    let groups: Vec<&str> = user.entra_groups.iter().map(String::as_str).collect();
    let config =
        sync_configs::resolve_for_user(&state.db, &user.tenant_id, &user.entra_object_id, &groups)
            .await?;
    let settings = config.map(|c| c.settings.0).unwrap_or_default();
    state
        .policies
        .insert(user.id.clone(), generation, settings.clone())
        .await;
    Ok(settings)
}

/// What a scheduled read of a rep's calendar or Salesforce Events starts from.
pub struct Reading {
    pub user: users::User,
    pub watch: Watch,
    pub settings: SyncSettings,
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
    let settings = settings_for(state, &user).await?;
    let now = crate::storage::now();
    let interval = settings
        .poll_interval_secs
        .unwrap_or(state.settings.sync.poll_interval_secs);
    let next = now + chrono::Duration::seconds(i64::try_from(interval).unwrap_or(300));
    Ok(Some(Reading {
        user,
        watch,
        settings,
        now,
        interval,
        next,
    }))
}

/// The way into a rep's mailbox, or why there is none.
pub enum Mailbox {
    Open(MailboxToken),
    /// The sync has no way in (no credential, no consent, the rep's grant gone or never given,
    /// Conditional Access wanting the rep): the code says which, for the rep's status.
    Closed(WatchCode),
}

impl Mailbox {
    pub fn token(&self) -> Option<&MailboxToken> {
        match self {
            Self::Open(token) => Some(token),
            Self::Closed(_) => None,
        }
    }
}

/// The rep's mailbox, reached the tenant's way. Entra or the grant's store failing in passing
/// is an error (the sync waits and asks again), never "no mailbox".
pub async fn mailbox(state: &AppState, user: &users::User) -> Result<Mailbox, SyncError> {
    let Some(tenant) = tenants::find(&state.db, &user.tenant_id).await? else {
        return Ok(Mailbox::Closed(WatchCode::GraphMailboxUnreachable));
    };
    match state.graph.for_rep(&tenant, user, None).await {
        Ok(token) => Ok(Mailbox::Open(token)),
        Err(GraphError::InteractionRequired { .. }) => {
            Ok(Mailbox::Closed(WatchCode::GraphInteractionRequired))
        }
        Err(error @ (GraphError::Storage(_) | GraphError::Secrets(_))) => Err(error.into()),
        Err(error) if error.is_transient() => Err(error.into()),
        Err(_) => Ok(Mailbox::Closed(WatchCode::GraphMailboxUnreachable)),
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
/// When Graph cannot say (no permission, no token), the groups stored last stand, and the log
/// says so.
pub async fn member_groups(state: &AppState, user: &users::User) -> Vec<String> {
    if let Some(known) = state.member_groups.get(&user.id).await {
        return known.as_ref().clone();
    }
    let read = match mailbox(state, user).await {
        Ok(Mailbox::Open(token)) => state
            .graph
            .member_groups(&token)
            .await
            .map_err(|error| error.to_string()),
        Ok(Mailbox::Closed(code)) => Err(code.to_string()),
        Err(error) => Err(error.to_string()),
    };
    let groups = match read {
        Ok(groups) => groups,
        Err(why) => {
            tracing::warn!(user = %user.id, why, "the rep's groups could not be read from Graph; the groups stored last stand");
            return user.entra_groups.0.clone();
        }
    };
    if groups != user.entra_groups.0 {
        let now = crate::storage::now();
        if let Err(error) = users::set_groups(&state.db, &user.id, &groups, now).await {
            tracing::warn!(user = %user.id, error = %error, "the rep's groups were not stored; they are read again within the hour");
        }
    }
    state
        .member_groups
        .insert(user.id.clone(), std::sync::Arc::new(groups.clone()))
        .await;
    groups
}
