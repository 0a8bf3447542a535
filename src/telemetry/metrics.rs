//! The Prometheus registry of the process: request counts and latencies by route and status
//! (recorded into it by the HTTP layer's middleware) and jobs by state (set from the database
//! at scrape time, so every instance reports the shared queue), and the state of Entra's
//! signing keys in this process.

use prometheus::{Encoder as _, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder};

use crate::identity::KeyHealth;
use crate::storage::jobs::JobCounts;

/// The metrics registry and the gauges filled at scrape time. Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    jobs: IntGaugeVec,
    keys_state: IntGaugeVec,
    keys_age: IntGauge,
}

impl Metrics {
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let jobs = IntGaugeVec::new(
            Opts::new("jobs", "Jobs in the queue by state").namespace("outforce"),
            &["state"],
        )?;
        registry.register(Box::new(jobs.clone()))?;
        let keys_state = IntGaugeVec::new(
            Opts::new(
                "entra_keys",
                "Entra's signing keys: 1 for the state they are in (fresh, stale, unavailable, not_loaded)",
            )
            .namespace("outforce"),
            &["state"],
        )?;
        registry.register(Box::new(keys_state.clone()))?;
        let keys_age = IntGauge::with_opts(
            Opts::new(
                "entra_keys_age_seconds",
                "Age of the signing keys held (0 when none)",
            )
            .namespace("outforce"),
        )?;
        registry.register(Box::new(keys_age.clone()))?;
        Ok(Self {
            registry,
            jobs,
            keys_state,
            keys_age,
        })
    }

    /// Where other collectors (the HTTP middleware) register.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Everything, in the Prometheus text format, with the queue's counts and the keys' state
    /// as given.
    pub fn render(&self, jobs: JobCounts, keys: KeyHealth) -> prometheus::Result<Vec<u8>> {
        self.jobs.with_label_values(&["pending"]).set(jobs.pending);
        self.jobs.with_label_values(&["running"]).set(jobs.running);
        self.jobs.with_label_values(&["dead"]).set(jobs.dead);
        let (state, age) = match keys {
            KeyHealth::NotLoaded => ("not_loaded", 0),
            KeyHealth::Fresh { age_secs } => ("fresh", age_secs),
            KeyHealth::Stale { age_secs } => ("stale", age_secs),
            KeyHealth::Unavailable => ("unavailable", 0),
        };
        for name in ["not_loaded", "fresh", "stale", "unavailable"] {
            self.keys_state
                .with_label_values(&[name])
                .set(i64::from(name == state));
        }
        self.keys_age.set(i64::try_from(age).unwrap_or(i64::MAX));
        let mut text = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut text)?;
        Ok(text)
    }
}
