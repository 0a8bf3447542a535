//! `/metrics` in the Prometheus text format: request counts and latencies by route and status
//! (recorded by the `actix-web-prom` middleware) and jobs by state (read from the database at
//! scrape time, so every instance reports the shared queue).

use actix_web::{HttpResponse, get, web};
use prometheus::{Encoder as _, IntGaugeVec, Opts, Registry, TextEncoder};

use super::error::ApiError;
use crate::state::AppState;

/// The metrics registry and the gauges filled at scrape time.
#[derive(Clone)]
pub struct Metrics {
    pub registry: Registry,
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

    /// The middleware that records request counts and latencies into this registry.
    pub fn middleware(&self) -> Result<actix_web_prom::PrometheusMetrics, anyhow::Error> {
        actix_web_prom::PrometheusMetricsBuilder::new("outforce")
            .registry(self.registry.clone())
            .mask_unmatched_patterns("unmatched")
            .build()
            .map_err(|e| anyhow::anyhow!("building the HTTP metrics: {e}"))
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(metrics);
}

#[get("/metrics")]
async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let counts = crate::storage::jobs::counts(&state.db).await?;
    let gauges = &state.metrics.jobs;
    gauges.with_label_values(&["pending"]).set(counts.pending);
    gauges.with_label_values(&["running"]).set(counts.running);
    gauges.with_label_values(&["dead"]).set(counts.dead);
    let mut text = Vec::new();
    TextEncoder::new()
        .encode(&state.metrics.registry.gather(), &mut text)
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type(prometheus::TEXT_FORMAT)
        .body(text))
}
