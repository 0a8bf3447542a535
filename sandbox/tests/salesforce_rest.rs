//! Contract tests of the Salesforce REST emulator: every status, body shape and header the
//! wire contracts list for queries, search, rows, Collections, Composite, replication,
//! describe, list views and the activity rules.

use crate::{answer, client};

mod activities;
mod collections;
mod composite;
mod describe;
mod fixture;
mod listviews;
mod query;
mod replication;
mod rows;
mod search;
mod standard_fields;
