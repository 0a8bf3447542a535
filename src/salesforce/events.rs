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
use super::{EventShape, KeyFieldProblem, SfDateTime};

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
    #[serde(default)]
    createable: bool,
    #[serde(default)]
    updateable: bool,
}

pub async fn shape(session: &mut Session) -> Result<EventShape, SessionError> {
    let org = session.org_id().clone();
    if let Some(known) = session.salesforce().event_shape.get(&org).await {
        return Ok(known);
    }
    let describe: Describe = session.get("sobjects/Event/describe").await?;
    let wanted = &session.salesforce().settings().event_key_field;
    let field = describe
        .fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(wanted));
    let key_field_problem = match field {
        None => Some(KeyFieldProblem::Missing),
        Some(f) if !f.external_id => Some(KeyFieldProblem::NotExternalId),
        Some(f) if !(f.createable && f.updateable) => Some(KeyFieldProblem::ReadOnly),
        Some(_) => None,
    };
    let shape = EventShape {
        shared_activities: describe.fields.iter().any(|f| f.name == "EventWhoIds"),
        key_field: field
            .filter(|_| key_field_problem.is_none())
            .map(|f| f.name.clone()),
        key_field_problem,
    };
    session
        .salesforce()
        .event_shape
        .insert(org, shape.clone())
        .await;
    Ok(shape)
}

/// The org's Event as it is now, not as it was when last asked (an admin checking the
/// connection after adding the key field sees it at once, and so does the sync).
pub async fn shape_now(session: &mut Session) -> Result<EventShape, SessionError> {
    let org = session.org_id().clone();
    session.salesforce().event_shape.invalidate(&org).await;
    shape(session).await
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

/// Conditions per query when looking for earlier writes: the SOQL stays far below the length a
/// query's URL may have.
const LOOKED_FOR_PER_QUERY: usize = 40;

/// The fields of an Event an earlier write is told apart by (`sync::to_salesforce::intent`).
const WRITTEN_FIELDS: &str = "Id, Subject, StartDateTime, EndDateTime, IsAllDayEvent, \
     ActivityDate, DurationInMinutes, Location, CreatedDate";

/// An Event an earlier attempt may have written: its Id and the fields it is told apart by.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub fields: Map<String, Value>,
}

/// The Events the rep's user owns (not their invitations) that were created at or after
/// `since` and start when one of `wanted` (the fields of a create) starts (on its date, all
/// day): those an earlier attempt may have written before it could record the Id. Each once;
/// one query per 40 looked for.
pub async fn written_since(
    session: &mut Session,
    wanted: &[&Map<String, Value>],
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Candidate>, SessionError> {
    let owner = session.salesforce_user_id().as_str().to_string();
    let mut found: Vec<Candidate> = Vec::new();
    for chunk in wanted.chunks(LOOKED_FOR_PER_QUERY) {
        let mut conditions = chunk
            .iter()
            .map(|fields| start_condition(fields))
            .collect::<Result<Vec<_>, _>>()?;
        conditions.sort();
        conditions.dedup();
        let soql = format!(
            "SELECT {WRITTEN_FIELDS} FROM Event WHERE OwnerId = '{}' AND IsChild = false \
             AND CreatedDate >= {} AND ({})",
            soql_escape(&owner),
            since.format("%Y-%m-%dT%H:%M:%SZ"),
            conditions.join(" OR ")
        );
        for row in session.query::<Map<String, Value>>(&soql).await?.records {
            let Some(id) = row.get("Id").and_then(Value::as_str).map(str::to_string) else {
                continue;
            };
            if !found.iter().any(|c| c.id == id) {
                found.push(Candidate { id, fields: row });
            }
        }
    }
    Ok(found)
}

/// `(StartDateTime = …)`, or `(IsAllDayEvent = true AND ActivityDate = …)`.
fn start_condition(fields: &Map<String, Value>) -> Result<String, SalesforceError> {
    let text = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or_default();
    if fields.get("IsAllDayEvent") == Some(&Value::Bool(true)) {
        let date = text("ActivityDate");
        // A date is all it may be: it goes into the query as a literal.
        if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
            return Err(SalesforceError::Status(400));
        }
        return Ok(format!("(IsAllDayEvent = true AND ActivityDate = {date})"));
    }
    let at = SfDateTime::parse(text("StartDateTime")).map_err(|_| SalesforceError::Status(400))?;
    // SOQL's date-time literal: seconds and `Z`, no milliseconds.
    Ok(format!(
        "(StartDateTime = {})",
        at.0.format("%Y-%m-%dT%H:%M:%SZ")
    ))
}
