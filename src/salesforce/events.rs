//! The Salesforce Events the sync writes: create, update, delete, find one written before (the
//! idempotency fallback when the org has no External Id field on Event), and whether the org
//! relates an Event to several Contacts (Shared Activities: `EventWhoIds` in its describe).

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::SfDateTime;
use super::codes::ErrorCode;
use super::error::SalesforceError;
use super::rest::soql_escape;
use super::session::{Session, SessionError};

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct Describe {
    fields: Vec<DescribedField>,
}

#[derive(Deserialize)]
struct DescribedField {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Found {
    id: String,
}

/// Whether the org has Shared Activities (the Event describe lists `EventWhoIds`); asked once
/// per org and hour.
pub async fn shared_activities(session: &mut Session) -> Result<bool, SessionError> {
    let org = session.org_id().clone();
    if let Some(known) = session.salesforce().shared_activities.get(&org).await {
        return Ok(known);
    }
    let describe: Describe = session.get("sobjects/Event/describe").await?;
    let shared = describe.fields.iter().any(|f| f.name == "EventWhoIds");
    session
        .salesforce()
        .shared_activities
        .insert(org, shared)
        .await;
    Ok(shared)
}

pub async fn create(
    session: &mut Session,
    fields: &Map<String, Value>,
) -> Result<String, SessionError> {
    let body = Value::Object(fields.clone());
    let created: Created = session
        .send(Method::POST, "sobjects/Event", Some(&body))
        .await?
        .json()?;
    Ok(created.id)
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

/// Deletes the Event; `false` when it was gone already (deleted in Salesforce, or by an
/// earlier attempt of the same job).
pub async fn delete(session: &mut Session, id: &str) -> Result<bool, SessionError> {
    match session
        .send(Method::DELETE, &format!("sobjects/Event/{id}"), None)
        .await
    {
        Ok(_) => Ok(true),
        Err(SessionError::Salesforce(SalesforceError::Api {
            code: ErrorCode::EntityIsDeleted | ErrorCode::NotFound,
            ..
        })) => Ok(false),
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
