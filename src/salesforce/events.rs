//! The Salesforce Events the sync writes one at a time (its batches go through
//! `salesforce::collections`): update, the subject, find one written before (the
//! idempotency fallback when the org has no External Id field on Event), and what the org's
//! Event offers (Shared Activities: `EventWhoIds` in its describe; the key field).

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::codes::ErrorCode;
use super::error::SalesforceError;
use super::rest::soql_escape;
use super::session::{Session, SessionError};
use super::{EventShape, SfDateTime};

#[derive(Deserialize)]
struct Describe {
    fields: Vec<DescribedField>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DescribedField {
    name: String,
    #[serde(default)]
    external_id: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Found {
    id: String,
}

pub async fn shape(session: &mut Session) -> Result<EventShape, SessionError> {
    let org = session.org_id().clone();
    if let Some(known) = session.salesforce().event_shape.get(&org).await {
        return Ok(known);
    }
    let describe: Describe = session.get("sobjects/Event/describe").await?;
    let wanted = &session.salesforce().settings().event_key_field;
    let shape = EventShape {
        shared_activities: describe.fields.iter().any(|f| f.name == "EventWhoIds"),
        key_field: describe
            .fields
            .iter()
            .find(|f| f.external_id && f.name.eq_ignore_ascii_case(wanted))
            .map(|f| f.name.clone()),
    };
    session
        .salesforce()
        .event_shape
        .insert(org, shape.clone())
        .await;
    Ok(shape)
}

pub async fn update(
    session: &mut Session,
    id: &str,
    fields: &Map<String, Value>,
) -> Result<(), SessionError> {
    let body = Value::Object(fields.clone());
    session
        .send(Method::PATCH, &format!("sobjects/Event/{id}"), Some(&body))
        .await?;
    Ok(())
}

/// The Event's subject as Salesforce holds it; `None` when the Event is gone.
pub async fn subject(session: &mut Session, id: &str) -> Result<Option<String>, SessionError> {
    match session
        .get::<Value>(&format!("sobjects/Event/{id}?fields=Subject"))
        .await
    {
        Ok(event) => Ok(Some(
            event["Subject"].as_str().unwrap_or_default().to_string(),
        )),
        Err(SessionError::Salesforce(SalesforceError::Api {
            code: ErrorCode::EntityIsDeleted | ErrorCode::NotFound,
            ..
        })) => Ok(None),
        Err(other) => Err(other),
    }
}

/// An Event the rep's user owns with exactly these start and subject: one an earlier attempt
/// wrote before it could record the Id. Several alike are ambiguous and count as none.
pub async fn find_written(
    session: &mut Session,
    fields: &Map<String, Value>,
) -> Result<Option<String>, SessionError> {
    let owner = session.salesforce_user_id().as_str().to_string();
    let text = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or_default();
    let mut conditions = vec![format!("OwnerId = '{}'", soql_escape(&owner))];
    if fields.get("IsAllDayEvent") == Some(&Value::Bool(true)) {
        conditions.push(format!(
            "IsAllDayEvent = true AND ActivityDate = {}",
            text("ActivityDate")
        ));
    } else {
        // SOQL's date-time literal: seconds and `Z`, no milliseconds.
        let start =
            SfDateTime::parse(text("StartDateTime")).map_err(|_| SalesforceError::Status(400))?;
        conditions.push(format!(
            "StartDateTime = {}",
            start.0.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    match fields.get("Subject").and_then(Value::as_str) {
        Some(subject) => conditions.push(format!("Subject = '{}'", soql_escape(subject))),
        None => conditions.push("Subject = null".into()),
    }
    let soql = format!(
        "SELECT Id FROM Event WHERE {} ORDER BY CreatedDate DESC LIMIT 2",
        conditions.join(" AND ")
    );
    let page = session.query::<Found>(&soql).await?;
    Ok(match page.records.as_slice() {
        [only] => Some(only.id.clone()),
        _ => None,
    })
}
