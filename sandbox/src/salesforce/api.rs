//! The REST resources under `/services/data/vNN.N/`, as plain functions from a [`Call`] to a
//! [`Reply`]: the HTTP front door (`rest`) and Composite (which runs subrequests) share them.

mod collections;
mod composite;
mod limits;
mod listviews;
mod query;
mod replication;
mod rows;

use chrono::{DateTime, Utc};
use serde_json::{Value as Json, json};

use super::dml::{Ctx, RecordError};
use super::ids::IdGenerator;
use super::store::OrgData;

/// One request to a resource, after authentication.
pub struct Call<'a> {
    pub method: &'a str,
    /// The version without its `v` (`64.0`).
    pub version: &'a str,
    /// The path after the version, split at `/`, empty segments dropped.
    pub path: Vec<&'a str>,
    pub query: Vec<(String, String)>,
    pub body: Option<Json>,
    pub headers: Headers,
}

/// The request headers a resource looks at.
#[derive(Debug, Clone, Default)]
pub struct Headers {
    /// `Sforce-Query-Options: batchSize=N`.
    pub batch_size: Option<usize>,
    pub if_modified_since: Option<DateTime<Utc>>,
    pub if_unmodified_since: Option<DateTime<Utc>>,
}

impl Call<'_> {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn major_version(&self) -> u32 {
        self.version
            .split('.')
            .next()
            .and_then(|major| major.parse().ok())
            .unwrap_or(0)
    }
}

/// A resource's answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Json>,
    pub location: Option<String>,
}

impl Reply {
    pub fn ok(body: Json) -> Self {
        Self::with(200, body)
    }

    pub fn with(status: u16, body: Json) -> Self {
        Self {
            status,
            body: Some(body),
            location: None,
        }
    }

    pub fn no_content() -> Self {
        Self {
            status: 204,
            body: None,
            location: None,
        }
    }

    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self::with(status, json!([{ "message": message, "errorCode": code }]))
    }

    pub fn record_errors(errors: &[RecordError]) -> Self {
        let status = errors.first().map_or(400, RecordError::status);
        Self::with(status, errors.iter().map(RecordError::rest_json).collect())
    }

    pub fn not_found() -> Self {
        Self::error(404, "NOT_FOUND", "The requested resource does not exist")
    }

    pub fn is_error(&self) -> bool {
        self.status >= 400
    }

    /// A 200 from sObject Collections whose SaveResults say some records failed: a failure for
    /// Composite's `allOrNone`, although the status is not.
    pub fn has_failed_records(&self) -> bool {
        self.body
            .as_ref()
            .and_then(Json::as_array)
            .is_some_and(|items| items.iter().any(|item| item["success"] == json!(false)))
    }

    /// Failed, either as a whole or in some of its records.
    pub fn failed(&self) -> bool {
        self.is_error() || self.has_failed_records()
    }
}

/// What a resource works on: the caller's org and who they are.
pub struct Env<'a> {
    pub org: &'a mut OrgData,
    pub ids: &'a IdGenerator,
    pub user_id: &'a str,
    pub now: DateTime<Utc>,
    /// The org's daily allocation and what is left of it, for `/limits`.
    pub api: (u64, u64),
}

impl Env<'_> {
    pub fn ctx(&mut self) -> Ctx<'_> {
        Ctx {
            org: self.org,
            ids: self.ids,
            user_id: self.user_id,
            now: self.now,
        }
    }
}

/// The endpoint a call counts under in the emulator's call accounting.
pub fn endpoint(path: &[&str]) -> &'static str {
    match path {
        ["limits", ..] => "limits",
        ["query", ..] => "query",
        ["queryAll", ..] => "queryAll",
        ["search", ..] => "search",
        ["parameterizedSearch", ..] => "parameterizedSearch",
        ["sobjects", _, "updated", ..] => "updated",
        ["sobjects", _, "deleted", ..] => "deleted",
        ["sobjects", _, "describe", ..] | ["sobjects"] => "describe",
        ["sobjects", _, "listviews", ..] => "listviews",
        ["sobjects", ..] => "sobjects",
        ["composite", "sobjects", ..] => "composite/sobjects",
        ["composite", "batch", ..] => "composite/batch",
        ["composite", ..] => "composite",
        _ => "other",
    }
}

/// Where a call runs: on its own, or as a subrequest of Composite or Batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within {
    Request,
    /// A Composite subrequest; with `all_or_none`, a Collections subrequest is all-or-none
    /// whatever its own flag says ("allOrNone Parameters in Composite and Collections Requests").
    Composite {
        all_or_none: bool,
    },
    Batch,
}

/// Runs one call. Composite and Batch cannot contain themselves.
pub fn dispatch(env: &mut Env<'_>, call: &Call<'_>, within: Within) -> Reply {
    let path = call.path.as_slice();
    let nested = within != Within::Request;
    match (call.method, path) {
        ("GET", ["limits"]) => limits::limits(env),
        (_, ["query" | "queryAll", ..]) => query::query(env, call),
        (_, ["search"]) => query::search(env, call),
        (_, ["parameterizedSearch"]) => query::parameterized_search(env, call),
        (_, ["sobjects", _, "updated" | "deleted"]) => replication::changes(env, call),
        (_, ["sobjects", _, "listviews", ..]) => listviews::listviews(env, call),
        (_, ["sobjects", ..]) => rows::sobjects(env, call),
        (_, ["composite", "sobjects", ..]) => collections::collections(env, call, within),
        ("POST", ["composite"]) if !nested => composite::composite(env, call),
        ("POST", ["composite", "batch"]) if !nested => composite::batch(env, call),
        (_, ["composite"] | ["composite", "batch"]) => method_not_allowed(call.method, "POST"),
        _ => Reply::not_found(),
    }
}

pub fn method_not_allowed(method: &str, allowed: &str) -> Reply {
    Reply::error(
        405,
        "METHOD_NOT_ALLOWED",
        &format!("HTTP Method '{method}' not allowed. Allowed are {allowed}"),
    )
}

/// The body as a JSON object, or the error Salesforce gives for anything else.
pub fn object_body(call: &Call<'_>) -> Result<serde_json::Map<String, Json>, Reply> {
    match &call.body {
        Some(Json::Object(map)) => Ok(map.clone()),
        _ => Err(Reply::error(
            400,
            "JSON_PARSER_ERROR",
            "The request body must be a JSON object",
        )),
    }
}
