//! An Event's invited users (EventRelation rows with `IsInvitee`), and its owner: how one
//! Event of a meeting several reps attend is shared among them.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::SalesforceError;
use super::codes::ErrorCode;
use super::rest::soql_escape;
use super::session::{Session, SessionError};

/// Invites the user `user_id` to the Event (invited already is done).
pub async fn invite(
    session: &mut Session,
    event_id: &str,
    user_id: &str,
) -> Result<(), SessionError> {
    let body = json!({ "EventId": event_id, "RelationId": user_id, "IsInvitee": true });
    match session
        .send(Method::POST, "sobjects/EventRelation", Some(&body))
        .await
    {
        Ok(_) => Ok(()),
        Err(SessionError::Salesforce(SalesforceError::Api {
            code: ErrorCode::DuplicateValue,
            ..
        })) => Ok(()),
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Relation {
    id: String,
}

/// Withdraws the user's invitation to the Event (none is done).
pub async fn uninvite(
    session: &mut Session,
    event_id: &str,
    user_id: &str,
) -> Result<(), SessionError> {
    let soql = format!(
        "SELECT Id FROM EventRelation WHERE EventId = '{}' AND RelationId = '{}' AND IsInvitee = true",
        soql_escape(event_id),
        soql_escape(user_id)
    );
    for relation in session.query::<Relation>(&soql).await?.records {
        let path = format!("sobjects/EventRelation/{}", relation.id);
        match session.send(Method::DELETE, &path, None).await {
            Ok(_) => {}
            Err(SessionError::Salesforce(SalesforceError::Api {
                code: ErrorCode::EntityIsDeleted | ErrorCode::NotFound,
                ..
            })) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

/// The Event passes to the user `user_id`.
pub async fn set_owner(
    session: &mut Session,
    event_id: &str,
    user_id: &str,
) -> Result<(), SessionError> {
    let body = json!({ "OwnerId": user_id });
    session
        .send(
            Method::PATCH,
            &format!("sobjects/Event/{event_id}"),
            Some(&body),
        )
        .await?;
    Ok(())
}
