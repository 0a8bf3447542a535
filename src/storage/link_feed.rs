//! Word that a rep's links changed, for every instance on the same database: PostgreSQL's
//! `NOTIFY` on one channel, the rep's id as the payload (an opaque id, nothing personal). With
//! SQLite there is one instance, which hears its own writes without the database.

use sqlx::postgres::PgListener;

use super::{Db, StorageError};
use crate::ids::UserId;

/// The channel every instance listens on.
const CHANNEL: &str = "outforce_link_changes";

const ANNOUNCE: &str = "SELECT pg_notify($1, $2)";

/// Tells every listening instance that `user_id`'s links changed. Nothing to do on SQLite.
pub async fn announce(db: &Db, user_id: &UserId) -> Result<(), StorageError> {
    if let Db::Postgres(pool) = db {
        sqlx::query(ANNOUNCE)
            .bind(CHANNEL)
            .bind(user_id.as_str())
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// What a listener heard.
pub enum Heard {
    /// This rep's links changed.
    Rep(UserId),
    /// The connection was lost and made again: whatever was announced meanwhile is unknown.
    Gap,
}

/// The instance's subscription to the channel (one connection of its pool, kept).
pub struct Listener(PgListener);

/// Listens on the channel; `None` on SQLite, which has no other instance to hear.
pub async fn listen(db: &Db) -> Result<Option<Listener>, StorageError> {
    let Db::Postgres(pool) = db else {
        return Ok(None);
    };
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(Some(Listener(listener)))
}

impl Listener {
    /// The next thing heard; an error when the database cannot be reached (the caller waits
    /// and asks again, and the listener connects again).
    pub async fn next(&mut self) -> Result<Heard, StorageError> {
        Ok(match self.0.try_recv().await? {
            Some(notification) => Heard::Rep(UserId::new(notification.payload())),
            None => Heard::Gap,
        })
    }
}
