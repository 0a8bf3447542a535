//! Contract tests of the Salesforce REST emulator: every status, body shape and header the
//! wire contracts list for queries, search, rows, Collections, Composite, replication,
//! describe, list views and the activity rules.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test should stop loudly at the first surprise"
)]

#[path = "../support/answer.rs"]
mod answer;
#[path = "../support/client.rs"]
mod client;

mod activities;
mod collections;
mod composite;
mod describe;
mod fixture;
mod listviews;
mod query;
mod replication;
mod rows;
mod search;
