//! `POST /api/v1/contacts` and `POST /api/v1/leads`: a missing attendee created in Salesforce
//! from what Outlook knows (names from the display name, company from the address's domain),
//! a new Contact under the Account the rule finds; and `POST /api/v1/people/preview`, which
//! shows the same choices before anything is saved. A duplicate rule's rejection is a 409
//! naming the record that already exists.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::matching::{EmailAddress, RecordKind};
use crate::people::{self, AccountChoice};
use crate::salesforce::records;
use crate::salesforce::session::Session;
use crate::state::AppState;

mod person;

pub use person::PersonIn;
use person::{NamesFrom, Person, contact_card, person};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/contacts", web::post().to(create_contact))
        .route("/leads", web::post().to(create_lead))
        .route("/people/preview", web::post().to(preview));
}

/// What will be (or was) written.
#[derive(Serialize, ToSchema)]
pub struct PersonView {
    /// The new record's Id (absent in a preview).
    id: Option<String>,
    kind: Option<RecordKind>,
    email: String,
    first_name: Option<String>,
    last_name: String,
    company: Option<String>,
    /// The Account a Contact goes under, and which branch of the rule chose it.
    account: AccountChoice,
    /// Where the names came from.
    names_from: NamesFrom,
}

async fn account_for(
    session: &mut Session,
    company: Option<&str>,
    picked: Option<&str>,
) -> Result<AccountChoice, ApiError> {
    if let Some(id) = picked {
        if crate::relations::Kind::of(id) != Some(crate::relations::Kind::Account) {
            return Err(ApiError::invalid("account_id", "an Account's Id (001…)"));
        }
        let names = records::names(session, &[id]).await?;
        let Some(name) = names.get(id) else {
            return Err(ApiError::invalid(
                "account_id",
                "no such Account, or not one you can see",
            ));
        };
        return Ok(AccountChoice {
            account: Some(crate::matching::Named {
                id: id.to_string(),
                name: name.clone(),
            }),
            rule: people::AccountRule::ChosenByRep,
        });
    }
    let Some(company) = company else {
        return Ok(AccountChoice::none());
    };
    let (exact, containing) = records::accounts_for_company(session, company).await?;
    Ok(people::choose_account(company, &exact, &containing))
}

fn view(
    person: Person,
    id: Option<String>,
    kind: Option<RecordKind>,
    account: AccountChoice,
) -> PersonView {
    PersonView {
        id,
        kind,
        email: person.email.as_str().to_string(),
        first_name: person.first,
        last_name: person.last,
        company: person.company,
        account,
        names_from: person.names_from,
    }
}

fn fields(person: &Person) -> Map<String, Value> {
    let mut fields = Map::new();
    if let Some(first) = &person.first {
        fields.insert("FirstName".into(), json!(first));
    }
    fields.insert("LastName".into(), json!(person.last));
    fields.insert("Email".into(), json!(person.email.as_str()));
    fields
}

/// The names, company and Account a new record would get, without saving anything.
#[utoipa::path(
    post,
    path = "/api/v1/people/preview",
    operation_id = "preview_person",
    tag = "rep",
    security(("bearer" = [])),
    request_body = PersonIn,
    responses(
        (status = 200, description = "what a new Contact or Lead would hold", body = PersonView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 409, response = crate::http::openapi::responses::Precondition),
        (status = 502, response = crate::http::openapi::responses::Upstream),
    )
)]
pub async fn preview(
    rep: Rep,
    body: web::Json<PersonIn>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let card = contact_card(&state, &rep, &body).await;
    let person = person(&body, card.as_ref())?;
    refuse_excluded(&state, &rep, &person.email).await?;
    let mut session = state.sessions.open(&rep.user).await?;
    let account = account_for(
        &mut session,
        person.company.as_deref(),
        body.account_id.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(view(person, None, None, account)))
}

/// Creates a Contact for an attendee, under the Account the rule finds.
#[utoipa::path(
    post,
    path = "/api/v1/contacts",
    operation_id = "create_contact",
    tag = "rep",
    security(("bearer" = [])),
    request_body = PersonIn,
    responses(
        (status = 201, description = "the Contact, and the Account it went under", body = PersonView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 409, response = crate::http::openapi::responses::Duplicate),
        (status = 502, response = crate::http::openapi::responses::Upstream),
    )
)]
pub async fn create_contact(
    rep: Rep,
    body: web::Json<PersonIn>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let card = contact_card(&state, &rep, &body).await;
    let person = person(&body, card.as_ref())?;
    refuse_excluded(&state, &rep, &person.email).await?;
    let mut session = state.sessions.open(&rep.user).await?;
    let account = account_for(
        &mut session,
        person.company.as_deref(),
        body.account_id.as_deref(),
    )
    .await?;
    let mut fields = fields(&person);
    if let Some(chosen) = &account.account {
        fields.insert("AccountId".into(), json!(chosen.id));
    }
    create(
        &state,
        &mut session,
        person,
        RecordKind::Contact,
        fields,
        account,
    )
    .await
}

/// Creates a Lead for an attendee (its `Company` from the form or the address's domain).
#[utoipa::path(
    post,
    path = "/api/v1/leads",
    operation_id = "create_lead",
    tag = "rep",
    security(("bearer" = [])),
    request_body = PersonIn,
    responses(
        (status = 201, description = "the Lead", body = PersonView),
        (status = 400, response = crate::http::openapi::responses::BadRequest),
        (status = 401, response = crate::http::openapi::responses::Unauthorized),
        (status = 409, response = crate::http::openapi::responses::Duplicate),
        (status = 502, response = crate::http::openapi::responses::Upstream),
    )
)]
pub async fn create_lead(
    rep: Rep,
    body: web::Json<PersonIn>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let card = contact_card(&state, &rep, &body).await;
    let person = person(&body, card.as_ref())?;
    refuse_excluded(&state, &rep, &person.email).await?;
    if body.account_id.is_some() {
        return Err(ApiError::invalid(
            "account_id",
            "a Lead has no Account: its company is `company`",
        ));
    }
    let Some(company) = person.company.clone() else {
        return Err(ApiError::invalid(
            "company",
            "a Lead needs a company, and a personal mailbox's domain names none: type it",
        ));
    };
    let mut session = state.sessions.open(&rep.user).await?;
    let mut fields = fields(&person);
    fields.insert("Company".into(), json!(company));
    create(
        &state,
        &mut session,
        person,
        RecordKind::Lead,
        fields,
        AccountChoice::none(),
    )
    .await
}

/// An address an admin excluded (by itself or its domain) is never created in Salesforce.
async fn refuse_excluded(
    state: &AppState,
    rep: &Rep,
    email: &EmailAddress,
) -> Result<(), ApiError> {
    let policy = crate::sync::context::settings_for(state, &rep.user).await?;
    if policy.excludes(email.as_str()) {
        return Err(ApiError::Precondition {
            code: "address_excluded",
            message: "an admin excluded this address or its domain from Salesforce".into(),
        });
    }
    Ok(())
}

/// Creates the record; the match cache forgets its address, so the pane sees it matched at once.
async fn create(
    state: &AppState,
    session: &mut Session,
    person: Person,
    kind: RecordKind,
    fields: Map<String, Value>,
    account: AccountChoice,
) -> Result<HttpResponse, ApiError> {
    let sobject = match kind {
        RecordKind::Contact => "Contact",
        RecordKind::Lead => "Lead",
    };
    let id = records::create(session, sobject, fields).await?;
    state.matches.forget(session.org_id(), &person.email).await;
    Ok(HttpResponse::Created().json(view(person, Some(id), Some(kind), account)))
}
