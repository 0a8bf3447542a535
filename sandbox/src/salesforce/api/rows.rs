//! `/sobjects`: the global describe, an object's basic information and describe, and its
//! rows by Id or by external id (create, read, update, upsert, delete).

use serde_json::{Map, Value as Json, json};

use super::{Call, Env, Reply, method_not_allowed, object_body};
use crate::salesforce::dml::{RecordError, UpsertFailure};
use crate::salesforce::store::Record;
use crate::salesforce::values::{Value, format_datetime};

pub fn sobjects(env: &mut Env<'_>, call: &Call<'_>) -> Reply {
    let version = call.version;
    match (call.method, call.path.as_slice()) {
        ("GET", ["sobjects"]) => Reply::ok(json!({
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": env.org.schema.objects().iter().map(|o| o.summary(version)).collect::<Vec<_>>(),
        })),
        (_, ["sobjects"]) => method_not_allowed(call.method, "GET,HEAD"),
        (method, ["sobjects", sobject]) => match env.org.object(sobject) {
            None => Reply::not_found(),
            Some(object) if method == "GET" => Reply::ok(json!({
                "objectDescribe": object.summary(version),
                "recentItems": [],
            })),
            Some(_) if method == "POST" => create(env, call, sobject),
            Some(_) => method_not_allowed(method, "GET,HEAD,POST"),
        },
        ("GET", ["sobjects", sobject, "describe"]) => match env.org.object(sobject) {
            Some(object) => Reply::ok(object.describe(version, env.org.schema.objects())),
            None => Reply::not_found(),
        },
        (method, ["sobjects", sobject, id]) => match method {
            "GET" | "HEAD" => read(env, call, sobject, id),
            "PATCH" => match object_body(call) {
                Ok(body) => update(env, call, sobject, id, &body),
                Err(reply) => reply,
            },
            "DELETE" => match env.ctx().delete(Some(sobject), id) {
                Ok(()) => Reply::no_content(),
                Err(errors) => Reply::record_errors(&errors),
            },
            _ => method_not_allowed(method, "GET,PATCH,DELETE,HEAD"),
        },
        (method, ["sobjects", sobject, field, value]) => {
            by_external_id(env, call, method, sobject, field, value)
        }
        _ => Reply::not_found(),
    }
}

fn create(env: &mut Env<'_>, call: &Call<'_>, sobject: &str) -> Reply {
    let body = match object_body(call) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    if body.keys().any(|k| k.eq_ignore_ascii_case("Id")) {
        return Reply::error(
            400,
            "INVALID_FIELD",
            "Id: cannot specify Id in an insert call",
        );
    }
    match env.ctx().create(sobject, &body) {
        Ok(id) => Reply::with(201, json!({ "id": id, "success": true, "errors": [] })),
        Err(errors) => Reply::record_errors(&errors),
    }
}

fn read(env: &Env<'_>, call: &Call<'_>, sobject: &str, id: &str) -> Reply {
    let Some(record) = env
        .org
        .record(id)
        .filter(|r| r.sobject.eq_ignore_ascii_case(sobject))
    else {
        return Reply::not_found();
    };
    if record.deleted.is_some() {
        return Reply::record_errors(&[RecordError::deleted()]);
    }
    if let (Some(since), Value::DateTime(modified)) = (
        call.headers.if_modified_since,
        record.get("LastModifiedDate"),
    ) && *modified <= since
    {
        return Reply {
            status: 304,
            body: None,
            location: None,
        };
    }
    match render_row(env, record, call.param("fields"), call.version) {
        Ok(json) => Reply::ok(json),
        Err(reply) => reply,
    }
}

/// A row as `GET /sobjects/{type}/{id}` returns it: every field, or those in `fields`.
pub fn render_row(
    env: &Env<'_>,
    record: &Record,
    fields: Option<&str>,
    version: &str,
) -> Result<Json, Reply> {
    let object = env
        .org
        .object(&record.sobject)
        .ok_or_else(Reply::not_found)?;
    let mut out = Map::new();
    out.insert(
        "attributes".into(),
        json!({ "type": record.sobject, "url": record.url(version) }),
    );
    let names: Vec<&str> = match fields {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect(),
        None => object.fields.iter().map(|f| f.name.as_str()).collect(),
    };
    for name in names {
        let field = object.field(name).ok_or_else(|| {
            Reply::error(
                400,
                "INVALID_FIELD",
                &format!("No such column '{name}' on sobject of type {}", object.name),
            )
        })?;
        out.insert(field.name.clone(), record.get(&field.name).to_json());
    }
    Ok(Json::Object(out))
}

fn update(
    env: &mut Env<'_>,
    call: &Call<'_>,
    sobject: &str,
    id: &str,
    body: &Map<String, Json>,
) -> Reply {
    if let Some(since) = call.headers.if_unmodified_since {
        let modified = env
            .org
            .record(id)
            .map(|r| r.get("LastModifiedDate").clone());
        if let Some(Value::DateTime(modified)) = modified
            && modified > since
        {
            return Reply::error(
                412,
                "PRECONDITION_FAILED",
                &format!(
                    "The requested resource was modified after {}",
                    format_datetime(since)
                ),
            );
        }
    }
    match env.ctx().update(Some(sobject), id, body) {
        Ok(()) => Reply::no_content(),
        Err(errors) => Reply::record_errors(&errors),
    }
}

fn by_external_id(
    env: &mut Env<'_>,
    call: &Call<'_>,
    method: &str,
    sobject: &str,
    field: &str,
    value: &str,
) -> Reply {
    match method {
        "PATCH" | "POST" => {
            let body = match object_body(call) {
                Ok(body) => body,
                Err(reply) => return reply,
            };
            let update_only = call.param("updateOnly") == Some("true");
            match env.ctx().upsert(sobject, field, value, update_only, &body) {
                Ok((id, true)) => Reply::with(
                    201,
                    json!({ "id": id, "success": true, "errors": [], "created": true }),
                ),
                Ok((_, false)) if call.major_version() < 46 => Reply::no_content(),
                Ok((id, false)) => {
                    Reply::ok(json!({ "id": id, "success": true, "errors": [], "created": false }))
                }
                Err(UpsertFailure::Multiple(ids)) => multiple_choices(sobject, &ids, call.version),
                Err(UpsertFailure::Errors(errors)) => Reply::record_errors(&errors),
            }
        }
        "GET" | "DELETE" => {
            let matches = match find_by_external_id(env, sobject, field, value) {
                Ok(matches) => matches,
                Err(reply) => return reply,
            };
            match matches.as_slice() {
                [] => Reply::not_found(),
                [id] if method == "GET" => {
                    let Some(record) = env.org.record(id) else {
                        return Reply::not_found();
                    };
                    match render_row(env, record, call.param("fields"), call.version) {
                        Ok(json) => Reply::ok(json),
                        Err(reply) => reply,
                    }
                }
                [id] => match env.ctx().delete(Some(sobject), &id.clone()) {
                    Ok(()) => Reply::no_content(),
                    Err(errors) => Reply::record_errors(&errors),
                },
                many => multiple_choices(sobject, many, call.version),
            }
        }
        _ => method_not_allowed(method, "GET,PATCH,DELETE,HEAD"),
    }
}

fn find_by_external_id(
    env: &Env<'_>,
    sobject: &str,
    field: &str,
    value: &str,
) -> Result<Vec<String>, Reply> {
    let object = env.org.object(sobject).ok_or_else(Reply::not_found)?;
    let field = object
        .field(field)
        .filter(|f| f.external_id)
        .ok_or_else(|| {
            Reply::error(
                404,
                "NOT_FOUND",
                &format!("Provided external ID field does not exist or is not accessible: {field}"),
            )
        })?;
    Ok(env
        .org
        .rows(&object.name)
        .filter(|r| {
            r.deleted.is_none()
                && r.text(&field.name)
                    .is_some_and(|v| v.eq_ignore_ascii_case(value))
        })
        .map(|r| r.id.clone())
        .collect())
}

/// 300: the value matches several records; their URLs.
fn multiple_choices(sobject: &str, ids: &[String], version: &str) -> Reply {
    Reply::with(
        300,
        ids.iter()
            .map(|id| json!(format!("/services/data/v{version}/sobjects/{sobject}/{id}")))
            .collect(),
    )
}
