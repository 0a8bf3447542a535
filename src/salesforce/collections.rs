//! sObject Collections (`composite/sobjects`): up to 200 records created, updated or deleted in
//! one call (one call of the org's allowance), each with its own outcome. Salesforce answers 200
//! even when some records fail (`allOrNone: false`), so each SaveResult is read on its own.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::codes::ErrorCode;
use super::error::SalesforceError;
use super::session::{Session, SessionError};

/// The most records one call takes.
pub const MAX_RECORDS: usize = 200;

const PATH: &str = "composite/sobjects";

#[derive(Deserialize)]
struct SaveResult {
    id: Option<String>,
    success: bool,
    #[serde(default)]
    errors: Vec<RecordError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordError {
    status_code: String,
    #[serde(default)]
    message: String,
}

impl SaveResult {
    /// The record's Id, or its first error as a REST call on the record alone would have
    /// answered it.
    fn outcome(self) -> Result<Option<String>, SalesforceError> {
        if self.success {
            return Ok(self.id);
        }
        let (code, message) = self
            .errors
            .into_iter()
            .next()
            .map(|e| (ErrorCode::parse(&e.status_code), e.message))
            .unwrap_or((ErrorCode::Other("UNKNOWN".into()), String::new()));
        Err(SalesforceError::Api {
            status: 400,
            code,
            message,
        })
    }
}

/// Creates `records` of `sobject`: each one's new Id, or why Salesforce refused it.
///
/// # Panics
/// With more than [`MAX_RECORDS`] records: the caller splits them.
pub async fn create(
    session: &mut Session,
    sobject: &str,
    records: &[&Map<String, Value>],
) -> Result<Vec<Result<String, SalesforceError>>, SessionError> {
    let body = records.iter().map(|fields| typed(sobject, None, fields));
    let results = save(session, Method::POST, PATH, body.collect()).await?;
    Ok(with_ids(results))
}

/// Creates or updates each `(key, fields)` of `sobject` by the External Id field `key_field`:
/// each one's Id, or why Salesforce refused it. Sent again, the same keys update the same
/// records: nothing is written twice.
pub async fn upsert(
    session: &mut Session,
    sobject: &str,
    key_field: &str,
    records: &[(&str, &Map<String, Value>)],
) -> Result<Vec<Result<String, SalesforceError>>, SessionError> {
    let body: Vec<Value> = records
        .iter()
        .map(|(key, fields)| {
            let mut record = typed(sobject, None, fields);
            record[key_field] = json!(key);
            record
        })
        .collect();
    let path = format!("composite/sobjects/{sobject}/{key_field}");
    let results = save(session, Method::PATCH, &path, body).await?;
    Ok(with_ids(results))
}

/// Updates each `(id, fields)` of `sobject`: whether each was saved.
pub async fn update(
    session: &mut Session,
    sobject: &str,
    records: &[(&str, &Map<String, Value>)],
) -> Result<Vec<Result<(), SalesforceError>>, SessionError> {
    let body = records
        .iter()
        .map(|(id, fields)| typed(sobject, Some(id), fields));
    let results = save(session, Method::PATCH, PATH, body.collect()).await?;
    Ok(results.into_iter().map(|saved| saved.map(|_| ())).collect())
}

/// Deletes the records `ids`: `true` for each deleted, `false` for one already gone.
pub async fn delete(
    session: &mut Session,
    ids: &[&str],
) -> Result<Vec<Result<bool, SalesforceError>>, SessionError> {
    assert!(
        ids.len() <= MAX_RECORDS,
        "at most {MAX_RECORDS} records a call"
    );
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let path = format!("{PATH}?ids={}&allOrNone=false", ids.join(","));
    let results: Vec<SaveResult> = session.send(Method::DELETE, &path, None).await?.json()?;
    Ok(in_order(results, ids.len())
        .into_iter()
        .map(|saved| match saved {
            Ok(_) => Ok(true),
            Err(SalesforceError::Api {
                code: ErrorCode::EntityIsDeleted | ErrorCode::NotFound,
                ..
            }) => Ok(false),
            Err(other) => Err(other),
        })
        .collect())
}

/// Each created record's Id: a success without one is a malformed answer.
fn with_ids(
    results: Vec<Result<Option<String>, SalesforceError>>,
) -> Vec<Result<String, SalesforceError>> {
    results
        .into_iter()
        .map(|saved| saved.and_then(|id| id.ok_or(SalesforceError::Status(200))))
        .collect()
}

fn typed(sobject: &str, id: Option<&str>, fields: &Map<String, Value>) -> Value {
    let mut record = fields.clone();
    record.insert("attributes".into(), json!({ "type": sobject }));
    if let Some(id) = id {
        record.insert("Id".into(), json!(id));
    }
    Value::Object(record)
}

async fn save(
    session: &mut Session,
    method: Method,
    path: &str,
    records: Vec<Value>,
) -> Result<Vec<Result<Option<String>, SalesforceError>>, SessionError> {
    assert!(
        records.len() <= MAX_RECORDS,
        "at most {MAX_RECORDS} records a call"
    );
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let count = records.len();
    let body = json!({ "allOrNone": false, "records": records });
    let results: Vec<SaveResult> = session.send(method, path, Some(&body)).await?.json()?;
    Ok(in_order(results, count))
}

/// One outcome per record sent, in the order sent; a SaveResult Salesforce left out is a failure.
fn in_order(
    results: Vec<SaveResult>,
    count: usize,
) -> Vec<Result<Option<String>, SalesforceError>> {
    let mut outcomes: Vec<_> = results.into_iter().map(SaveResult::outcome).collect();
    outcomes.resize_with(count, || Err(SalesforceError::Status(200)));
    outcomes.truncate(count);
    outcomes
}
