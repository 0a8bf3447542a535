//! Contract tests of the Microsoft Graph emulator: events and series, extended properties and
//! categories, delta, contacts, `$batch`, throttling, authorization and subscriptions, each
//! status, error body and header asserted against the documented shape.

use crate::{answer, client};

mod access;
mod batch;
mod contacts;
mod delta;
mod events;
mod fixture;
mod normalization;
mod properties;
mod series;
mod subscriptions;
mod throttling;
