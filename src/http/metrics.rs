//! `/metrics` in the Prometheus text format, and the middleware that records each request into
//! the process's registry.

use actix_web::{HttpRequest, HttpResponse, get, web};
use secrecy::ExposeSecret as _;

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

/// With `metrics.token` set, only a scraper presenting it as a bearer token may read.
fn authorized(req: &HttpRequest, state: &AppState) -> bool {
    let Some(token) = &state.settings.metrics.token else {
        return true;
    };
    let presented = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let expected = token.expose_secret().as_bytes();
    // Compared in constant time: the token is a secret.
    aws_lc_rs::constant_time::verify_slices_are_equal(presented.as_bytes(), expected).is_ok()
}

#[get("/metrics")]
async fn scrape(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if !authorized(&req, &state) {
        return Err(ApiError::Forbidden {
            code: "metrics_token_required",
            message: "/metrics needs the bearer token set in metrics.token".into(),
        });
    }
    let counts = crate::storage::jobs::counts(&state.db).await?;
    let text = state
        .metrics
        .render(counts, state.identity.key_health())
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type(prometheus::TEXT_FORMAT)
        .body(text))
}
