//! outforce: the backend (and task pane) of an Outlook add-in for Salesforce.

pub mod cli;
pub mod column;
pub mod config;
pub mod connections;
pub mod graph;
pub mod http;
pub mod identity;
pub mod ids;
pub mod jobs;
pub mod manifest;
pub mod match_cache;
pub mod matching;
pub mod meeting;
pub mod outbound;
pub mod people;
pub mod relations;
pub mod reps;
pub mod salesforce;
pub mod secrets;
pub mod shutdown;
pub mod startup;
pub mod state;
pub mod storage;
pub mod sync;
pub mod telemetry;
pub mod tls;
