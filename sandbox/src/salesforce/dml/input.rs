//! A request body's fields turned into typed values, with the errors Salesforce gives for
//! unknown fields, fields the caller may not write, wrong JSON types, values too long,
//! malformed emails and references to records that do not exist.

use serde_json::{Map, Value as Json};

use super::{Errors, RecordError};
use crate::salesforce::schema::{Access, Field, Kind, SObject, TextFlavor};
use crate::salesforce::store::{OrgData, normalize_id};
use crate::salesforce::values::{Value, parse_date, parse_datetime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Update,
}

/// The body's fields as (canonical name, value), in body order.
pub fn parse(
    object: &SObject,
    org: &OrgData,
    body: &Map<String, Json>,
    mode: Mode,
) -> Result<Vec<(String, Value)>, Errors> {
    let mut values = Vec::new();
    let mut locked = Vec::new();
    for (key, json) in body {
        if key == "attributes" {
            continue;
        }
        let field = object.field(key).ok_or_else(|| {
            vec![RecordError::new(
                "INVALID_FIELD",
                format!("No such column '{key}' on sobject of type {}", object.name),
            )]
        })?;
        let writable = match (field.access, mode) {
            (Access::ReadWrite, _) | (Access::CreateOnly, Mode::Create) => true,
            (Access::ReadOnly, _) | (Access::CreateOnly, Mode::Update) => false,
        };
        if !writable {
            // An update may repeat the record's own Id.
            if !(field.name == "Id" && mode == Mode::Update) {
                locked.push(field.name.clone());
            }
            continue;
        }
        values.push((field.name.clone(), value(field, org, json)?));
    }
    if !locked.is_empty() {
        let mut error = RecordError::new(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            format!(
                "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                locked.join(", ")
            ),
        );
        error.fields = locked;
        return Err(vec![error]);
    }
    Ok(values)
}

fn value(field: &Field, org: &OrgData, json: &Json) -> Result<Value, Errors> {
    if json.is_null() {
        return Ok(Value::Null);
    }
    let wrong_type = |expected: &str| {
        vec![RecordError::new(
            "JSON_PARSER_ERROR",
            format!(
                "Cannot deserialize instance of {expected} from {} value {json} or request may be missing a required field",
                token(json)
            ),
        )]
    };
    let text = || json.as_str().ok_or_else(|| wrong_type("string"));
    Ok(match &field.kind {
        Kind::Id => Value::text(text()?),
        Kind::Text { flavor, length } => {
            let s = text()?;
            if s.chars().count() > *length as usize {
                return Err(vec![
                    RecordError::new(
                        "STRING_TOO_LONG",
                        format!(
                            "{}: data value too large: {s} (max length={length})",
                            field.label
                        ),
                    )
                    .on(&field.name),
                ]);
            }
            if *flavor == TextFlavor::Email && !s.is_empty() && !plausible_email(s) {
                return Err(vec![
                    RecordError::new(
                        "INVALID_EMAIL_ADDRESS",
                        format!("{}: invalid email address: {s}", field.label),
                    )
                    .on(&field.name),
                ]);
            }
            Value::text(s)
        }
        Kind::Picklist { .. } => Value::text(text()?),
        Kind::Boolean => Value::Bool(json.as_bool().ok_or_else(|| wrong_type("boolean"))?),
        Kind::Int => Value::Int(json.as_i64().ok_or_else(|| wrong_type("int"))?),
        Kind::Double | Kind::Currency => {
            Value::Number(json.as_f64().ok_or_else(|| wrong_type("double"))?)
        }
        Kind::Date => Value::Date(parse_date(text()?).ok_or_else(|| wrong_type("date"))?),
        Kind::DateTime => {
            Value::DateTime(parse_datetime(text()?).ok_or_else(|| wrong_type("datetime"))?)
        }
        Kind::Reference { to, .. } => Value::text(reference(field, org, to, text()?)?),
        Kind::JunctionIdList => {
            let items = json
                .as_array()
                .ok_or_else(|| wrong_type("JunctionIdList"))?;
            let mut ids = Vec::new();
            for item in items {
                let id = item.as_str().ok_or_else(|| wrong_type("string"))?;
                ids.push(reference(
                    field,
                    org,
                    &["Contact".into(), "Lead".into()],
                    id,
                )?);
            }
            Value::Ids(ids)
        }
    })
}

/// The 18-character Id of an existing record of one of the `to` types.
fn reference(field: &Field, org: &OrgData, to: &[String], id: &str) -> Result<String, Errors> {
    let incorrect = |code| {
        vec![
            RecordError::new(
                code,
                format!("{}: id value of incorrect type: {id}", field.label),
            )
            .on(&field.name),
        ]
    };
    let id18 = normalize_id(id).ok_or_else(|| incorrect("MALFORMED_ID"))?;
    let object = org
        .schema
        .by_id(&id18)
        .ok_or_else(|| incorrect("MALFORMED_ID"))?;
    if !to.iter().any(|t| t == &object.name) {
        return Err(incorrect("FIELD_INTEGRITY_EXCEPTION"));
    }
    if org.live(&id18).is_none() {
        return Err(vec![
            RecordError::new("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
                .on(&field.name),
        ]);
    }
    Ok(id18)
}

fn token(json: &Json) -> &'static str {
    match json {
        Json::Bool(_) => "VALUE_TRUE",
        Json::Number(_) => "VALUE_NUMBER_INT",
        Json::String(_) => "VALUE_STRING",
        Json::Array(_) => "START_ARRAY",
        Json::Object(_) => "START_OBJECT",
        Json::Null => "VALUE_NULL",
    }
}

fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
        && !domain.contains('@')
}
