use thiserror::Error;

/// What can go wrong in storage. Callers match on the variants they can act on; everything else
/// is an internal error for the HTTP layer and the job runner.
#[derive(Debug, Error)]
pub enum StorageError {
    #[error("the database URL must start with sqlite:// or postgres://")]
    UnsupportedScheme,
    #[error("cannot create the data directory")]
    DataDir(#[source] std::io::Error),
    #[error("the row was not found")]
    NotFound,
    #[error("a row with the same {0} already exists")]
    Conflict(&'static str),
    #[error(
        "the database schema is at version {applied}, this binary needs {expected}: run `outforce migrate`"
    )]
    SchemaBehind { applied: i64, expected: i64 },
    #[error("a stored value could not be decoded")]
    Corrupt(#[source] serde_json::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl StorageError {
    /// Maps a unique-constraint violation to [`StorageError::Conflict`], leaving other errors as
    /// they are.
    pub(crate) fn on_unique(what: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |error| match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict(what),
            _ => Self::Database(error),
        }
    }
}
