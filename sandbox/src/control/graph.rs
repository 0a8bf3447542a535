//! Microsoft Graph through the control API: mailboxes, requests as the owner, subscriptions,
//! deliveries.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::routes::{Data, bad, missing};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/graph/mailboxes", web::post().to(add_mailbox))
        .route("/graph/mailboxes/{user}/requests", web::post().to(as_owner))
        .route(
            "/graph/mailboxes/{organizer}/events/{event}/invitations",
            web::post().to(invite),
        )
        .route(
            "/graph/mailboxes/{attendee}/events/{event}/cancellation",
            web::post().to(cancel),
        )
        .route("/graph/subscriptions", web::get().to(subscriptions))
        .route(
            "/graph/subscriptions/{id}/lifecycle",
            web::post().to(lifecycle),
        )
        .route("/graph/deliveries", web::get().to(deliveries))
        .route("/graph/calls", web::get().to(calls));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewMailbox {
    tenant_id: String,
    user_id: String,
    address: String,
    name: String,
}

async fn add_mailbox(sandbox: Data, body: web::Json<NewMailbox>) -> HttpResponse {
    sandbox
        .graph
        .add_mailbox(&body.tenant_id, &body.user_id, &body.address, &body.name);
    HttpResponse::NoContent().finish()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnerRequest {
    method: String,
    /// Under the mailbox: `events`, `events/{id}`, `calendarView?…`, `contacts`…
    path: String,
    body: Option<Value>,
}

/// Runs a Graph request as the mailbox's owner would in Outlook: seeds and reads events and
/// contacts through the same code, so subscribers are notified and delta sees the change.
async fn as_owner(
    sandbox: Data,
    user: web::Path<String>,
    body: web::Json<OwnerRequest>,
) -> HttpResponse {
    let body = body.into_inner();
    match sandbox.graph.as_owner(
        &user,
        &body.method.to_ascii_uppercase(),
        &body.path,
        body.body,
    ) {
        Ok((status, body)) => HttpResponse::Ok().json(json!({ "status": status, "body": body })),
        Err(error) => missing(&format!("mailbox ({error})")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Invitation {
    /// The attendee's mailbox (a user of the same tenant).
    attendee: String,
}

/// Exchange delivers the organizer's meeting to an attendee of the same tenant: a copy in their
/// calendar (same `iCalUId`, `isOrganizer: false`), which their subscriptions and delta see.
async fn invite(
    sandbox: Data,
    path: web::Path<(String, String)>,
    body: web::Json<Invitation>,
) -> HttpResponse {
    let (organizer, event) = path.into_inner();
    match sandbox
        .graph
        .deliver_invitation(&organizer, &event, &body.attendee)
    {
        Ok(id) => HttpResponse::Created().json(json!({ "id": id })),
        Err(error) => missing(&format!("mailbox or event ({error})")),
    }
}

/// The organizer cancelled: the attendee's copy stays, `isCancelled`, "Canceled: " before its
/// subject, as Exchange shows it.
async fn cancel(sandbox: Data, path: web::Path<(String, String)>) -> HttpResponse {
    let (attendee, event) = path.into_inner();
    match sandbox.graph.receive_cancellation(&attendee, &event) {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(error) => missing(&format!("mailbox or event ({error})")),
    }
}

async fn subscriptions(sandbox: Data) -> HttpResponse {
    HttpResponse::Ok().json(sandbox.graph.subscription_ids())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Lifecycle {
    /// `subscriptionRemoved`, `reauthorizationRequired` or `missed`.
    event: String,
}

async fn lifecycle(
    sandbox: Data,
    id: web::Path<String>,
    body: web::Json<Lifecycle>,
) -> HttpResponse {
    match sandbox.graph.send_lifecycle(&id, &body.event).await {
        Ok(status) => HttpResponse::Ok().json(json!({ "webhook_status": status })),
        Err(error) => bad(error),
    }
}

async fn deliveries(sandbox: Data) -> HttpResponse {
    let list: Vec<Value> = sandbox
        .graph
        .deliveries()
        .iter()
        .map(|d| {
            json!({
                "subscription_id": d.subscription_id, "event": d.event, "resource": d.resource,
                "status": d.status, "attempt": d.attempt,
            })
        })
        .collect();
    HttpResponse::Ok().json(list)
}

async fn calls(sandbox: Data) -> HttpResponse {
    HttpResponse::Ok().json(sandbox.graph.all_calls())
}
