//! Emulators of Entra ID, Microsoft Graph and Salesforce that speak the real wire formats, for
//! outforce's tests, benchmarks and `outforce demo`. Each runs over HTTPS on its own loopback
//! port, with a certificate from a certificate authority made at start-up.
//!
//! [`entra`] (OpenID metadata, keys, tokens), [`graph`] (Outlook calendars and contacts,
//! delta, batching, subscriptions, throttling) and [`salesforce`] (OAuth and the REST API over an
//! in-memory org); [`demo`] seeds all three with believable data; [`control`] serves an HTTP
//! API that scripts them from outside Rust.

pub mod control;
pub mod demo;
pub mod entra;
pub mod graph;
pub mod salesforce;
pub mod server;
pub mod tls;

use std::path::{Path, PathBuf};

/// All the emulators, sharing one certificate authority.
pub struct Sandbox {
    pub authority: tls::Authority,
    pub entra: entra::Entra,
    pub graph: graph::Graph,
    pub salesforce: salesforce::Salesforce,
    /// The CA certificate (PEM) that clients must trust.
    pub ca_file: PathBuf,
}

impl Sandbox {
    /// Starts every emulator and writes the CA certificate to `dir/sandbox-ca.pem`.
    pub fn start(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let authority = tls::Authority::new()?;
        let ca_file = dir.join("sandbox-ca.pem");
        authority.write_pem(&ca_file)?;
        let entra = entra::Entra::start(&authority)?;
        let graph = graph::Graph::start(&authority, &entra)?;
        let salesforce = salesforce::Salesforce::start(&authority)?;
        Ok(Self {
            authority,
            entra,
            graph,
            salesforce,
            ca_file,
        })
    }

    pub async fn stop(&self) {
        self.entra.stop().await;
        self.graph.stop().await;
        self.salesforce.stop().await;
    }
}
