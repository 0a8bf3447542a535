//! The id of the request being handled: every response carries it in `X-Request-Id`, every
//! error body carries the same id, and every log line of the request has it (through the
//! `TracingLogger` span). [`super::envelope`] sets it for each request.

use std::future::Future;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being handled, for error bodies.
pub fn current() -> String {
    CURRENT
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "none".to_string())
}

/// Runs `handling` with `id` as the current request's id.
pub async fn scope<F: Future>(id: String, handling: F) -> F::Output {
    CURRENT.scope(id, handling).await
}
