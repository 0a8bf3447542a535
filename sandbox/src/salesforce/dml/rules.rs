//! What Salesforce checks and fills in on every save: required fields, names, case numbers,
//! and the activity rules (in `activities`).

use super::{Ctx, Errors, Mode, RecordError, activities};
use crate::salesforce::schema::SObject;
use crate::salesforce::store::Record;
use crate::salesforce::values::Value;

pub fn complete(
    ctx: &mut Ctx<'_>,
    object: &SObject,
    record: &mut Record,
    changed: &[String],
    mode: Mode,
) -> Result<(), Errors> {
    let missing: Vec<String> = object
        .fields
        .iter()
        .filter(|f| f.required && record.get(&f.name).is_null())
        .filter(|f| mode == Mode::Create || changed.contains(&f.name))
        .map(|f| f.name.clone())
        .collect();
    if !missing.is_empty() {
        let mut error = RecordError::new(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{}]", missing.join(", ")),
        );
        error.fields = missing;
        return Err(vec![error]);
    }
    match object.name.as_str() {
        "Contact" | "Lead" | "User" => {
            let name = [record.text("FirstName"), record.text("LastName")]
                .into_iter()
                .flatten()
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            record.fields.insert("Name".into(), Value::Text(name));
        }
        "Case" if mode == Mode::Create => {
            ctx.org.case_numbers += 1;
            record.fields.insert(
                "CaseNumber".into(),
                Value::Text(format!("{:08}", ctx.org.case_numbers)),
            );
        }
        "Event" => activities::complete_event(ctx.org, record, changed, mode)?,
        "EventRelation" if mode == Mode::Create => activities::check_relation(ctx.org, record)?,
        _ => {}
    }
    Ok(())
}
