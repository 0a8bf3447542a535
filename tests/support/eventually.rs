//! Waiting for what a test expects to become true: one loop for every test, which probes until
//! the answer comes or the time is up, and then fails naming what never happened and the last
//! thing seen. A negative assertion never waits a fixed time: it follows an idle queue
//! (`World::until_idle`).

use std::fmt::Debug;
use std::future::Future;
use std::time::{Duration, Instant};

/// How often a probe runs.
const EVERY: Duration = Duration::from_millis(20);

/// Probes until `probe` gives `Some`, for at most `within`; panics with `what` and the last
/// thing seen (`Err`) if it never does.
pub async fn eventually<T, Seen: Debug, Fut>(
    what: &str,
    within: Duration,
    mut probe: impl FnMut() -> Fut,
) -> T
where
    Fut: Future<Output = Result<T, Seen>>,
{
    let deadline = Instant::now() + within;
    loop {
        match probe().await {
            Ok(found) => return found,
            Err(seen) if Instant::now() >= deadline => {
                panic!("{what}: never, in {within:?}; last seen: {seen:?}")
            }
            Err(_) => tokio::time::sleep(EVERY).await,
        }
    }
}

/// `Ok(value)` when `wanted` holds of it, else `Err(value)`: a probe's answer.
pub fn when<T>(value: T, wanted: impl FnOnce(&T) -> bool) -> Result<T, T> {
    if wanted(&value) {
        Ok(value)
    } else {
        Err(value)
    }
}
