#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark should stop loudly at the first surprise"
)]

//! Every test of the service but the log capture, in one binary (one link instead of four):
//! black-box HTTP tests through `spawn_app()` (`api`), the binary as an operator runs it
//! (`cli`), the job queue end to end (`jobs`) and every repository function (`storage`), the
//! last three on SQLite and on PostgreSQL; the sync's worker processes killed mid-run (`crash`); the layering and the build's feature sets
//! (`architecture`, `features`); and single functions and types (`unit`).

#[path = "support/calendar.rs"]
mod calendar;
#[path = "support/child.rs"]
mod child;
#[path = "support/db.rs"]
mod db;
#[path = "support/eventually.rs"]
mod eventually;
#[path = "support/helpers.rs"]
mod helpers;
#[path = "support/process.rs"]
mod process;
#[path = "support/signed_in.rs"]
mod signed_in;
#[path = "support/world.rs"]
mod world;

mod api;
mod architecture;
mod cli;
mod crash;
mod demo;
mod features;
mod jobs;
mod storage;
mod unit;
