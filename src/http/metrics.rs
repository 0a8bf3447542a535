//! `/metrics` in the Prometheus text format, and the middleware that records each request into
//! the process's registry.

use actix_web::{HttpResponse, get, web};

use super::error::ApiError;
use crate::state::AppState;
use crate::telemetry::metrics::Metrics;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(scrape);
}

/// Records request counts and latencies by route pattern and status into `metrics`.
pub fn middleware(metrics: &Metrics) -> anyhow::Result<actix_web_prom::PrometheusMetrics> {
    actix_web_prom::PrometheusMetricsBuilder::new("outforce")
        .registry(metrics.registry().clone())
        .mask_unmatched_patterns("unmatched")
        .build()
        .map_err(|e| anyhow::anyhow!("building the HTTP metrics: {e}"))
}

#[get("/metrics")]
async fn scrape(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let counts = crate::storage::jobs::counts(&state.db).await?;
    let text = state
        .metrics
        .render(counts, state.identity.key_health())
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type(prometheus::TEXT_FORMAT)
        .body(text))
}
