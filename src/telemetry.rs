//! Logging: JSON lines in production, readable lines on a terminal. Fields follow the rule of
//! the house: ids and hashes, never tokens, secrets, email addresses or names. [`metrics`]
//! holds the Prometheus registry.

pub mod metrics;

use std::io::IsTerminal as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata};
use tracing_subscriber::layer::{Context, Filter, Layer as _, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, fmt};

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
    let ansi = std::io::stdout().is_terminal();
    let output = if json {
        fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(writer)
            .with_filter(QuietClientErrors)
            .boxed()
    } else {
        fmt::layer()
            .with_writer(writer)
            .with_ansi(ansi)
            .with_filter(QuietClientErrors)
            .boxed()
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(output)
        .try_init()
        .map_err(|e| anyhow::anyhow!("installing the log subscriber: {e}"))
}

/// actix-http logs a request its parser refused (a head over its limit, a malformed request
/// line) or a connection the client broke as "stream error" at ERROR: anyone on the network
/// could fill the error log. They are the client's errors, which actix also records at TRACE
/// ("request head was too big", "parse error"), so this ERROR line is left out.
struct QuietClientErrors;

impl<S> Filter<S> for QuietClientErrors {
    fn enabled(&self, _: &Metadata<'_>, _: &Context<'_, S>) -> bool {
        true
    }

    fn event_enabled(&self, event: &Event<'_>, _: &Context<'_, S>) -> bool {
        let metadata = event.metadata();
        if *metadata.level() != Level::ERROR || metadata.target() != "actix_http::h1::dispatcher" {
            return true;
        }
        let mut message = MessageStart::default();
        event.record(&mut message);
        !message.0.starts_with("stream error")
    }
}

/// The start of an event's message.
#[derive(Default)]
struct MessageStart(String);

impl Visit for MessageStart {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}").chars().take(32).collect();
        }
    }
}
