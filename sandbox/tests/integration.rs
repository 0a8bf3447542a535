#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test should stop loudly at the first surprise"
)]

//! Every emulator's contract tests and the real third-party clients, in one binary (one link
//! instead of nine).

#[path = "support/answer.rs"]
mod answer;
#[path = "support/client.rs"]
mod client;

mod demo;
mod entra;
mod entra_assertions;
mod graph;
mod python_clients;
mod salesforce_faults;
mod salesforce_hosts;
mod salesforce_oauth;
mod salesforce_rest;
