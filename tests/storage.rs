//! Storage contract tests: every repository function, each on SQLite and on PostgreSQL.

mod connections;
mod event_links;
mod fresh;
mod history;
mod jobs;
mod mailbox_watches;
mod org_wide;
mod salesforce_logins;
mod salesforce_side;
mod sync_configs;
mod tenants_users;

use chrono::{DateTime, TimeDelta, Utc};
use outforce::storage::{self, Db, tenants, users};

/// A fixed instant, so tests compare exact timestamps.
fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T09:00:00.123456Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn later(seconds: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(seconds)
}

/// A tenant and a user in it.
async fn seed_user(db: &Db, oid: &str) -> (tenants::Tenant, users::User) {
    let tenant = tenants::upsert(
        db,
        &"72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
        Some("Contoso"),
        t0(),
    )
    .await
    .unwrap();
    let user = users::upsert(
        db,
        &users::UserProfile {
            tenant_id: &tenant.id,
            entra_object_id: &oid.into(),
            email: Some("rep@contoso.example"),
            display_name: Some("A Rep"),
            groups: &[],
        },
        t0(),
    )
    .await
    .unwrap();
    (tenant, user)
}

crate::on_both_databases!(every_migration_file_is_applied_in_order);

/// The migrations in the binary are the files in `migrations/<dialect>/`, in order: a file added
/// without its line in `storage.rs` fails here.
async fn every_migration_file_is_applied_in_order(db: Db) {
    let dialect = match db.dialect() {
        storage::Dialect::Sqlite => "sqlite",
        storage::Dialect::Postgres => "postgres",
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dialect);
    let mut files: Vec<(i64, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|name| {
            let (version, rest) = name.strip_suffix(".sql")?.split_once('_')?;
            Some((version.parse().unwrap(), rest.replace('_', " ")))
        })
        .collect();
    files.sort();
    const SQL: &str =
        "SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version";
    let applied: Vec<(i64, String)> = match &db {
        Db::Sqlite(pool) => sqlx::query_as(SQL).fetch_all(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_as(SQL).fetch_all(pool).await.unwrap(),
    };
    assert_eq!(applied, files, "{dialect}");
}

#[test]
fn now_is_stored_at_microsecond_precision() {
    assert_eq!(storage::now().timestamp_subsec_nanos() % 1000, 0);
}
