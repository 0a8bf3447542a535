//! sObject Collections (`composite/sobjects`): create, update, upsert and delete up to 200
//! records, and retrieve by Ids. The answer is 200 with a SaveResult per record even when some
//! fail; with `allOrNone` a failure rolls every record back.

use serde_json::{Map, Value as Json, json};

use super::rows::render_row;
use super::{Call, Env, Reply, Within, method_not_allowed};
use crate::salesforce::dml::{RecordError, UpsertFailure};

const MAX_RECORDS: usize = 200;

/// One record's outcome.
struct Saved {
    id: Option<String>,
    created: Option<bool>,
    errors: Vec<RecordError>,
}

impl Saved {
    fn json(&self) -> Json {
        let mut out = Map::new();
        if let Some(id) = &self.id {
            out.insert("id".into(), json!(id));
        }
        out.insert("success".into(), json!(self.errors.is_empty()));
        out.insert(
            "errors".into(),
            self.errors
                .iter()
                .map(RecordError::save_result_json)
                .collect(),
        );
        if let Some(created) = self.created {
            out.insert("created".into(), json!(created));
        }
        Json::Object(out)
    }
}

fn too_many() -> Reply {
    Reply::error(
        400,
        "EXCEEDED_ID_LIMIT",
        "record limit reached. cannot submit more than 200 records into this call",
    )
}

/// Inside a Composite, a Collections subrequest keeps its own `allOrNone`: with the Composite's
/// `allOrNone: true` and its own `false`, its answer shows each record as it was saved (the
/// good ones with their Id) although the Composite then rolls everything back (Salesforce's
/// "allOrNone Parameters in Composite and Collections Requests"): an Id a client must not keep.
pub fn collections(env: &mut Env<'_>, call: &Call<'_>, _within: Within) -> Reply {
    match (call.method, &call.path[2..]) {
        ("POST" | "PATCH", []) => {
            let (all_or_none, records) = match records(call) {
                Ok((all_or_none, records)) => (all_or_none, records),
                Err(reply) => return reply,
            };
            let creating = call.method == "POST";
            apply(env, all_or_none, &records, |env, record| {
                write(env, record, creating)
            })
        }
        ("PATCH", [sobject, field]) => {
            let (all_or_none, records) = match records(call) {
                Ok((all_or_none, records)) => (all_or_none, records),
                Err(reply) => return reply,
            };
            apply(env, all_or_none, &records, |env, record| {
                upsert(env, sobject, field, record)
            })
        }
        ("DELETE", []) => {
            let ids: Vec<String> = call
                .param("ids")
                .map(|ids| {
                    ids.split(',')
                        .filter(|id| !id.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            if ids.is_empty() {
                return Reply::error(400, "REQUIRED_FIELD_MISSING", "At least 1 Id is required.");
            }
            if ids.len() > MAX_RECORDS {
                return too_many();
            }
            let all_or_none = call.param("allOrNone") == Some("true");
            let items: Vec<Json> = ids.into_iter().map(Json::String).collect();
            apply(env, all_or_none, &items, |env, id| {
                let id = id.as_str().unwrap_or_default().to_string();
                let errors = env.ctx().delete(None, &id).err().unwrap_or_default();
                Saved {
                    id: Some(id),
                    created: None,
                    errors,
                }
            })
        }
        ("GET" | "POST", [sobject]) => retrieve(env, call, sobject),
        _ => method_not_allowed(call.method, "GET,POST,PATCH,DELETE"),
    }
}

/// `{"allOrNone": bool, "records": [...]}`, checked.
fn records(call: &Call<'_>) -> Result<(bool, Vec<Json>), Reply> {
    let body = call.body.clone().unwrap_or(Json::Null);
    let Some(records) = body["records"].as_array() else {
        return Err(Reply::error(
            400,
            "JSON_PARSER_ERROR",
            "The request body must have a records array",
        ));
    };
    if records.len() > MAX_RECORDS {
        return Err(too_many());
    }
    Ok((
        body["allOrNone"].as_bool().unwrap_or(false),
        records.clone(),
    ))
}

/// Runs `one` on each item; with `all_or_none`, a failure undoes the whole call.
fn apply(
    env: &mut Env<'_>,
    all_or_none: bool,
    items: &[Json],
    mut one: impl FnMut(&mut Env<'_>, &Json) -> Saved,
) -> Reply {
    let before = all_or_none.then(|| env.org.tables.clone());
    let mut saved: Vec<Saved> = items.iter().map(|item| one(env, item)).collect();
    if let Some(before) = before
        && saved.iter().any(|s| !s.errors.is_empty())
    {
        env.org.tables = before;
        for result in saved.iter_mut().filter(|s| s.errors.is_empty()) {
            result.id = None;
            result.created = None;
            result.errors = vec![RecordError::new(
                "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "Record rolled back because not all records were valid and the request was using AllOrNone header",
            )];
        }
    }
    Reply::ok(saved.iter().map(Saved::json).collect())
}

fn fields_of(record: &Json) -> (Option<String>, Map<String, Json>) {
    let mut body = record.as_object().cloned().unwrap_or_default();
    let sobject = body
        .remove("attributes")
        .and_then(|a| a["type"].as_str().map(str::to_string));
    (sobject, body)
}

fn write(env: &mut Env<'_>, record: &Json, creating: bool) -> Saved {
    let (sobject, mut body) = fields_of(record);
    let id = body
        .keys()
        .find(|k| k.eq_ignore_ascii_case("id"))
        .cloned()
        .and_then(|key| body.remove(&key))
        .and_then(|id| id.as_str().map(str::to_string));
    let Some(sobject) = sobject else {
        let error = RecordError::new("INVALID_TYPE", "Must send a concrete entity type.");
        return Saved {
            id,
            created: None,
            errors: vec![error],
        };
    };
    let result = match (creating, &id) {
        (true, Some(_)) => Err(vec![RecordError::new(
            "INVALID_FIELD",
            "cannot specify Id in an insert call",
        )]),
        (true, None) => env.ctx().create(&sobject, &body).map(Some),
        (false, None) => Err(vec![RecordError::new(
            "MISSING_ARGUMENT",
            "Id not specified in an update call",
        )]),
        (false, Some(id)) => env.ctx().update(Some(&sobject), id, &body).map(|()| None),
    };
    match result {
        Ok(new_id) => Saved {
            id: new_id.or(id),
            created: None,
            errors: Vec::new(),
        },
        Err(errors) => Saved {
            id: if creating { None } else { id },
            created: None,
            errors,
        },
    }
}

fn upsert(env: &mut Env<'_>, sobject: &str, field: &str, record: &Json) -> Saved {
    let (_, body) = fields_of(record);
    let value = body
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(field))
        .and_then(|(_, v)| v.as_str().map(str::to_string));
    let Some(value) = value else {
        let error = RecordError::new("MISSING_ARGUMENT", format!("{field} not specified"));
        return Saved {
            id: None,
            created: None,
            errors: vec![error],
        };
    };
    match env.ctx().upsert(sobject, field, &value, false, &body) {
        Ok((id, created)) => Saved {
            id: Some(id),
            created: Some(created),
            errors: Vec::new(),
        },
        Err(UpsertFailure::Multiple(ids)) => Saved {
            id: None,
            created: None,
            errors: vec![RecordError::new(
                "DUPLICATE_EXTERNAL_ID",
                format!("{field}: more than one record found for external id field: {ids:?}"),
            )],
        },
        Err(UpsertFailure::Errors(errors)) => Saved {
            id: None,
            created: None,
            errors,
        },
    }
}

/// `GET composite/sobjects/{type}?ids=&fields=` (or the same as a POST body): the records in
/// Id order, `null` where an Id finds none.
fn retrieve(env: &Env<'_>, call: &Call<'_>, sobject: &str) -> Reply {
    let body = call.body.clone().unwrap_or(Json::Null);
    let list = |key: &str| -> Vec<String> {
        match call.param(key) {
            Some(value) => value.split(',').map(str::to_string).collect(),
            None => body[key]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        }
    };
    let (ids, fields) = (list("ids"), list("fields"));
    if ids.is_empty() || fields.is_empty() {
        return Reply::error(400, "MISSING_ARGUMENT", "ids and fields are required");
    }
    if ids.len() > 2000 {
        return too_many();
    }
    let fields = fields.join(",");
    let mut out = Vec::new();
    for id in &ids {
        let record = env
            .org
            .live(id)
            .filter(|r| r.sobject.eq_ignore_ascii_case(sobject));
        match record {
            Some(record) => match render_row(env, record, Some(&fields), call.version) {
                Ok(json) => out.push(json),
                Err(reply) => return reply,
            },
            None => out.push(Json::Null),
        }
    }
    Reply::ok(Json::Array(out))
}
