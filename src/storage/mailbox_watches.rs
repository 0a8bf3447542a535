//! Mailbox watches: per rep, the Graph subscription that tells us of calendar changes and the
//! `calendarView/delta` round that catches what notifications miss.

use chrono::{DateTime, Utc};

use super::{Db, StorageError, from_row, with_pool};
use crate::ids::UserId;
use crate::sync::model::codes::WatchCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub user_id: UserId,
    pub subscription_id: Option<String>,
    pub subscription_expires_at: Option<DateTime<Utc>>,
    /// The fingerprint (SHA-256) of the subscription's clientState; the secret itself is never
    /// stored.
    pub client_state_hash: Option<String>,
    /// Where the next delta round starts; `None` starts a full one.
    pub delta_link: Option<String>,
    /// The calendar window the delta round is bound to.
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    pub next_poll_at: DateTime<Utc>,
    pub last_poll_at: Option<DateTime<Utc>>,
    pub last_error_code: Option<WatchCode>,
    /// Why the user's sync is held (the deletion circuit breaker), until an admin releases it.
    pub paused_code: Option<WatchCode>,
    /// How many Salesforce Events the held round would delete.
    pub held_deletions: i64,
    /// An admin released the breaker: the next round deletes what it finds.
    pub deletions_released: bool,
    /// How far the rep's Salesforce Events have been read (their `SystemModstamp`); `None`
    /// before the first read, which reads the whole window.
    pub salesforce_cursor: Option<DateTime<Utc>>,
    /// When their Salesforce Events are read next (Salesforce → Outlook); `None`: at once.
    pub salesforce_next_poll_at: Option<DateTime<Utc>>,
    /// Why the last read of their Salesforce Events failed.
    pub salesforce_error_code: Option<WatchCode>,
    /// The next round syncs every selected meeting it lists, changed or not (the configuration
    /// that applies changed).
    pub resync_selected: bool,
    /// Conditional Access's claims challenge while it wants the rep to sign in again
    /// (`last_error_code` `graph_interaction_required`), for the pane.
    pub graph_claims: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

from_row!(Watch {
    user_id,
    subscription_id,
    subscription_expires_at,
    client_state_hash,
    delta_link,
    window_start,
    window_end,
    next_poll_at,
    last_poll_at,
    last_error_code,
    paused_code,
    held_deletions,
    deletions_released,
    salesforce_cursor,
    salesforce_next_poll_at,
    salesforce_error_code,
    resync_selected,
    graph_claims,
    created_at,
    updated_at
});

macro_rules! columns {
    () => {
        "user_id, subscription_id, subscription_expires_at, client_state_hash, delta_link, \
         window_start, window_end, next_poll_at, last_poll_at, last_error_code, paused_code, \
         held_deletions, deletions_released, salesforce_cursor, salesforce_next_poll_at, \
         salesforce_error_code, resync_selected, graph_claims, created_at, updated_at"
    };
}

const ENSURE: &str = "INSERT INTO mailbox_watches (user_id, next_poll_at, created_at, updated_at) \
     VALUES ($1, $2, $2, $2) ON CONFLICT (user_id) DO NOTHING";

/// Starts watching the rep's mailbox (a first poll due now); `true` when it was not watched.
pub async fn ensure(db: &Db, user_id: &UserId, now: DateTime<Utc>) -> Result<bool, StorageError> {
    let inserted = with_pool!(db, pool => {
        sqlx::query(ENSURE).bind(user_id).bind(now).execute(pool).await?.rows_affected()
    });
    Ok(inserted == 1)
}

pub async fn find(db: &Db, user_id: &UserId) -> Result<Option<Watch>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM mailbox_watches WHERE user_id = $1"
    );
    let watch = with_pool!(db, pool => {
        sqlx::query_as::<_, Watch>(sql).bind(user_id).fetch_optional(pool).await?
    });
    Ok(watch)
}

pub async fn find_by_subscription(
    db: &Db,
    subscription_id: &str,
) -> Result<Option<Watch>, StorageError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM mailbox_watches WHERE subscription_id = $1"
    );
    let watch = with_pool!(db, pool => {
        sqlx::query_as::<_, Watch>(sql).bind(subscription_id).fetch_optional(pool).await?
    });
    Ok(watch)
}

const ASK_FOR_SIGN_IN: &str = "UPDATE mailbox_watches SET last_error_code = $1, \
     graph_claims = $2, updated_at = $3 WHERE user_id = $4";

/// The rep's mailbox cannot be reached until they act (`code`): sign in again satisfying
/// `claims`, or give the grant.
pub async fn ask_for_sign_in(
    db: &Db,
    user_id: &UserId,
    code: WatchCode,
    claims: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(ASK_FOR_SIGN_IN).bind(code).bind(claims).bind(now).bind(user_id)
            .execute(pool).await?.rows_affected()
    });
    Ok(())
}

const CLEAR_SIGN_IN: &str = "UPDATE mailbox_watches SET last_error_code = NULL, \
     graph_claims = NULL, next_poll_at = $1, updated_at = $1 WHERE user_id = $2 \
     AND (last_error_code IS NULL OR last_error_code IN \
       ('graph_mailbox_unreachable', 'graph_interaction_required'))";

/// The rep gave their grant: what waited for it is over, and the mailbox is read now.
pub async fn clear_sign_in(
    db: &Db,
    user_id: &UserId,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(CLEAR_SIGN_IN).bind(now).bind(user_id).execute(pool).await?.rows_affected()
    });
    Ok(())
}

const EXPECTED: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM mailbox_watches WHERE client_state_hash = $1 AND subscription_id IS NULL"
);

/// The watch whose subscription is being created with the clientState of hash `hash` (Graph
/// may notify before it has answered the creation).
pub async fn find_expecting(db: &Db, hash: &str) -> Result<Option<Watch>, StorageError> {
    let watch = with_pool!(db, pool => {
        sqlx::query_as::<_, Watch>(EXPECTED).bind(hash).fetch_optional(pool).await?
    });
    Ok(watch)
}

const EXPECT: &str = "UPDATE mailbox_watches SET client_state_hash = $1, updated_at = $2 \
     WHERE user_id = $3 AND subscription_id IS NULL";

/// A subscription is about to be created with the clientState of hash `hash`: its
/// notifications are believed from now on.
pub async fn expect_subscription(
    db: &Db,
    user_id: &UserId,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(EXPECT).bind(hash).bind(now).bind(user_id).execute(pool).await?.rows_affected()
    });
    Ok(())
}

const RECORD_SUBSCRIPTION: &str = "UPDATE mailbox_watches SET subscription_id = $1, \
     subscription_expires_at = $2, client_state_hash = COALESCE($3, client_state_hash), \
     last_error_code = NULL, updated_at = $4 WHERE user_id = $5";

/// A subscription created (with its clientState's hash) or renewed (`client_state_hash`
/// `None` keeps the stored one).
pub async fn record_subscription(
    db: &Db,
    user_id: &UserId,
    subscription_id: &str,
    expires_at: DateTime<Utc>,
    client_state_hash: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(RECORD_SUBSCRIPTION)
            .bind(subscription_id)
            .bind(expires_at)
            .bind(client_state_hash)
            .bind(now)
            .bind(user_id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(())
}

const FORGET_SUBSCRIPTION: &str = "UPDATE mailbox_watches SET subscription_id = NULL, \
     subscription_expires_at = NULL, client_state_hash = NULL, last_error_code = $1, \
     updated_at = $2 WHERE user_id = $3";

/// The subscription is gone (removed by Graph, or could not be made): `reason` says why.
pub async fn forget_subscription(
    db: &Db,
    user_id: &UserId,
    reason: Option<WatchCode>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(FORGET_SUBSCRIPTION).bind(reason).bind(now).bind(user_id).execute(pool).await?.rows_affected()
    });
    Ok(())
}

const HOLD: &str = "UPDATE mailbox_watches SET paused_code = $1, held_deletions = $2, \
     next_poll_at = $3, updated_at = $4 WHERE user_id = $5";

/// Holds the user's sync (`code`): the round that would delete `deletions` Events is not
/// recorded, so it is read again, and acted on, once released.
pub async fn hold(
    db: &Db,
    user_id: &UserId,
    code: WatchCode,
    deletions: i64,
    next_poll_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(HOLD)
            .bind(code)
            .bind(deletions)
            .bind(next_poll_at)
            .bind(now)
            .bind(user_id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(())
}

const RELEASE: &str = "UPDATE mailbox_watches SET paused_code = NULL, held_deletions = 0, \
     deletions_released = TRUE, next_poll_at = $1, updated_at = $1 \
     WHERE user_id = $2 AND paused_code IS NOT NULL";

/// An admin releases a held sync: the next round, due now, deletes what it finds. `false` when
/// nothing was held.
pub async fn release(db: &Db, user_id: &UserId, now: DateTime<Utc>) -> Result<bool, StorageError> {
    let released = with_pool!(db, pool => {
        sqlx::query(RELEASE).bind(now).bind(user_id).execute(pool).await?.rows_affected()
    });
    Ok(released == 1)
}

const FORGET_ROUND: &str = "UPDATE mailbox_watches SET delta_link = NULL, window_start = NULL, \
     window_end = NULL, next_poll_at = $1, rounds_forgotten_at = $1, updated_at = $1 \
     WHERE user_id = $2";

/// Forgets where the delta rounds were: the next one, due now, reads the whole window.
pub async fn forget_round(
    db: &Db,
    user_id: &UserId,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(FORGET_ROUND).bind(now).bind(user_id).execute(pool).await?;
    });
    Ok(())
}

const FORGET_TENANT_ROUNDS: &str = "UPDATE mailbox_watches SET delta_link = NULL, \
     window_start = NULL, window_end = NULL, next_poll_at = $1, salesforce_cursor = NULL, \
     salesforce_next_poll_at = NULL, resync_selected = TRUE, rounds_forgotten_at = $1, \
     updated_at = $1 \
     WHERE user_id IN (SELECT id FROM users WHERE tenant_id = $2)";

/// Every watched mailbox of the tenant reads its whole window again at its next round, due
/// now, and that round syncs every selected meeting it lists: what a changed configuration
/// selects, no longer selects, or writes otherwise is found there (a privacy setting strips
/// what it no longer allows). Its Salesforce Events are read over the window again too.
pub async fn forget_tenant_rounds(
    db: &Db,
    tenant_id: &crate::ids::TenantId,
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let forgotten = with_pool!(db, pool => {
        sqlx::query(FORGET_TENANT_ROUNDS).bind(now).bind(tenant_id).execute(pool).await?.rows_affected()
    });
    Ok(forgotten)
}

/// A finished delta round: where the next starts, over which window, and when it is due.
#[derive(Debug, Clone, Copy)]
pub struct Round<'a> {
    pub delta_link: Option<&'a str>,
    pub window: (DateTime<Utc>, DateTime<Utc>),
    pub next_poll_at: DateTime<Utc>,
    /// When the round began reading.
    pub started_at: DateTime<Utc>,
}

// A round that began before its rounds were forgotten (a configuration changed, a reset, while
// it read) records nothing of where to go on: the next round, due at once, reads the whole
// window with the configuration as it is now.
const RECORD_ROUND: &str = "UPDATE mailbox_watches SET \
     delta_link = CASE WHEN rounds_forgotten_at >= $7 THEN NULL ELSE $1 END, \
     window_start = CASE WHEN rounds_forgotten_at >= $7 THEN NULL ELSE $2 END, \
     window_end = CASE WHEN rounds_forgotten_at >= $7 THEN NULL ELSE $3 END, \
     next_poll_at = CASE WHEN rounds_forgotten_at >= $7 THEN rounds_forgotten_at ELSE $4 END, \
     resync_selected = CASE WHEN rounds_forgotten_at >= $7 THEN resync_selected ELSE FALSE END, \
     last_poll_at = $5, deletions_released = FALSE, updated_at = $5 WHERE user_id = $6";

pub async fn record_round(
    db: &Db,
    user_id: &UserId,
    round: Round<'_>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(RECORD_ROUND)
            .bind(round.delta_link)
            .bind(round.window.0)
            .bind(round.window.1)
            .bind(round.next_poll_at)
            .bind(now)
            .bind(user_id)
            .bind(round.started_at)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(())
}

const SET_NEXT_POLL: &str = "UPDATE mailbox_watches SET next_poll_at = $1, last_error_code = $2, updated_at = $3 \
     WHERE user_id = $4";

/// Puts the next poll off (Graph asked us to wait, or the mailbox cannot be reached: `code`).
pub async fn set_next_poll(
    db: &Db,
    user_id: &UserId,
    at: DateTime<Utc>,
    code: Option<WatchCode>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(SET_NEXT_POLL).bind(at).bind(code).bind(now).bind(user_id).execute(pool).await?.rows_affected()
    });
    Ok(())
}

/// What is due: mailboxes to poll and subscriptions to renew.
#[derive(Debug, Default)]
pub struct Due {
    pub polls: Vec<UserId>,
    pub renewals: Vec<UserId>,
}

const DUE_POLLS: &str =
    "SELECT user_id FROM mailbox_watches WHERE next_poll_at <= $1 ORDER BY next_poll_at LIMIT $2";
const DUE_RENEWALS: &str = "SELECT user_id FROM mailbox_watches \
     WHERE subscription_id IS NOT NULL AND subscription_expires_at <= $1 \
     ORDER BY subscription_expires_at LIMIT $2";

/// Up to `limit` mailboxes whose poll is due at `now`, and up to `limit` whose subscription
/// expires before `renew_before`.
pub async fn due(
    db: &Db,
    now: DateTime<Utc>,
    renew_before: DateTime<Utc>,
    limit: i64,
) -> Result<Due, StorageError> {
    let (polls, renewals): (Vec<(UserId,)>, Vec<(UserId,)>) = with_pool!(db, pool => {
        (
            sqlx::query_as(DUE_POLLS).bind(now).bind(limit).fetch_all(pool).await?,
            sqlx::query_as(DUE_RENEWALS).bind(renew_before).bind(limit).fetch_all(pool).await?,
        )
    });
    Ok(Due {
        polls: polls.into_iter().map(|(id,)| id).collect(),
        renewals: renewals.into_iter().map(|(id,)| id).collect(),
    })
}

const RECORD_SALESFORCE_READ: &str = "UPDATE mailbox_watches SET \
     salesforce_cursor = COALESCE($1, salesforce_cursor), salesforce_next_poll_at = $2, \
     salesforce_error_code = $3, updated_at = $4 WHERE user_id = $5";

/// A read of the rep's Salesforce Events: how far it got (`None` keeps the cursor where it
/// was), when the next is due, and why it failed (`None`: it did not).
pub async fn record_salesforce_read(
    db: &Db,
    user_id: &UserId,
    cursor: Option<DateTime<Utc>>,
    next: DateTime<Utc>,
    error_code: Option<WatchCode>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(RECORD_SALESFORCE_READ)
            .bind(cursor)
            .bind(next)
            .bind(error_code)
            .bind(now)
            .bind(user_id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(())
}

const FORGET_SALESFORCE_CURSOR: &str = "UPDATE mailbox_watches SET salesforce_cursor = NULL, \
     salesforce_next_poll_at = NULL, updated_at = $1 WHERE user_id = $2";

/// The rep's Salesforce Events are read afresh over the window at the next chance (a reset, a
/// configuration that starts sending Salesforce's Events to Outlook).
pub async fn forget_salesforce_cursor(
    db: &Db,
    user_id: &UserId,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    with_pool!(db, pool => {
        sqlx::query(FORGET_SALESFORCE_CURSOR).bind(now).bind(user_id).execute(pool).await?.rows_affected()
    });
    Ok(())
}
