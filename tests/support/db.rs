#![allow(dead_code, reason = "each test binary uses a part of these helpers")]

//! Fresh, migrated databases for tests: a temporary SQLite file, or a new PostgreSQL database
//! (`CREATE DATABASE outforce_test_<uuid>`) on the server named by `OUTFORCE_TEST_POSTGRES_URL`
//! (default: the machine's own at 127.0.0.1:5432). PostgreSQL being down fails the test.

use std::time::Duration;

use outforce::storage::{ConnectOptions, Db};
use secrecy::SecretString;
use sqlx::Connection as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub fn postgres_admin_url() -> String {
    std::env::var("OUTFORCE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A database URL for a new, empty database (created, not migrated).
pub async fn fresh_url(backend: Backend) -> (String, Option<tempfile::TempDir>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            (url, Some(dir))
        }
        Backend::Postgres => {
            let admin = postgres_admin_url();
            let name = format!("outforce_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is unreachable: {e}"));
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("create test database");
            conn.close().await.ok();
            let (base, query) = match admin.split_once('?') {
                Some((base, query)) => (base, format!("?{query}")),
                None => (admin.as_str(), String::new()),
            };
            let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
            (format!("{server}/{name}{query}"), None)
        }
    }
}

/// A new database with the schema applied.
pub async fn fresh(backend: Backend) -> TestDb {
    let (url, dir) = fresh_url(backend).await;
    let db = Db::connect(&ConnectOptions {
        url: SecretString::from(url.clone()),
        max_connections: 8,
        acquire_timeout: Duration::from_secs(30),
        busy_timeout: Duration::from_secs(30),
    })
    .await
    .expect("connect to test database");
    db.migrate().await.expect("migrate test database");
    TestDb { db, url, _dir: dir }
}

/// Declares, for each `async fn name(db: Db)`, a module `name` with a `sqlite` and a `postgres`
/// test, so every storage behaviour is checked on both databases.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let test = $crate::db::fresh($crate::db::Backend::Sqlite).await;
                super::$name(test.db.clone()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let test = $crate::db::fresh($crate::db::Backend::Postgres).await;
                super::$name(test.db.clone()).await;
                test.db.close().await;
            }
        }
    )*};
}
