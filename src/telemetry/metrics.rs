//! The Prometheus registry of the process: request counts and latencies by route and status
//! (recorded into it by the HTTP layer's middleware) and jobs by state (set from the database
//! at scrape time, so every instance reports the shared queue).

use prometheus::{Encoder as _, IntGaugeVec, Opts, Registry, TextEncoder};

use crate::storage::jobs::JobCounts;

/// The metrics registry and the gauges filled at scrape time. Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    jobs: IntGaugeVec,
}

impl Metrics {
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let jobs = IntGaugeVec::new(
            Opts::new("jobs", "Jobs in the queue by state").namespace("outforce"),
            &["state"],
        )?;
        registry.register(Box::new(jobs.clone()))?;
        Ok(Self { registry, jobs })
    }

    /// Where other collectors (the HTTP middleware) register.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Everything, in the Prometheus text format, with the queue's counts as given.
    pub fn render(&self, jobs: JobCounts) -> prometheus::Result<Vec<u8>> {
        self.jobs.with_label_values(&["pending"]).set(jobs.pending);
        self.jobs.with_label_values(&["running"]).set(jobs.running);
        self.jobs.with_label_values(&["dead"]).set(jobs.dead);
        let mut text = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut text)?;
        Ok(text)
    }
}
