//! The one shared state of the service, built once in [`crate::startup`] and handed to every
//! handler (as `web::Data<AppState>`) and every job (as its context). Cheap to clone. It knows
//! nothing of HTTP: a sync worker holds the same state.

use std::sync::Arc;

use crate::config::Settings;
use crate::connections::ConnectionStore;
use crate::graph::Graph;
use crate::identity::Identity;
use crate::jobs::Queue;
use crate::match_cache::MatchCache;
use crate::reps::Reps;
use crate::salesforce::Salesforce;
use crate::salesforce::session::Sessions;
use crate::salesforce::sign_in::SignIn;
use crate::secrets::Sealer;
use crate::storage::Db;
use crate::storage::fresh::FreshCache;
use crate::sync::model::settings::SyncSettings;
use crate::telemetry::metrics::Metrics;

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
    /// The stored tenant and user behind a caller, written the first time they are seen.
    pub reps: Reps,
    /// Seals and opens tokens at rest.
    pub sealer: Arc<Sealer>,
    /// Reps' connections to Salesforce and Graph, tokens sealed.
    pub connections: ConnectionStore,
    /// The connected app, the REST API and the orgs' API usage.
    pub salesforce: Arc<Salesforce>,
    /// Opens a rep's Salesforce session (their own connection or the org-wide grant).
    pub sessions: Sessions,
    /// Reps connecting and disconnecting Salesforce from the Office dialog.
    pub sign_in: SignIn,
    /// Tokens for reps' mailboxes in Microsoft Graph, and what they may do.
    pub graph: Arc<Graph>,
    /// Panes waiting for their meeting's link to change, and the word that it did.
    pub live: crate::live::LinkChanges,
    /// The names of the records a rep's meetings are related to, as Salesforce last told them
    /// (by rep and Id, for a few minutes).
    pub record_names: moka::future::Cache<(crate::ids::UserId, String), Arc<str>>,
    /// What Salesforce held for an attendee's address, for a few minutes.
    pub matches: MatchCache,
    /// The sync settings that apply to each rep, kept while nothing they come from was written
    /// ([`crate::storage::fresh`]; [`crate::sync::context::settings_for`]).
    pub policies: FreshCache<crate::ids::UserId, SyncSettings>,
    /// The groups read from Graph for reps with the group overage, for an hour
    /// ([`crate::sync::context::member_groups`]).
    pub member_groups: moka::future::Cache<crate::ids::UserId, Arc<Vec<String>>>,
}
