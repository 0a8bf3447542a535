//! A rep who only ever uses the task pane is watched like any other. Every pane call carries
//! the rep's token for our API; the first call of a rep whose mailbox is not watched with a
//! working grant (delegated Graph, the default: no grant yet, or a dead one) exchanges that
//! token on the rep's behalf, keeps the grant sealed, and starts watching their mailbox: a
//! first round and a subscription, queued at once. It runs in the background, once per token,
//! so no pane call waits for Entra. When Conditional Access wants the rep to sign in again, the
//! claims challenge is kept on the watch, and `GET /api/v1/me` hands it to the pane, whose
//! next token (satisfying it) tries again.

use secrecy::SecretString;

use crate::graph::error::GraphError;
use crate::reps::Rep;
use crate::state::AppState;
use crate::storage::connections::Provider;
use crate::storage::mailbox_watches;
use crate::storage::tenants::GraphAccessMode;
use crate::storage::{self};
use crate::sync::jobs::{Action, PollMailbox, WatchMailbox};
use crate::sync::model::codes::WatchCode;

/// Called with every pane call of a rep: a call with a token not seen to yet (and every call
/// once the rep's grant died) starts the background work.
pub async fn on_pane_call(state: &AppState, rep: &Rep, token: &SecretString) {
    let fingerprint = crate::secrets::fingerprint(secrecy::ExposeSecret::expose_secret(token));
    if state.graph.pane_grant_seen(&rep.user, &fingerprint).await {
        return;
    }
    // Seen to from now on; a failure in passing forgets it, so the next call tries again.
    state
        .graph
        .remember_pane_grant(&rep.user, &fingerprint)
        .await;
    let (state, rep, token) = (state.clone(), rep.clone(), token.clone());
    tokio::spawn(async move {
        if let Err(error) = establish(&state, &rep, &token).await {
            state.graph.remember_pane_grant(&rep.user, "").await;
            tracing::warn!(user = %rep.user.id, error = format!("{error:#}"), "the rep's mailbox could not be watched yet; the next pane call tries again");
        }
    });
}

/// The rep's grant (delegated), then their mailbox watched.
async fn establish(state: &AppState, rep: &Rep, token: &SecretString) -> anyhow::Result<()> {
    let (db, user) = (&state.db, &rep.user);
    let now = storage::now();
    let watched = mailbox_watches::find(db, &user.id).await?;
    let watched_well = watched
        .as_ref()
        .is_some_and(|w| !w.last_error_code.is_some_and(WatchCode::shuts_mailbox));
    let connected = match rep.tenant.graph_access_mode {
        GraphAccessMode::Application => true,
        GraphAccessMode::Delegated => state
            .connections
            .find(&user.id, Provider::Graph)
            .await?
            .is_some_and(|c| c.is_connected()),
    };
    if watched_well && connected {
        return Ok(());
    }
    mailbox_watches::ensure(db, &user.id, now).await?;
    if !connected {
        match state.graph.for_rep(&rep.tenant, user, Some(token)).await {
            Ok(_) => {
                tracing::info!(user = %user.id, "the rep's mailbox grant was taken from the pane");
            }
            Err(GraphError::InteractionRequired { claims }) => {
                let code = WatchCode::GraphInteractionRequired;
                mailbox_watches::ask_for_sign_in(db, &user.id, code, Some(&claims), now).await?;
                return Ok(());
            }
            Err(error) if error.is_transient() => return Err(error.into()),
            Err(error) => {
                tracing::warn!(user = %user.id, code = error.code(), "the rep's mailbox cannot be reached");
                let code = WatchCode::GraphMailboxUnreachable;
                mailbox_watches::ask_for_sign_in(db, &user.id, code, None, now).await?;
                return Ok(());
            }
        }
    }
    // A first round now (it reads with the grant just taken, and records whether it could),
    // and a subscription.
    mailbox_watches::clear_sign_in(db, &user.id, now).await?;
    state
        .queue
        .enqueue(&PollMailbox {
            user_id: user.id.clone(),
        })
        .await?;
    state
        .queue
        .enqueue(&WatchMailbox {
            user_id: user.id.clone(),
            action: Action::Keep,
        })
        .await?;
    Ok(())
}
