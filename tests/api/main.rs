#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark should stop loudly at the first surprise"
)]

//! Black-box tests of the HTTP service, through `spawn_app()`.

#[path = "../support/db.rs"]
mod db;
mod helpers;

mod envelope;
mod graph_access;
mod health;
mod identity;
mod me;
mod metrics;
mod salesforce_connect;
mod salesforce_org_wide;
mod salesforce_session;
mod shared_queue;
mod signed_in;
mod tls;
mod world;
