//! Watching a rep's calendar: the `mailbox.watch` job keeps one Graph subscription per mailbox
//! alive (created on the first selection, connection or pane call, renewed a day before it
//! lapses, re-created when Graph removes it), so that an Outlook edit reaches us in seconds.
//! Without a public HTTPS address (`http.public_url`) Graph cannot reach us, and the poll alone
//! finds changes.
//!
//! A new subscription's clientState (its hash) is recorded before Graph is asked: Graph may
//! notify before it has even answered, and such a notification is believed by that hash and
//! applied, never dropped as unknown (`super::notifications`).

use crate::graph::subscriptions::{LIFETIME, SubscribeError, Webhooks};
use crate::ids::UserId;
use crate::jobs::Job;
use crate::state::AppState;
use crate::storage::{self, StorageError, mailbox_watches};
use crate::sync::context::{self, Mailbox};
use crate::sync::jobs::{Action, PollMailbox, WatchMailbox};
use crate::sync::model::codes::WatchCode;

/// The webhook paths under `http.public_url`.
pub const NOTIFICATION_PATH: &str = "/webhooks/graph";
pub const LIFECYCLE_PATH: &str = "/webhooks/graph/lifecycle";

/// A subscription is renewed once it has less than this left.
pub const RENEW_BEFORE: chrono::Duration = chrono::Duration::hours(24);

/// Starts watching the rep's mailbox when it is not watched yet: a first poll (the baseline
/// and the category path) and a subscription, queued now.
pub async fn start_watching(state: &AppState, user_id: &UserId) -> Result<(), StorageError> {
    if mailbox_watches::ensure(&state.db, user_id, storage::now()).await? {
        state
            .queue
            .enqueue(&PollMailbox {
                user_id: user_id.clone(),
            })
            .await?;
        state
            .queue
            .enqueue(&WatchMailbox {
                user_id: user_id.clone(),
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

impl Job for WatchMailbox {
    const KIND: &'static str = "mailbox.watch";
    type Context = AppState;

    fn dedup_key(&self) -> Option<String> {
        Some(self.user_id.to_string())
    }

    async fn run(&self, state: &AppState) -> anyhow::Result<()> {
        run(state, &self.user_id, self.action).await
    }
}

/// The `mailbox.watch` job's work.
pub async fn run(state: &AppState, user_id: &UserId, action: Action) -> anyhow::Result<()> {
    // Without a public address Graph cannot reach us: the poll alone finds changes.
    let Some(webhooks) = webhooks(state) else {
        return Ok(());
    };
    let Some((user, watch)) = context::watched(state, user_id).await? else {
        return Ok(());
    };
    // No way into the mailbox yet: the poll says why, and asks again for a subscription once
    // it reads the mailbox.
    let Mailbox::Open(mailbox) = context::mailbox(state, &user).await? else {
        return Ok(());
    };
    let graph = &state.graph;
    let now = storage::now();
    let expires = now + LIFETIME;
    if let Some(id) = &watch.subscription_id {
        let kept = match action {
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
                user_id,
                &renewed.id,
                renewed.expiration_date_time,
                None,
                now,
            )
            .await?;
            return Ok(());
        }
        // Gone at Graph (or to be replaced): forget it, and make a new one below. Best effort:
        // one Graph no longer has is gone already, and one it has lapses within three days.
        if let Err(error) = graph.unsubscribe(&mailbox, id).await {
            tracing::warn!(user = %user_id, error = %error, "the old subscription was not deleted at Graph; it lapses by itself");
        }
        mailbox_watches::forget_subscription(&state.db, user_id, None, now).await?;
    }
    let client_state = crate::secrets::random_token()?;
    let hash = crate::secrets::fingerprint(&client_state);
    // Known before Graph answers: its first notifications may come first.
    mailbox_watches::expect_subscription(&state.db, user_id, &hash, now).await?;
    match graph
        .subscribe(&mailbox, &webhooks, &client_state, expires)
        .await
    {
        Ok(made) => {
            mailbox_watches::record_subscription(
                &state.db,
                user_id,
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
            let code = Some(WatchCode::GraphSubscriptionRefused);
            mailbox_watches::forget_subscription(&state.db, user_id, code, now).await?;
            Ok(())
        }
        Err(SubscribeError::Read(error)) => Err(error.into()),
    }
}
