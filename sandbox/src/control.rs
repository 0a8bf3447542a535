//! The sandbox's control API: HTTPS on its own loopback port (trusting the sandbox CA, as the
//! emulators do), for anything that scripts the emulators from outside Rust: the browser tests,
//! the benchmarks' harnesses, the Python clients' tests and a person exploring the demo. It is
//! part of the sandbox only; `outforce serve` never serves it.
//!
//! `GET /` lists the endpoints. Switches (custom fields, duplicate rules, faults, throttling,
//! on-behalf-of and Conditional Access failures, the clock…) go through `POST /switches` with
//! the same document a demo-data file's `switches` section holds ([`Switches`]); seeding and
//! reading records, mailbox items, tokens, call counters and deliveries have endpoints of
//! their own (`routes`, and `salesforce`, `graph` and `entra` behind them).

mod entra;
mod graph;
mod routes;
mod salesforce;
mod switches;

use std::sync::Arc;

use actix_web::web;

pub use switches::Switches;

use crate::Sandbox;
use crate::server::{self, Running};

/// A running control API.
pub struct Control {
    server: Running,
}

impl Control {
    /// Serves the control API over `sandbox`, on a free loopback port.
    pub fn start(sandbox: Arc<Sandbox>) -> anyhow::Result<Self> {
        let data = web::Data::from(Arc::clone(&sandbox));
        let server = server::start(&sandbox.authority, data, routes::configure)?;
        Ok(Self { server })
    }

    /// `https://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.server.base_url
    }

    pub async fn stop(&self) {
        self.server.stop().await;
    }
}
