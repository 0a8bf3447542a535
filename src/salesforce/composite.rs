//! Several SOQL queries in one Composite call (`allOrNone: false`): the way this service keeps
//! a lookup to one Salesforce call whatever the number of things looked up.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::codes::ErrorCode;
use super::error::SalesforceError;
use super::rest::query_path;
use super::session::{Session, SessionError};

/// Runs each `(reference, soql)` as one subrequest of a single Composite call and returns each
/// query's first page of records under its reference, in the order asked. A failed subrequest
/// fails the whole lookup with its error.
pub async fn queries<T: DeserializeOwned>(
    session: &mut Session,
    queries: &[(String, String)],
) -> Result<Vec<(String, Vec<T>)>, SessionError> {
    let mut requests = Vec::with_capacity(queries.len());
    for (reference, soql) in queries {
        requests.push(json!({
            "method": "GET",
            "url": session.data_path(&query_path(soql)?),
            "referenceId": reference,
        }));
    }
    let body = json!({ "allOrNone": false, "compositeRequest": requests });
    let answer: Value = session
        .send(Method::POST, "composite", Some(&body))
        .await?
        .json()?;
    let mut results = Vec::with_capacity(queries.len());
    for item in answer["compositeResponse"].as_array().into_iter().flatten() {
        let status = item["httpStatusCode"].as_u64().unwrap_or(0);
        if status != 200 {
            let error = &item["body"][0];
            return Err(SalesforceError::Api {
                status: u16::try_from(status).unwrap_or(500),
                code: ErrorCode::parse(error["errorCode"].as_str().unwrap_or_default()),
                message: error["message"].as_str().unwrap_or_default().to_string(),
            }
            .into());
        }
        let Some((reference, _)) = queries
            .iter()
            .find(|(r, _)| Some(r.as_str()) == item["referenceId"].as_str())
        else {
            continue;
        };
        let rows: Vec<T> = serde_json::from_value(item["body"]["records"].clone())
            .map_err(SalesforceError::Decode)?;
        results.push((reference.clone(), rows));
    }
    Ok(results)
}
