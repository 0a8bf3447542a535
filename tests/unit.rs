//! Tests of single functions and types, through the library's public API: they sit here rather
//! than beside the code so that the library is compiled once for the tests, not twice.

mod budget;
mod cli;
mod event_map;
mod graph_retry_after;
mod http;
mod http_error;
mod jobs;
mod jobs_worker;
mod matching;
mod people;
mod salesforce_codes;
mod salesforce_datetime;
mod salesforce_limits;
mod salesforce_login_host;
mod salesforce_rest;
mod secrets;
mod storage;
mod sync_content;
mod sync_policy;
