//! Storage: the only module that speaks SQL.
//!
//! One [`Db`] handle wraps either a SQLite pool (the zero-set-up default) or a PostgreSQL pool
//! (several instances). Repositories live in the submodules, one per table group; each keeps its
//! SQL as constants beside the function that runs it. Most statements are written once in the
//! subset both dialects accept (`$n` placeholders, `ON CONFLICT`, `RETURNING`); where they differ
//! the two versions stand side by side.
//!
//! Time is always passed in from Rust (never `now()` in SQL) and truncated to microseconds, so
//! values round-trip identically on both databases and tests can control the clock.

mod error;

pub mod connections;
pub mod event_links;
pub mod fresh;
pub mod history;
pub mod jobs;
pub mod link_feed;
pub mod mailbox_watches;
pub mod org_wide;
pub mod salesforce_logins;
pub mod sync_configs;
pub mod tenants;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use secrecy::{ExposeSecret, SecretString};
use sqlx::SqlSafeStr as _;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use crate::column::JsonText;
pub use crate::config::Dialect;
pub use error::StorageError;

/// Runs the same expression against whichever pool a [`Db`] holds. Each arm is compiled for its
/// own driver, so one generic query serves both dialects.
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::storage::Db::Sqlite($pool) => $body,
            $crate::storage::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// The SQL that tests a value for membership in a JSON array of strings bound at a parameter,
/// as in `kind IN (...)`: SQLite and PostgreSQL share no array type, but both read JSON text.
macro_rules! in_json_array {
    (sqlite, $param:literal) => {
        concat!("IN (SELECT value FROM json_each(", $param, "))")
    };
    (postgres, $param:literal) => {
        concat!("IN (SELECT json_array_elements_text(", $param, "::json))")
    };
}
pub(crate) use in_json_array;

/// Reads a row struct by column name on both databases, as sqlx's derive would. The derive is
/// not used: it brings in sqlx's macro crate, which builds both database drivers (and SQLite's C
/// code) a second time, for the compiler; this is the one thing of it we need.
macro_rules! from_row {
    ($name:ident { $($field:ident),+ $(,)? }) => {
        impl<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> for $name {
            fn from_row(row: &'r sqlx::sqlite::SqliteRow) -> Result<Self, sqlx::Error> {
                use sqlx::Row as _;
                Ok(Self { $($field: row.try_get(stringify!($field))?),+ })
            }
        }

        impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for $name {
            fn from_row(row: &'r sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
                use sqlx::Row as _;
                Ok(Self { $($field: row.try_get(stringify!($field))?),+ })
            }
        }
    };
}
pub(crate) use from_row;

/// The migrations of one dialect, embedded in the binary: `(version, description, SQL)` from
/// `migrations/<dialect>/<version>_<description>.sql`. (Listed here rather than found by sqlx's
/// `migrate!` macro, for the reason given at [`from_row`]; a test checks that every file is
/// listed.)
macro_rules! embed_migrations {
    ($dialect:literal: $($file:literal),+ $(,)?) => {
        &[$((
            $file,
            include_str!(concat!("../migrations/", $dialect, "/", $file, ".sql")),
        )),+]
    };
}

const SQLITE_MIGRATIONS: &[(&str, &str)] = embed_migrations!("sqlite":
    "0001_initial",
    "0002_salesforce_logins",
    "0003_salesforce_org_wide",
    "0004_salesforce_org_binding",
    "0005_event_link_meeting",
    "0006_tenant_extra_email_fields",
    "0007_user_groups",
    "0008_mailbox_watches",
    "0009_job_batches",
    "0010_links_and_config_changes",
    "0011_salesforce_to_outlook",
    "0012_link_lookup_indexes",
    "0013_sync_core",
    "0014_link_record_names",
);
const POSTGRES_MIGRATIONS: &[(&str, &str)] = embed_migrations!("postgres":
    "0001_initial",
    "0002_salesforce_logins",
    "0003_salesforce_org_wide",
    "0004_salesforce_org_binding",
    "0005_event_link_meeting",
    "0006_tenant_extra_email_fields",
    "0007_user_groups",
    "0008_mailbox_watches",
    "0009_job_batches",
    "0010_links_and_config_changes",
    "0011_salesforce_to_outlook",
    "0012_link_lookup_indexes",
    "0013_sync_core",
    "0014_link_record_names",
);

/// The migrator of a dialect's embedded migrations. Each keeps the checksum sqlx records (the
/// SHA-384 of its SQL), so databases migrated by earlier builds stay current.
fn migrator(migrations: &'static [(&'static str, &'static str)]) -> Migrator {
    Migrator::with_migrations(
        migrations
            .iter()
            .map(|&(file, sql)| {
                let (version, description) = file.split_once('_').unwrap_or((file, ""));
                Migration::new(
                    version.parse().unwrap_or_default(),
                    description.replace('_', " ").into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// How to reach the database; built from the `database` settings.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub url: SecretString,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// How long a SQLite writer waits for the lock before giving up.
    pub busy_timeout: Duration,
}

/// A connection pool to SQLite or PostgreSQL. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    /// Opens a pool. A SQLite file (and its folder) is created when missing.
    pub async fn connect(options: &ConnectOptions) -> Result<Self, StorageError> {
        let url = options.url.expose_secret();
        match Dialect::of_url(url) {
            Some(Dialect::Sqlite) => {
                let connect = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(options.busy_timeout);
                if let Some(dir) = connect.get_filename().parent()
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir).map_err(StorageError::DataDir)?;
                }
                let pool = SqlitePoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(connect)
                    .await?;
                Ok(Self::Sqlite(pool))
            }
            Some(Dialect::Postgres) => {
                let connect = PgConnectOptions::from_str(url)?.application_name("outforce");
                let pool = PgPoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(connect)
                    .await?;
                Ok(Self::Postgres(pool))
            }
            None => Err(StorageError::UnsupportedScheme),
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Self::Sqlite(_) => Dialect::Sqlite,
            Self::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Applies every embedded migration not yet applied. Safe to run from several instances at
    /// once on PostgreSQL (sqlx takes an advisory lock).
    pub async fn migrate(&self) -> Result<(), StorageError> {
        match self {
            Self::Sqlite(pool) => migrator(SQLITE_MIGRATIONS).run(pool).await?,
            Self::Postgres(pool) => migrator(POSTGRES_MIGRATIONS).run(pool).await?,
        }
        Ok(())
    }

    fn migrations(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Sqlite(_) => SQLITE_MIGRATIONS,
            Self::Postgres(_) => POSTGRES_MIGRATIONS,
        }
    }

    /// Readiness: the database answers and its schema is the one this binary expects.
    pub async fn check_ready(&self) -> Result<(), StorageError> {
        const SQL: &str = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success";
        let applied: i64 = with_pool!(self, pool => sqlx::query_scalar(SQL).fetch_one(pool).await)?;
        let expected = migrator(self.migrations())
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0);
        if applied < expected {
            return Err(StorageError::SchemaBehind { applied, expected });
        }
        Ok(())
    }

    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await);
    }
}

/// The current time at the precision both databases keep (microseconds).
pub fn now() -> DateTime<Utc> {
    truncate(Utc::now())
}

/// Drops sub-microsecond precision so a value reads back exactly as written.
pub fn truncate(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at)
}

/// An update meant for exactly one row: none means the row does not exist.
pub(crate) fn one_row(affected: u64) -> Result<(), StorageError> {
    if affected == 1 {
        Ok(())
    } else {
        Err(StorageError::NotFound)
    }
}

/// A fresh random identifier for a new row.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
