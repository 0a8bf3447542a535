//! The stored tenant and user behind a validated caller. The first time a rep is seen (or their
//! name or sign-in name changes) their tenant and user rows are written; after that, each
//! request only reads them, so a burst of task-pane calls does not queue on SQLite's single
//! writer. The rows read are kept a few seconds ([`crate::storage::fresh`]): a change this
//! process writes (an admin's, a sign-in's) shows at once, another instance's within seconds.

use std::sync::Arc;
use std::time::Duration;

use crate::identity::Caller;
use crate::ids::{EntraObjectId, EntraTenantId};
use crate::storage::fresh::{self, FreshCache};
use crate::storage::tenants::{self, Tenant};
use crate::storage::users::{self, User, UserProfile};
use crate::storage::{self, Db, StorageError};

/// How long another instance's change to a rep's rows may go unseen here.
const ROWS_TTL: Duration = Duration::from_secs(5);

/// A signed-in rep: who the token says they are, and their stored rows.
#[derive(Debug, Clone)]
pub struct Rep {
    pub caller: Arc<Caller>,
    pub tenant: Tenant,
    pub user: User,
}

/// What was last written for a rep; a token that says otherwise is written again.
#[derive(Clone, PartialEq, Eq)]
struct Written {
    username: Option<String>,
    display_name: Option<String>,
    groups: Vec<String>,
}

impl Written {
    fn of(caller: &Caller) -> Self {
        Self {
            username: caller.username.clone(),
            display_name: caller.display_name.clone(),
            groups: caller.groups.clone(),
        }
    }
}

/// Resolves callers to stored reps. Cheap to clone.
#[derive(Clone)]
pub struct Reps {
    db: Db,
    written: moka::future::Cache<(EntraTenantId, EntraObjectId), Written>,
    rows: FreshCache<(EntraTenantId, EntraObjectId), (Tenant, User)>,
}

impl Reps {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            written: moka::future::Cache::builder()
                .max_capacity(100_000)
                // Another instance may have written a newer profile; this one catches up.
                .time_to_live(Duration::from_secs(3600))
                .build(),
            rows: FreshCache::new(ROWS_TTL, 100_000),
        }
    }

    /// The stored rep behind `caller`, written on first sight.
    pub async fn resolve(&self, caller: Arc<Caller>) -> Result<Rep, StorageError> {
        let key = (caller.tenant_id.clone(), caller.object_id.clone());
        let profile = Written::of(&caller);
        if self.written.get(&key).await.as_ref() == Some(&profile) {
            let generation = fresh::generation();
            let rows = match self.rows.get(&key, generation).await {
                Some(rows) => Some(rows),
                None => {
                    let read = self.read(&caller).await?;
                    if let Some(rows) = &read {
                        self.rows
                            .insert(key.clone(), generation, rows.clone())
                            .await;
                    }
                    read
                }
            };
            if let Some((tenant, user)) = rows {
                return Ok(Rep {
                    caller,
                    tenant,
                    user,
                });
            }
        }
        let (tenant, user) = self.write(&caller).await?;
        self.written.insert(key, profile).await;
        Ok(Rep {
            caller,
            tenant,
            user,
        })
    }

    async fn read(&self, caller: &Caller) -> Result<Option<(Tenant, User)>, StorageError> {
        let Some(tenant) = tenants::find_by_entra_id(&self.db, &caller.tenant_id).await? else {
            return Ok(None);
        };
        let user = users::find_by_object_id(&self.db, &tenant.id, &caller.object_id).await?;
        Ok(user.map(|user| (tenant, user)))
    }

    async fn write(&self, caller: &Caller) -> Result<(Tenant, User), StorageError> {
        let now = storage::now();
        let tenant = tenants::upsert(&self.db, &caller.tenant_id, None, now).await?;
        // A token with the group overage carries no groups: those read from Graph stay.
        let stored;
        let groups = if caller.groups_overage {
            stored = users::find_by_object_id(&self.db, &tenant.id, &caller.object_id)
                .await?
                .map(|user| user.entra_groups.0)
                .unwrap_or_default();
            &stored
        } else {
            &caller.groups
        };
        let profile = UserProfile {
            tenant_id: &tenant.id,
            entra_object_id: &caller.object_id,
            email: caller.username.as_deref(),
            display_name: caller.display_name.as_deref(),
            groups,
        };
        let user = users::upsert(&self.db, &profile, now).await?;
        Ok((tenant, user))
    }
}
