//! Watching a rep's calendar: the `mailbox.watch` job keeps one Graph subscription per mailbox
//! alive (created on the first selection or connection, renewed a day before it lapses,
//! re-created when Graph removes it), so that an Outlook edit reaches us in seconds. Without a
//! public HTTPS address (`http.public_url`) Graph cannot reach us, and the poll alone finds
//! changes.

use super::context;
use super::{Action, PollMailbox, WatchMailbox};
use crate::graph::subscriptions::{LIFETIME, SubscribeError, Webhooks};
use crate::ids::UserId;
use crate::jobs::Job;
use crate::state::AppState;
use crate::storage::{self, StorageError, mailbox_watches};

/// The webhook paths under `http.public_url`.
pub const NOTIFICATION_PATH: &str = "/webhooks/graph";
pub const LIFECYCLE_PATH: &str = "/webhooks/graph/lifecycle";

/// Starts watching the rep's mailbox when it is not watched yet: a first poll (the baseline
/// and the category path) and a subscription, queued now.
pub async fn start_watching(state: &AppState, user_id: &UserId) -> Result<(), StorageError> {
    if mailbox_watches::ensure(&state.db, user_id, storage::now()).await? {
        let user_id = user_id.to_string();
        state
            .queue
            .enqueue(&PollMailbox {
                user_id: user_id.clone(),
            })
            .await?;
        state
            .queue
            .enqueue(&WatchMailbox {
                user_id,
                action: Action::Keep,
            })
            .await?;
    }
    Ok(())
}

/// Where Graph reaches us, when we have a public address.
pub fn webhooks(state: &AppState) -> Option<Webhooks> {
    let base = state
        .settings
        .http
        .public_url
        .as_deref()?
        .trim_end_matches('/');
    Some(Webhooks {
        notification_url: format!("{base}{NOTIFICATION_PATH}"),
        lifecycle_url: format!("{base}{LIFECYCLE_PATH}"),
    })
}

/// A subscription is renewed once it has less than this left.
pub const RENEW_BEFORE: chrono::Duration = chrono::Duration::hours(24);

impl Job for WatchMailbox {
    const KIND: &'static str = "mailbox.watch";
    type Context = AppState;

    fn dedup_key(&self) -> Option<String> {
        Some(self.user_id.clone())
    }

    async fn run(&self, state: &AppState) -> anyhow::Result<()> {
        // Without a public address Graph cannot reach us: the poll alone finds changes.
        let Some(webhooks) = webhooks(state) else {
            return Ok(());
        };
        let user_id = UserId::new(self.user_id.clone());
        let Some((user, watch)) = context::watched(state, &user_id).await? else {
            return Ok(());
        };
        let Some(mailbox) = context::mailbox(state, &user).await else {
            return Ok(());
        };
        let graph = &state.graph;
        let now = storage::now();
        let expires = now + LIFETIME;
        if let Some(id) = &watch.subscription_id {
            let kept = match self.action {
                Action::Recreate => None,
                Action::Reauthorize => match graph.reauthorize(&mailbox, id).await? {
                    true => graph.renew(&mailbox, id, expires).await?,
                    false => None,
                },
                Action::Keep => match watch.subscription_expires_at {
                    Some(at) if at - now > RENEW_BEFORE => return Ok(()),
                    _ => graph.renew(&mailbox, id, expires).await?,
                },
            };
            if let Some(renewed) = kept {
                mailbox_watches::record_subscription(
                    &state.db,
                    &user_id,
                    &renewed.id,
                    renewed.expiration_date_time,
                    None,
                    now,
                )
                .await?;
                return Ok(());
            }
            // Gone at Graph (or to be replaced): forget it, and make a new one below.
            let _ = graph.unsubscribe(&mailbox, id).await;
            mailbox_watches::forget_subscription(&state.db, &user_id, None, now).await?;
        }
        let client_state = crate::secrets::random_token()?;
        match graph
            .subscribe(&mailbox, &webhooks, &client_state, expires)
            .await
        {
            Ok(made) => {
                let hash = crate::secrets::fingerprint(&client_state);
                mailbox_watches::record_subscription(
                    &state.db,
                    &user_id,
                    &made.id,
                    made.expiration_date_time,
                    Some(&hash),
                    now,
                )
                .await?;
                tracing::info!(user = %user_id, "the mailbox is watched");
                Ok(())
            }
            Err(SubscribeError::Refused { status, message }) => {
                // The poll still finds every change; the next poll asks for a subscription again.
                tracing::warn!(user = %user_id, status, reason = %message, "Graph refused the subscription");
                let code = Some("graph_subscription_refused");
                mailbox_watches::forget_subscription(&state.db, &user_id, code, now).await?;
                Ok(())
            }
            Err(SubscribeError::Read(error)) => Err(error.into()),
        }
    }
}
