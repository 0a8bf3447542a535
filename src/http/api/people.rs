//! `POST /api/v1/contacts` and `POST /api/v1/leads`: a missing attendee created in Salesforce
//! from what Outlook knows (names from the display name, company from the address's domain),
//! a new Contact under the Account the rule finds; and `POST /api/v1/people/preview`, which
//! shows the same choices before anything is saved. A duplicate rule's rejection is a 409
//! naming the record that already exists.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use crate::graph::contacts::ContactCard;
use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::matching::{EmailAddress, RecordKind};
use crate::people::{self, AccountChoice};
use crate::salesforce::records;
use crate::salesforce::session::Session;
use crate::state::AppState;
use crate::sync::context::Mailbox;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/contacts", web::post().to(create_contact))
        .route("/leads", web::post().to(create_lead))
        .route("/people/preview", web::post().to(preview));
}

/// An attendee to create, as the pane has it; the names and company default to what the
/// display name and the address give.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonIn {
    #[schema(example = "jane.doe@acme.example")]
    email: String,
    /// The display name Outlook shows.
    #[schema(example = "Jane Doe")]
    name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    /// The company: the Account rule's input for a Contact, the `Company` of a Lead.
    company: Option<String>,
    /// The Account the rep picked for a Contact, used instead of the rule's (a Lead has none).
    #[schema(example = "001000000000001AAA")]
    account_id: Option<String>,
}

/// Where a new record's names came from, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NamesFrom {
    /// The rep typed them (or kept what the pane proposed).
    Form,
    /// The rep's own Outlook contact for the address.
    OutlookContact,
    /// The display name Outlook shows for the attendee.
    DisplayName,
    /// The address's local part (`jane.doe`), for want of anything better.
    Address,
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

/// Field limits of Contact and Lead (Salesforce's standard field lengths).
const LIMITS: [(&str, usize); 4] = [
    ("first_name", 40),
    ("last_name", 80),
    ("company", 255),
    ("email", 80),
];

struct Person {
    email: EmailAddress,
    first: Option<String>,
    last: String,
    company: Option<String>,
    names_from: NamesFrom,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Whether the names can be bettered: the rep typed no last name, and the display name is not
/// a first and last name (missing, one word such as "Nadia", or the address itself).
fn names_unsure(body: &PersonIn) -> bool {
    let display_words = body
        .name
        .as_deref()
        .filter(|n| !n.contains('@'))
        .map_or(0, |n| n.split_whitespace().count());
    given(&body.last_name).is_none() && display_words < 2
}

/// The email address of the body, checked.
fn email_of(body: &PersonIn) -> Result<EmailAddress, ApiError> {
    EmailAddress::parse(&body.email).map_err(|p| ApiError::invalid("email", p))
}

/// The person to write: what the rep typed, else the rep's Outlook contact for the address
/// (`card`), else what the display name or the address give.
fn person(body: &PersonIn, card: Option<&ContactCard>) -> Result<Person, ApiError> {
    let email = email_of(body)?;
    let derived = people::name_from(body.name.as_deref(), &email);
    let from_card = |value: Option<&String>| {
        value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let card_last = card.and_then(|c| from_card(c.surname.as_ref()));
    let names_from = if given(&body.last_name).is_some() {
        NamesFrom::Form
    } else if card_last.is_some() {
        NamesFrom::OutlookContact
    } else if body
        .name
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty() && !n.contains('@'))
    {
        NamesFrom::DisplayName
    } else {
        NamesFrom::Address
    };
    let (first, last) = match (given(&body.last_name), card_last) {
        (Some(last), _) => (
            given(&body.first_name).map(str::to_string),
            last.to_string(),
        ),
        (None, Some(last)) => (
            given(&body.first_name)
                .map(str::to_string)
                .or_else(|| card.and_then(|c| from_card(c.given_name.as_ref()))),
            last,
        ),
        (None, None) => (
            given(&body.first_name)
                .map(str::to_string)
                .or(derived.first),
            derived.last,
        ),
    };
    let company = given(&body.company)
        .map(str::to_string)
        .or_else(|| card.and_then(|c| from_card(c.company_name.as_ref())))
        .or_else(|| people::company_from(&email));
    for (field, max) in LIMITS {
        let value = match field {
            "first_name" => first.as_deref(),
            "last_name" => Some(last.as_str()),
            "company" => company.as_deref(),
            _ => Some(email.as_str()),
        };
        if value.is_some_and(|v| v.chars().count() > max) {
            return Err(ApiError::invalid(
                field,
                format!("at most {max} characters"),
            ));
        }
    }
    if last.is_empty() {
        return Err(ApiError::invalid("last_name", "a last name is required"));
    }
    Ok(Person {
        email,
        first,
        last,
        company,
        names_from,
    })
}

/// The rep's Outlook contact for the address, when the names are unsure and the rep's mailbox
/// can be read (its contacts need Contacts.Read). Anything else is no card: the guess stands.
async fn contact_card(state: &AppState, rep: &Rep, body: &PersonIn) -> Option<ContactCard> {
    if !names_unsure(body) {
        return None;
    }
    let email = email_of(body).ok()?;
    let Ok(Mailbox::Open(token)) = crate::sync::context::mailbox(state, &rep.user).await else {
        return None;
    };
    match state.graph.contact_card(&token, &email).await {
        Ok(card) => card,
        Err(error) => {
            tracing::info!(error = %error, "the rep's Outlook contacts were not read for a name");
            None
        }
    }
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
