//! The task pane's API under `/api/v1`: each handler takes a [`super::extract::Rep`] (or
//! [`super::extract::RepAssertion`]), so each is protected by the rep's bearer token.

pub mod graph;
pub mod history;
pub mod links;
pub mod matches;
pub mod me;
pub mod people;
pub mod records;
pub mod salesforce;
pub mod sync_status;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(me::configure)
        .configure(salesforce::configure)
        .configure(matches::configure)
        .configure(records::configure)
        .configure(people::configure)
        .configure(links::configure)
        .configure(history::configure)
        .configure(sync_status::configure)
        .configure(graph::configure);
}
