//! The one HTTPS client for Entra, Graph and Salesforce: the system's roots plus the extra CA
//! certificates the admin names (a corporate TLS proxy, the sandbox's CA). Certificate checks
//! are never switched off.

use std::time::Duration;

use anyhow::Context as _;

use crate::config::OutboundSettings;

pub fn client(settings: &OutboundSettings) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(settings.timeout_secs))
        .user_agent(concat!("outforce/", env!("CARGO_PKG_VERSION")));
    for path in &settings.extra_ca_files {
        let pem = std::fs::read(path).with_context(|| {
            format!(
                "invalid setting `outbound.extra_ca_files`: cannot read {}",
                path.display()
            )
        })?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem).with_context(|| {
            format!(
                "invalid setting `outbound.extra_ca_files`: {} is not PEM",
                path.display()
            )
        })?;
        if certificates.is_empty() {
            anyhow::bail!(
                "invalid setting `outbound.extra_ca_files`: {} holds no certificate",
                path.display()
            );
        }
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    builder
        .build()
        .context("building the outbound HTTPS client")
}
