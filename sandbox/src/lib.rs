//! Emulators of Entra ID, Microsoft Graph and Salesforce that speak the real wire formats, for
//! outforce's tests, benchmarks and `outforce demo`. Each runs over HTTPS on its own loopback
//! port, with a certificate from a certificate authority made at start-up.
//!
//! Built so far: Entra ID ([`entra`]). Graph and Salesforce follow.

pub mod entra;
pub mod salesforce;
pub mod server;
pub mod tls;
