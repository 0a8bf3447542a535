//! The admin API under `/api/v1/admin`: each handler takes a [`super::extract::Admin`], so each
//! needs the configured app role. The tenant's setup, its Salesforce org, how it reaches
//! Salesforce, how it reaches mailboxes, and each rep's sync.

pub mod checks;
pub mod connection_test;
pub mod graph;
pub mod history;
pub mod matching;
pub mod org;
pub mod salesforce;
pub mod sync;
pub mod sync_configs;
pub mod sync_preview;
pub mod tenant;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(tenant::configure)
        .configure(org::configure)
        .configure(salesforce::configure)
        .configure(graph::configure)
        .configure(matching::configure)
        .configure(sync::configure)
        .configure(history::configure)
        .configure(sync_configs::configure)
        .configure(sync_preview::configure)
        .configure(connection_test::configure);
}
