//! The one shared state of the service, built once in [`crate::startup`] and handed to every
//! handler (as `web::Data<AppState>`) and every job (as its context). Cheap to clone.

use std::sync::Arc;

use crate::config::Settings;
use crate::http::metrics::Metrics;
use crate::identity::Identity;
use crate::jobs::Queue;
use crate::secrets::Sealer;
use crate::storage::Db;

#[derive(Clone)]
pub struct AppState {
    /// The validated settings.
    pub settings: Arc<Settings>,
    /// The database (SQLite or PostgreSQL).
    pub db: Db,
    /// Where handlers and jobs queue background work.
    pub queue: Queue,
    /// The Prometheus registry behind `/metrics`.
    pub metrics: Metrics,
    /// Validates the task pane's tokens (keys and validated tokens cached).
    pub identity: Arc<Identity>,
    /// Outbound HTTPS to Entra, Graph and Salesforce.
    pub http: reqwest::Client,
    /// Seals and opens tokens at rest.
    pub sealer: Arc<Sealer>,
    /// Salesforce orgs' API usage and the JWT bearer key.
    pub salesforce: Arc<crate::salesforce::Runtime>,
    /// The Graph credential and the application tokens per tenant.
    pub graph: Arc<crate::graph::Runtime>,
}
