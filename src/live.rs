//! Live link state: the pane waits on `GET …/link?wait=` until its meeting's link changes, and
//! whoever changes a rep's links (the pane's own write, a sync job, on any instance) says so
//! here. A wait holds no worker thread (it is a future), and both how many a rep may hold and
//! how many an instance holds are bounded.
//!
//! With PostgreSQL the word goes through the database (`storage::link_feed`), so a wait on one
//! instance wakes for a write on another; each instance listens once. With SQLite there is one
//! instance and it wakes its own waits.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::ids::UserId;
use crate::storage::{Db, link_feed};

/// How many waits one rep may hold at once (a pane in a few windows; more is a loop gone wrong).
pub const WAITS_PER_REP: usize = 4;

#[derive(Clone)]
pub struct LinkChanges {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    max_open: usize,
    /// The instance is stopping: waits end now, and none begin.
    closed: AtomicBool,
    waits: Mutex<Waits>,
}

/// The waits open on this instance, by rep, and how many in all (kept, not summed at each
/// new wait: an instance may hold thousands).
#[derive(Default)]
struct Waits {
    reps: HashMap<UserId, RepWaits>,
    open: usize,
}

struct RepWaits {
    notify: Arc<Notify>,
    open: usize,
}

/// Why a wait was not granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The rep holds [`WAITS_PER_REP`] already.
    Rep,
    /// The instance holds its maximum.
    Instance,
    /// The instance is stopping: answer at once, and the pane asks again (of another instance).
    Closing,
}

/// A granted wait; dropping it gives the place back.
pub struct Wait {
    changes: LinkChanges,
    user_id: UserId,
    notify: Arc<Notify>,
}

impl Wait {
    /// Resolves when the rep's links change after this call or after `enable` on it.
    pub fn notify(&self) -> &Notify {
        &self.notify
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        let mut waits = self.changes.lock();
        waits.open -= 1;
        if let Some(rep) = waits.reps.get_mut(&self.user_id) {
            rep.open -= 1;
            if rep.open == 0 {
                waits.reps.remove(&self.user_id);
            }
        }
    }
}

impl LinkChanges {
    pub fn new(db: Db, max_open: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                max_open,
                closed: AtomicBool::new(false),
                waits: Mutex::new(Waits::default()),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Waits> {
        self.inner
            .waits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The number of waits open on this instance.
    pub fn open(&self) -> usize {
        self.lock().open
    }

    /// A place to wait for `user_id`'s links, if the bounds allow one.
    pub fn wait(&self, user_id: &UserId) -> Result<Wait, Refused> {
        let mut waits = self.lock();
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(Refused::Closing);
        }
        if waits.open >= self.inner.max_open {
            return Err(Refused::Instance);
        }
        let rep = waits
            .reps
            .entry(user_id.clone())
            .or_insert_with(|| RepWaits {
                notify: Arc::new(Notify::new()),
                open: 0,
            });
        if rep.open >= WAITS_PER_REP {
            return Err(Refused::Rep);
        }
        rep.open += 1;
        let notify = Arc::clone(&rep.notify);
        waits.open += 1;
        Ok(Wait {
            changes: self.clone(),
            user_id: user_id.clone(),
            notify,
        })
    }

    /// Says that `user_id`'s links changed, to every instance. Best effort: a wait that misses
    /// it still ends at its deadline and reads the link then.
    pub async fn changed(&self, user_id: &UserId) {
        match &self.inner.db {
            // Every instance, this one included, hears it through its listener.
            Db::Postgres(_) => {
                if let Err(error) = link_feed::announce(&self.inner.db, user_id).await {
                    tracing::warn!(error = %error, "could not announce a link change; waking this instance's waits only");
                    self.wake(user_id);
                }
            }
            Db::Sqlite(_) => self.wake(user_id),
        }
    }

    /// Ends every wait now and refuses new ones: the instance is stopping, and a wait must not
    /// hold its shutdown up.
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        self.wake_all();
    }

    fn wake(&self, user_id: &UserId) {
        if let Some(rep) = self.lock().reps.get(user_id) {
            rep.notify.notify_waiters();
        }
    }

    fn wake_all(&self) {
        for rep in self.lock().reps.values() {
            rep.notify.notify_waiters();
        }
    }

    /// Hears other instances' changes until `stop` (PostgreSQL; returns at once on SQLite). A
    /// lost connection wakes every wait, which then reads its link again.
    pub async fn listen(self, stop: CancellationToken) {
        let mut listener = loop {
            match link_feed::listen(&self.inner.db).await {
                Ok(Some(listener)) => break listener,
                Ok(None) => return,
                Err(error) => {
                    tracing::warn!(error = %error, "cannot listen for link changes; trying again");
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(Duration::from_secs(2)) => {}
                    }
                }
            }
        };
        loop {
            let heard = tokio::select! {
                () = stop.cancelled() => return,
                heard = listener.next() => heard,
            };
            match heard {
                Ok(link_feed::Heard::Rep(user_id)) => self.wake(&user_id),
                Ok(link_feed::Heard::Gap) => self.wake_all(),
                Err(error) => {
                    tracing::warn!(error = %error, "lost the link-change listener; waking every wait");
                    self.wake_all();
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            }
        }
    }
}

/// The version the pane compares with its `after`: when the link was last written, in
/// microseconds (every write to a link sets it), or `0` for a meeting with no link.
pub fn version(updated_at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    updated_at.map_or(0, |at| at.timestamp_micros()).to_string()
}
