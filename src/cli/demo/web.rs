//! The demo page's own calls (demo mode only): the week's meetings from the sandbox mailbox, a
//! token the emulated Entra mints for the demo rep (what Outlook would hand the pane), and what
//! the sandbox Salesforce org holds, for the live view beside the pane.

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use chrono::{Days, NaiveDate};
use outforce_sandbox::Sandbox;
use outforce_sandbox::demo;
use outforce_sandbox::entra::TokenSpec;
use serde_json::{Value, json};

use crate::startup::Routes;

#[derive(Clone)]
struct Demo {
    sandbox: Arc<Sandbox>,
    org_id: String,
    tenant_id: String,
    api_client_id: String,
    rep_object_id: String,
    /// The Monday of the seeded week, and the mailbox's zone.
    week: NaiveDate,
    time_zone: String,
}

pub fn routes(sandbox: Arc<Sandbox>, accounts: &demo::DemoAccounts) -> Routes {
    let demo = web::Data::new(Demo {
        sandbox,
        org_id: accounts.salesforce_org_id.clone(),
        tenant_id: accounts.tenant_id.clone(),
        api_client_id: accounts.api_client_id.clone(),
        rep_object_id: accounts.rep_object_id.clone(),
        week: accounts.mailbox_week,
        time_zone: accounts.mailbox_time_zone.clone(),
    });
    Arc::new(move |cfg: &mut web::ServiceConfig| {
        cfg.service(
            web::scope("/demo/api")
                .app_data(demo.clone())
                .route("/meetings", web::get().to(meetings))
                .route("/token", web::post().to(token))
                .route("/org", web::get().to(org)),
        );
    })
}

fn failed(error: &anyhow::Error) -> HttpResponse {
    tracing::error!(error = format!("{error:#}"), "a demo call failed");
    HttpResponse::InternalServerError()
        .json(json!({ "error": { "code": "internal", "message": "internal error" } }))
}

fn person(value: &Value) -> Value {
    json!({
        "email": value["emailAddress"]["address"],
        "name": value["emailAddress"]["name"],
    })
}

/// The seeded week's meetings (Monday to Sunday in the mailbox's zone, with a day's margin
/// either side), as the demo page shows them. The week is the one the meetings were placed in:
/// on a Sunday evening in the mailbox's zone, UTC is already in the next week.
async fn meetings(demo: web::Data<Demo>) -> HttpResponse {
    let from = demo.week - Days::new(1);
    let to = demo.week + Days::new(8);
    let path = format!(
        "calendarView?startDateTime={from}T00:00:00Z&endDateTime={to}T00:00:00Z&$top=200&$orderby=start/dateTime"
    );
    let graph = &demo.sandbox.graph;
    let (status, body) = match graph.as_owner(&demo.rep_object_id, "GET", &path, None) {
        Ok(answer) => answer,
        Err(error) => return failed(&error),
    };
    if status != 200 {
        return failed(&anyhow::anyhow!("the sandbox mailbox answered {status}"));
    }
    let meetings: Vec<Value> = body["value"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|event| event["isCancelled"] != json!(true))
        .map(|event| {
            let utc = |field: &str| {
                format!(
                    "{}Z",
                    event[field]["dateTime"]
                        .as_str()
                        .unwrap_or_default()
                        .trim_end_matches('Z')
                )
            };
            json!({
                "id": event["id"],
                "subject": event["subject"],
                "start": utc("start"),
                "end": utc("end"),
                "all_day": event["isAllDay"],
                "location": event["location"]["displayName"],
                "organizer": person(&event["organizer"]),
                "attendees": event["attendees"].as_array().into_iter().flatten().map(|a| {
                    let mut p = person(a);
                    p["type"] = a["type"].clone();
                    p
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({
        "rep": {
            "email": demo::REP_USERNAME,
            "name": "Avery Rep",
            "time_zone": demo.time_zone,
            // The same zone as the browser names it, for the meeting list's times.
            "iana_time_zone": crate::sync::model::zones::zone(&demo.time_zone).map(|tz| tz.name()),
        },
        "meetings": meetings,
    }))
}

/// The demo rep's access token for the service's API, as Outlook's getAccessToken gives it.
async fn token(demo: web::Data<Demo>) -> HttpResponse {
    let mut spec = TokenSpec::user(&demo.tenant_id, &demo.rep_object_id, &demo.api_client_id);
    spec.username = demo::REP_USERNAME.into();
    spec.name = "Avery Rep".into();
    match demo.sandbox.entra.mint(&spec) {
        Ok(token) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({ "access_token": token, "expires_in": spec.expires_in })),
        Err(error) => failed(&error),
    }
}

/// What the org holds now: Events (with their relations), Contacts and Leads, newest first.
async fn org(demo: web::Data<Demo>) -> HttpResponse {
    let sf = &demo.sandbox.salesforce;
    let queries = [
        (
            "events",
            "SELECT Id, Subject, StartDateTime, Who.Name, What.Name FROM Event ORDER BY CreatedDate DESC LIMIT 50",
        ),
        (
            "contacts",
            "SELECT Id, Name, Email, Account.Name FROM Contact ORDER BY CreatedDate DESC LIMIT 50",
        ),
        (
            "leads",
            "SELECT Id, Name, Email, Company FROM Lead WHERE IsConverted = false ORDER BY CreatedDate DESC LIMIT 50",
        ),
    ];
    let mut view = serde_json::Map::new();
    for (name, soql) in queries {
        let rows = match sf.query(&demo.org_id, soql) {
            Ok(rows) => rows,
            Err(error) => return failed(&error),
        };
        let flat: Vec<Value> = rows
            .iter()
            .map(|row| {
                json!({
                    "Id": row["Id"],
                    "Subject": row["Subject"],
                    "StartDateTime": row["StartDateTime"],
                    "Who": row["Who"]["Name"],
                    "What": row["What"]["Name"],
                    "Name": row["Name"],
                    "Email": row["Email"],
                    "Account": row["Account"]["Name"],
                    "Company": row["Company"],
                })
            })
            .collect();
        view.insert(name.into(), Value::Array(flat));
    }
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(view)
}
