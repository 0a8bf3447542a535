//! Who a new Contact or Lead is: what the rep typed, else the rep's own Outlook contact for the
//! address, else what the display name or the address give; checked against Salesforce's field
//! lengths.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::graph::contacts::ContactCard;
use crate::http::error::ApiError;
use crate::http::extract::Rep;
use crate::matching::EmailAddress;
use crate::people;
use crate::state::AppState;
use crate::sync::context::Mailbox;

/// An attendee to create, as the pane has it; the names and company default to what the
/// display name and the address give.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonIn {
    #[schema(example = "jane.doe@acme.example")]
    pub(super) email: String,
    /// The display name Outlook shows.
    #[schema(example = "Jane Doe")]
    pub(super) name: Option<String>,
    pub(super) first_name: Option<String>,
    pub(super) last_name: Option<String>,
    /// The company: the Account rule's input for a Contact, the `Company` of a Lead.
    pub(super) company: Option<String>,
    /// The Account the rep picked for a Contact, used instead of the rule's (a Lead has none).
    #[schema(example = "001000000000001AAA")]
    pub(super) account_id: Option<String>,
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

/// Field limits of Contact and Lead (Salesforce's standard field lengths).
const LIMITS: [(&str, usize); 4] = [
    ("first_name", 40),
    ("last_name", 80),
    ("company", 255),
    ("email", 80),
];

pub(super) struct Person {
    pub(super) email: EmailAddress,
    pub(super) first: Option<String>,
    pub(super) last: String,
    pub(super) company: Option<String>,
    pub(super) names_from: NamesFrom,
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
pub(super) fn person(body: &PersonIn, card: Option<&ContactCard>) -> Result<Person, ApiError> {
    let email = email_of(body)?;
    let trimmed = |value: &Option<String>| given(value).map(str::to_string);
    let typed_first = trimmed(&body.first_name);
    let card_names = card.and_then(|c| Some((trimmed(&c.surname)?, trimmed(&c.given_name))));
    let (first, last, names_from) = match (given(&body.last_name), card_names) {
        (Some(last), _) => (typed_first, last.to_string(), NamesFrom::Form),
        (None, Some((last, first))) => (typed_first.or(first), last, NamesFrom::OutlookContact),
        (None, None) => {
            let derived = people::name_from(body.name.as_deref(), &email);
            let from = if derived.from_display_name {
                NamesFrom::DisplayName
            } else {
                NamesFrom::Address
            };
            (typed_first.or(derived.first), derived.last, from)
        }
    };
    let company = trimmed(&body.company)
        .or_else(|| card.and_then(|c| trimmed(&c.company_name)))
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
pub(super) async fn contact_card(
    state: &AppState,
    rep: &Rep,
    body: &PersonIn,
) -> Option<ContactCard> {
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
