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

/// Conditions per query when looking for earlier writes: the SOQL stays far below the length a
/// query's URL may have.
const LOOKED_FOR_PER_QUERY: usize = 40;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Written {
    id: String,
    subject: Option<String>,
    start_date_time: Option<String>,
    is_all_day_event: Option<bool>,
    activity_date: Option<String>,
}

/// For each of `wanted`, the Event the rep's user owns with exactly its start (its date, all
/// day) and subject: one an earlier attempt wrote before it could record the Id. Several alike
/// are ambiguous and count as none. One query per 40 looked for.
pub async fn find_written(
    session: &mut Session,
    wanted: &[&Map<String, Value>],
) -> Result<Vec<Option<String>>, SessionError> {
    let owner = session.salesforce_user_id().as_str().to_string();
    let mut found = Vec::with_capacity(wanted.len());
    for chunk in wanted.chunks(LOOKED_FOR_PER_QUERY) {
        let keys = chunk
            .iter()
            .map(|fields| Key::of(fields))
            .collect::<Result<Vec<_>, _>>()?;
        let conditions: Vec<String> = keys.iter().map(Key::condition).collect();
        let soql = format!(
            "SELECT Id, Subject, StartDateTime, IsAllDayEvent, ActivityDate FROM Event \
             WHERE OwnerId = '{}' AND IsChild = false AND ({})",
            soql_escape(&owner),
            conditions.join(" OR ")
        );
        let rows = session.query::<Written>(&soql).await?.records;
        for key in &keys {
            let mut alike = rows.iter().filter(|row| key.matches(row));
            found.push(match (alike.next(), alike.next()) {
                (Some(only), None) => Some(only.id.clone()),
                _ => None,
            });
        }
    }
    Ok(found)
}

/// What identifies an Event written earlier: its start (or date, all day) and subject.
struct Key {
    start: Start,
    subject: Option<String>,
}

enum Start {
    At(SfDateTime),
    AllDay(String),
}

impl Key {
    fn of(fields: &Map<String, Value>) -> Result<Self, SalesforceError> {
        let text = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or_default();
        let start = if fields.get("IsAllDayEvent") == Some(&Value::Bool(true)) {
            Start::AllDay(text("ActivityDate").to_string())
        } else {
            Start::At(
                SfDateTime::parse(text("StartDateTime"))
                    .map_err(|_| SalesforceError::Status(400))?,
            )
        };
        let subject = fields
            .get("Subject")
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(Self { start, subject })
    }

    fn condition(&self) -> String {
        let start = match &self.start {
            // SOQL's date-time literal: seconds and `Z`, no milliseconds.
            Start::At(at) => format!("StartDateTime = {}", at.0.format("%Y-%m-%dT%H:%M:%SZ")),
            Start::AllDay(date) => format!("IsAllDayEvent = true AND ActivityDate = {date}"),
        };
        let subject = match &self.subject {
            Some(subject) => format!("Subject = '{}'", soql_escape(subject)),
            None => "Subject = null".into(),
        };
        format!("({start} AND {subject})")
    }

    fn matches(&self, row: &Written) -> bool {
        let start = match &self.start {
            Start::At(at) => row
                .start_date_time
                .as_deref()
                .and_then(|t| SfDateTime::parse(t).ok())
                .is_some_and(|t| t.0 == at.0),
            Start::AllDay(date) => {
                row.is_all_day_event == Some(true) && row.activity_date.as_deref() == Some(date)
            }
        };
        start && row.subject == self.subject
    }
}
