//! Logging: JSON lines in production, readable lines on a terminal. Fields follow the rule of
//! the house: ids and hashes, never tokens, secrets, email addresses or names.

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber. Call once, early in `main`.
pub fn init(settings: &LogSettings) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(&settings.filter)
        .map_err(|e| anyhow::anyhow!("invalid setting OUTFORCE_LOG__FILTER: {e}"))?;
    let json = match settings.format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stdout().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
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
