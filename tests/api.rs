//! Black-box tests of the HTTP service, through `spawn_app()`.

mod entra_outage;
mod envelope;
mod graph_access;
mod health;
mod identity;
mod links;
mod manifest;
mod matches;
mod me;
mod metrics;
mod openapi;
mod outlook_changes;
mod outlook_relations;
mod outlook_series;
mod pane;
mod people;
mod records;
mod salesforce_connect;
mod salesforce_org_wide;
mod salesforce_session;
mod shared_queue;
mod sync;
mod sync_batches;
mod sync_faults;
mod sync_rules;
mod tls;
