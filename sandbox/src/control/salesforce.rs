//! Salesforce through the control API: orgs, users, records, connected apps, sessions.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::routes::{Data, bad, missing};
use crate::salesforce::ConnectedApp;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/salesforce/orgs", web::get().to(orgs))
        .route("/salesforce/orgs", web::post().to(add_org))
        .route("/salesforce/orgs/{org}/users", web::post().to(add_user))
        .route(
            "/salesforce/orgs/{org}/records",
            web::post().to(create_record),
        )
        .route("/salesforce/orgs/{org}/records/{id}", web::get().to(record))
        .route(
            "/salesforce/orgs/{org}/records/{id}",
            web::patch().to(update_record),
        )
        .route(
            "/salesforce/orgs/{org}/records/{id}",
            web::delete().to(delete_record),
        )
        .route("/salesforce/orgs/{org}/query", web::get().to(query))
        .route(
            "/salesforce/connected-apps",
            web::post().to(add_connected_app),
        )
        .route("/salesforce/sessions", web::post().to(issue_session))
        .route("/salesforce/calls", web::get().to(calls));
}

fn user_json(user: &crate::salesforce::User) -> Value {
    json!({
        "id": user.id, "org_id": user.org_id, "username": user.username, "email": user.email,
        "first_name": user.first_name, "last_name": user.last_name,
    })
}

async fn orgs(sandbox: Data) -> HttpResponse {
    let sf = &sandbox.salesforce;
    let orgs: Vec<Value> = sf
        .orgs()
        .iter()
        .map(|org| {
            json!({
                "id": org.id, "name": org.name, "sandbox": org.sandbox,
                "api_max": org.api_max, "api_remaining": org.api_remaining,
                "users": sf.users_of(&org.id).iter().map(user_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    HttpResponse::Ok().json(orgs)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewOrg {
    name: String,
    api_allowance: u64,
    #[serde(default)]
    sandbox: bool,
}

async fn add_org(sandbox: Data, body: web::Json<NewOrg>) -> HttpResponse {
    let sf = &sandbox.salesforce;
    let org = if body.sandbox {
        sf.add_sandbox_org(&body.name, body.api_allowance)
    } else {
        sf.add_org(&body.name, body.api_allowance)
    };
    HttpResponse::Created().json(json!({ "id": org.id, "name": org.name }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    username: String,
    first_name: String,
    last_name: String,
    /// Where the user lives (`street`, `city`, `state`, `postal_code`, `country`): their User
    /// record's address, and the identity URL's `addr_*`.
    #[serde(default)]
    address: crate::salesforce::UserAddress,
}

async fn add_user(sandbox: Data, org: web::Path<String>, body: web::Json<NewUser>) -> HttpResponse {
    let sf = &sandbox.salesforce;
    if !sf.orgs().iter().any(|o| o.id == *org) {
        return missing("org");
    }
    let user = sf.add_user_at(
        &org,
        &body.username,
        &body.first_name,
        &body.last_name,
        &body.address,
    );
    HttpResponse::Created().json(user_json(&user))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRecord {
    r#type: String,
    fields: Value,
}

async fn create_record(
    sandbox: Data,
    org: web::Path<String>,
    body: web::Json<NewRecord>,
) -> HttpResponse {
    let body = body.into_inner();
    match sandbox
        .salesforce
        .create_record(&org, &body.r#type, body.fields)
    {
        Ok(id) => HttpResponse::Created().json(json!({ "id": id })),
        Err(error) => bad(error),
    }
}

async fn record(sandbox: Data, path: web::Path<(String, String)>) -> HttpResponse {
    let (org, id) = path.into_inner();
    match sandbox.salesforce.record(&org, &id) {
        Some(record) => HttpResponse::Ok().json(record),
        None => missing("record"),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    fields: Value,
}

async fn update_record(
    sandbox: Data,
    path: web::Path<(String, String)>,
    body: web::Json<Fields>,
) -> HttpResponse {
    let (org, id) = path.into_inner();
    match sandbox
        .salesforce
        .update_record(&org, &id, body.into_inner().fields)
    {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(error) => bad(error),
    }
}

async fn delete_record(sandbox: Data, path: web::Path<(String, String)>) -> HttpResponse {
    let (org, id) = path.into_inner();
    match sandbox.salesforce.delete_record(&org, &id) {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(error) => bad(error),
    }
}

#[derive(Deserialize)]
struct Soql {
    q: String,
}

async fn query(sandbox: Data, org: web::Path<String>, soql: web::Query<Soql>) -> HttpResponse {
    match sandbox.salesforce.query(&org, &soql.q) {
        Ok(records) => HttpResponse::Ok().json(json!({ "records": records })),
        Err(error) => bad(error),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewConnectedApp {
    consumer_key: String,
    consumer_secret: String,
    callback_urls: Vec<String>,
    #[serde(default)]
    rotate_refresh_tokens: bool,
    jwt_certificate_pem: Option<String>,
    #[serde(default)]
    pre_authorized_users: Vec<String>,
}

async fn add_connected_app(sandbox: Data, body: web::Json<NewConnectedApp>) -> HttpResponse {
    let app = body.into_inner();
    sandbox.salesforce.add_connected_app(ConnectedApp {
        consumer_key: app.consumer_key,
        consumer_secret: app.consumer_secret,
        callback_urls: app.callback_urls,
        rotate_refresh_tokens: app.rotate_refresh_tokens,
        jwt_certificate_pem: app.jwt_certificate_pem,
        pre_authorized_users: app.pre_authorized_users,
    });
    HttpResponse::NoContent().finish()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSession {
    user_id: String,
    #[serde(default = "any_app")]
    consumer_key: String,
}

fn any_app() -> String {
    "control-api".into()
}

/// A live session for a user, as if they had connected: for scripts whose subject is not OAuth.
async fn issue_session(sandbox: Data, body: web::Json<NewSession>) -> HttpResponse {
    let sf = &sandbox.salesforce;
    match sf.issue_session(&body.user_id, &body.consumer_key) {
        Some(token) => HttpResponse::Created().json(json!({
            "access_token": token,
            "instance_url": sf.base_url(),
            "token_type": "Bearer",
        })),
        None => missing("user"),
    }
}

async fn calls(sandbox: Data) -> HttpResponse {
    HttpResponse::Ok().json(sandbox.salesforce.all_calls())
}
