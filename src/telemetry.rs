//! Logging: JSON lines in production, readable lines on a terminal. Fields follow the rule of
//! the house: ids and hashes, never tokens, secrets, email addresses or names. [`metrics`]
//! holds the Prometheus registry.

pub mod metrics;

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber, writing to standard output. Call once, early in `main`.
pub fn init(settings: &LogSettings) -> anyhow::Result<()> {
    init_with_writer(settings, std::io::stdout)
}

/// Installs the global subscriber writing to `writer` (a test captures the log this way).
pub fn init_with_writer<W>(settings: &LogSettings, writer: W) -> anyhow::Result<()>
where
    W: for<'writer> tracing_subscriber::fmt::MakeWriter<'writer> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(&settings.filter)
        .map_err(|e| anyhow::anyhow!("invalid setting OUTFORCE_LOG__FILTER: {e}"))?;
    let json = match settings.format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stdout().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
    let installed = if json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
    installed.map_err(|e| anyhow::anyhow!("installing the log subscriber: {e}"))
}
