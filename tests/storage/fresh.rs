//! The identity rows kept for a request burst are dropped by any write of this process to the
//! tables they come from.

use std::time::Duration;

use outforce::matching::ExtraEmailFields;
use outforce::storage::fresh::{self, FreshCache};
use outforce::storage::{Db, connections, tenants};

use super::{later, seed_user};
use crate::on_both_databases;

on_both_databases!(an_entry_read_before_an_identity_write_is_not_used_after_it);

async fn an_entry_read_before_an_identity_write_is_not_used_after_it(db: Db) {
    let (tenant, user) = seed_user(&db, "oid-fresh").await;
    let cache: FreshCache<&str, u32> = FreshCache::new(Duration::from_secs(60), 10);
    let read_at = fresh::generation();
    cache.insert("rows", read_at, 7).await;
    assert_eq!(cache.get(&"rows", read_at).await, Some(7), "still current");

    tenants::set_extra_email_fields(&db, &tenant.id, &ExtraEmailFields::default(), later(1))
        .await
        .unwrap();
    assert!(fresh::generation() > read_at);
    assert_eq!(
        cache.get(&"rows", fresh::generation()).await,
        None,
        "a tenant write drops it"
    );

    let read_at = fresh::generation();
    cache.insert("rows", read_at, 8).await;
    connections::delete(&db, &user.id, connections::Provider::Salesforce)
        .await
        .unwrap();
    assert_eq!(
        cache.get(&"rows", fresh::generation()).await,
        None,
        "a connection write too"
    );
}
