//! `query` and `queryAll` with `nextRecordsUrl` paging, `search` (SOSL) and
//! `parameterizedSearch`.

use serde_json::{Value as Json, json};

use super::{Call, Env, Reply, method_not_allowed};
use crate::salesforce::soql::{self, Item, Outcome, QueryError};
use crate::salesforce::sosl::{self, Scope, Search};
use crate::salesforce::store::Cursor;

/// Open cursors kept per org; older ones are dropped, as Salesforce drops a user's oldest.
const MAX_CURSORS: usize = 50;
const DEFAULT_BATCH: usize = 2000;
/// Salesforce refuses a longer statement ("Maximum length of SOQL statements: by default,
/// 100,000 characters", SOQL and SOSL limits), with this code and message.
const MAX_SOQL_CHARS: usize = 100_000;

fn refused(error: QueryError) -> Reply {
    Reply::error(400, error.code, &error.message)
}

pub fn query(env: &mut Env<'_>, call: &Call<'_>) -> Reply {
    if call.method != "GET" {
        return method_not_allowed(call.method, "GET,HEAD");
    }
    let all = call.path[0] == "queryAll";
    match call.path.as_slice() {
        [_, locator] => next_page(env, call, locator),
        [_] => {
            let Some(text) = call.param("q") else {
                return Reply::error(400, "MALFORMED_QUERY", "A query string has to be specified");
            };
            if text.chars().count() > MAX_SOQL_CHARS {
                return Reply::error(
                    400,
                    "MALFORMED_QUERY",
                    "SOQL statements can not be longer than 100000 characters",
                );
            }
            let mut parsed = match soql::parse(text, env.now.date_naive()) {
                Ok(parsed) => parsed,
                Err(error) => return refused(error),
            };
            if parsed.all_rows && !all {
                return Reply::error(
                    400,
                    "MALFORMED_QUERY",
                    "ALL ROWS not allowed in this context",
                );
            }
            parsed.all_rows |= all;
            match soql::run(env.org, &parsed, call.version, &|_| true) {
                Ok(Outcome::Count(n)) => {
                    Reply::ok(json!({ "totalSize": n, "done": true, "records": [] }))
                }
                Ok(Outcome::Records(records)) => {
                    let batch = call
                        .headers
                        .batch_size
                        .unwrap_or(DEFAULT_BATCH)
                        .clamp(200, DEFAULT_BATCH);
                    first_page(env, call.version, records, batch)
                }
                Err(error) => refused(error),
            }
        }
        _ => Reply::not_found(),
    }
}

fn first_page(env: &mut Env<'_>, version: &str, records: Vec<Json>, batch: usize) -> Reply {
    let total = records.len();
    if total <= batch {
        return Reply::ok(json!({ "totalSize": total, "done": true, "records": records }));
    }
    let locator = env.org.new_cursor_id(env.ids);
    let page: Vec<Json> = records[..batch].to_vec();
    while env.org.cursors.len() >= MAX_CURSORS {
        if env.org.cursors.pop_first().is_none() {
            break;
        }
    }
    env.org.cursors.insert(
        locator.clone(),
        Cursor {
            records,
            batch_size: batch,
        },
    );
    Reply::ok(json!({
        "totalSize": total,
        "done": false,
        "nextRecordsUrl": format!("/services/data/v{version}/query/{locator}-{batch}"),
        "records": page,
    }))
}

fn next_page(env: &mut Env<'_>, call: &Call<'_>, locator: &str) -> Reply {
    let invalid = || Reply::error(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
    let Some((id, offset)) = locator.rsplit_once('-') else {
        return invalid();
    };
    let Ok(offset) = offset.parse::<usize>() else {
        return invalid();
    };
    let Some(cursor) = env.org.cursors.get(id) else {
        return invalid();
    };
    let total = cursor.records.len();
    if offset >= total {
        return invalid();
    }
    let end = (offset + cursor.batch_size).min(total);
    let page = cursor.records[offset..end].to_vec();
    if end == total {
        env.org.cursors.remove(id);
        return Reply::ok(json!({ "totalSize": total, "done": true, "records": page }));
    }
    Reply::ok(json!({
        "totalSize": total,
        "done": false,
        "nextRecordsUrl": format!("/services/data/v{}/query/{id}-{end}", call.version),
        "records": page,
    }))
}

pub fn search(env: &mut Env<'_>, call: &Call<'_>) -> Reply {
    if call.method != "GET" {
        return method_not_allowed(call.method, "GET,HEAD");
    }
    let Some(text) = call.param("q") else {
        return Reply::error(
            400,
            "MALFORMED_SEARCH",
            "No search term found. The search term must be enclosed in braces.",
        );
    };
    match sosl::parse(text, env.now.date_naive()) {
        Ok(parsed) => found(env, call, &parsed),
        Err(error) => refused(error),
    }
}

fn found(env: &Env<'_>, call: &Call<'_>, search: &Search) -> Reply {
    let indexed_before = env.now - env.org.search_lag;
    match sosl::run(env.org, search, call.version, indexed_before) {
        // Before v37.0 the answer was the bare array.
        Ok(records) if call.major_version() < 37 => Reply::ok(Json::Array(records)),
        Ok(records) => Reply::ok(json!({ "searchRecords": records })),
        Err(error) => refused(error),
    }
}

/// `parameterizedSearch`: the query string form (`q`, `in`, `sobject`, `{Object}.fields`,
/// `{Object}.limit`, `{Object}.where`, `fields`, `defaultLimit`, `overallLimit`) or the JSON
/// body form (`q`, `in`, `fields`, `sobjects[{name, fields, limit, where}]`, ...).
pub fn parameterized_search(env: &mut Env<'_>, call: &Call<'_>) -> Reply {
    let spec = match call.method {
        "GET" => from_query(call),
        "POST" => from_body(call),
        other => return method_not_allowed(other, "GET,POST"),
    };
    match spec.and_then(|spec| spec.into_search(env.now.date_naive())) {
        Ok(search) => found(env, call, &search),
        Err(error) => refused(error),
    }
}

struct ObjectSpec {
    name: String,
    fields: Option<String>,
    limit: Option<usize>,
    filter: Option<String>,
}

struct SearchSpec {
    q: String,
    scope: String,
    fields: Option<String>,
    default_limit: Option<usize>,
    overall_limit: Option<usize>,
    objects: Vec<ObjectSpec>,
}

fn missing_q() -> QueryError {
    QueryError {
        code: "MISSING_ARGUMENT",
        message: "Missing required parameter: q".into(),
    }
}

fn from_query(call: &Call<'_>) -> Result<SearchSpec, QueryError> {
    let number = |key: &str| call.param(key).and_then(|v| v.parse().ok());
    let objects = call
        .query
        .iter()
        .filter(|(key, _)| key == "sobject")
        .map(|(_, name)| ObjectSpec {
            name: name.clone(),
            fields: call.param(&format!("{name}.fields")).map(str::to_string),
            limit: number(&format!("{name}.limit")),
            filter: call.param(&format!("{name}.where")).map(str::to_string),
        })
        .collect();
    Ok(SearchSpec {
        q: call.param("q").ok_or_else(missing_q)?.to_string(),
        scope: call.param("in").unwrap_or("ALL").to_string(),
        fields: call.param("fields").map(str::to_string),
        default_limit: number("defaultLimit"),
        overall_limit: number("overallLimit"),
        objects,
    })
}

fn from_body(call: &Call<'_>) -> Result<SearchSpec, QueryError> {
    let body = call.body.clone().unwrap_or(Json::Null);
    let text = |value: &Json| value.as_str().map(str::to_string);
    let list = |value: &Json| match value {
        Json::Array(items) => Some(
            items
                .iter()
                .filter_map(Json::as_str)
                .collect::<Vec<_>>()
                .join(","),
        ),
        _ => None,
    };
    let number = |value: &Json| value.as_u64().map(|n| n as usize);
    let objects = body["sobjects"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|o| {
                    Some(ObjectSpec {
                        name: text(&o["name"])?,
                        fields: list(&o["fields"]),
                        limit: number(&o["limit"]),
                        filter: text(&o["where"]),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(SearchSpec {
        q: text(&body["q"]).ok_or_else(missing_q)?,
        scope: text(&body["in"]).unwrap_or_else(|| "ALL".into()),
        fields: list(&body["fields"]),
        default_limit: number(&body["defaultLimit"]),
        overall_limit: number(&body["overallLimit"]),
        objects,
    })
}

impl SearchSpec {
    fn into_search(self, today: chrono::NaiveDate) -> Result<Search, QueryError> {
        let scope = Scope::parse(&self.scope).ok_or_else(|| QueryError {
            code: "INVALID_SEARCH_SCOPE",
            message: format!("Invalid search scope: {}", self.scope),
        })?;
        let mut returning = Vec::new();
        for object in self.objects {
            let fields = object
                .fields
                .or_else(|| self.fields.clone())
                .unwrap_or_else(|| "Id".into());
            let mut text = format!("SELECT {fields} FROM {}", object.name);
            if let Some(filter) = &object.filter {
                text.push_str(&format!(" WHERE {filter}"));
            }
            if let Some(limit) = object.limit.or(self.default_limit) {
                text.push_str(&format!(" LIMIT {limit}"));
            }
            let mut query = soql::parse(&text, today)?;
            if query.select.contains(&Item::Count) {
                return Err(QueryError::malformed("COUNT() is not allowed in a search"));
            }
            query.all_rows = false;
            returning.push(query);
        }
        Ok(Search {
            any_of: sosl::words(&self.q)?,
            scope,
            returning,
            limit: self.overall_limit,
        })
    }
}
