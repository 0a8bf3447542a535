//! Composite (`/composite`: up to 25 dependent subrequests with `@{ref.path}` references and
//! `allOrNone`) and Batch (`/composite/batch`: up to 25 independent ones, `haltOnError`). Each
//! is one API call; the answer is 200 whatever the subrequests did.

use std::collections::HashMap;

use serde_json::{Value as Json, json};

use super::{Call, Env, Headers, Reply, Within, dispatch};

const MAX_SUBREQUESTS: usize = 25;

fn halted(message: &str) -> Reply {
    Reply::error(400, "PROCESSING_HALTED", message)
}

const ROLLED_BACK: &str =
    "The transaction was rolled back since another operation in the same transaction failed.";

pub fn composite(env: &mut Env<'_>, call: &Call<'_>) -> Reply {
    let body = call.body.clone().unwrap_or(Json::Null);
    let Some(requests) = body["compositeRequest"].as_array() else {
        return Reply::error(400, "JSON_PARSER_ERROR", "compositeRequest is required");
    };
    if requests.len() > MAX_SUBREQUESTS {
        return Reply::error(
            400,
            "LIMIT_EXCEEDED",
            "A composite request can contain at most 25 subrequests",
        );
    }
    let mut seen = Vec::new();
    for request in requests {
        let reference = request["referenceId"].as_str().unwrap_or_default();
        if reference.is_empty()
            || !reference
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Reply::error(
                400,
                "JSON_PARSER_ERROR",
                &format!("Invalid referenceId: '{reference}'"),
            );
        }
        if seen.contains(&reference) {
            return Reply::error(
                400,
                "DUPLICATE_VALUE",
                &format!("Duplicate referenceId: '{reference}'"),
            );
        }
        seen.push(reference);
    }
    let all_or_none = body["allOrNone"].as_bool().unwrap_or(false);
    let within = Within::Composite { all_or_none };
    let before = all_or_none.then(|| env.org.tables.clone());
    let mut results: HashMap<String, Reply> = HashMap::new();
    let mut replies: Vec<Option<Reply>> = Vec::new();
    let mut failed = false;
    for request in requests {
        if failed && all_or_none {
            replies.push(None);
            continue;
        }
        let reply = match resolve(request, &results) {
            Ok((method, url, body)) => run_subrequest(env, within, &method, &url, body),
            Err(reply) => reply,
        };
        failed |= reply.failed();
        let reference = request["referenceId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        results.insert(reference, reply.clone());
        replies.push(Some(reply));
    }
    if let Some(before) = before.filter(|_| failed) {
        env.org.tables = before;
        // The subrequests that failed keep their answer (a Collections subrequest its
        // SaveResults, already all-or-none); every other one was rolled back.
        for reply in replies.iter_mut() {
            if reply.as_ref().is_none_or(|r| !r.failed()) {
                *reply = Some(halted(ROLLED_BACK));
            }
        }
    }
    let out: Vec<Json> = requests
        .iter()
        .zip(replies)
        .map(|(request, reply)| {
            let reply = reply.unwrap_or_else(|| halted(ROLLED_BACK));
            let headers = match &reply.location {
                Some(location) => json!({ "Location": location }),
                None => json!({}),
            };
            json!({
                "body": reply.body.unwrap_or(Json::Null),
                "httpHeaders": headers,
                "httpStatusCode": reply.status,
                "referenceId": request["referenceId"],
            })
        })
        .collect();
    Reply::ok(json!({ "compositeResponse": out }))
}

/// The subrequest's method, URL and body with every `@{ref.path}` replaced.
fn resolve(
    request: &Json,
    results: &HashMap<String, Reply>,
) -> Result<(String, String, Option<Json>), Reply> {
    let method = request["method"]
        .as_str()
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let url = substitute_text(request["url"].as_str().unwrap_or_default(), results)?;
    let body = match request.get("body") {
        Some(body) if !body.is_null() => Some(substitute(body, results)?),
        _ => None,
    };
    Ok((method, url, body))
}

fn substitute(value: &Json, results: &HashMap<String, Reply>) -> Result<Json, Reply> {
    Ok(match value {
        Json::String(s) => {
            if let Some(whole) = s.strip_prefix("@{").and_then(|r| r.strip_suffix('}'))
                && !whole.contains('}')
            {
                lookup(whole, results)?
            } else {
                Json::String(substitute_text(s, results)?)
            }
        }
        Json::Array(items) => Json::Array(
            items
                .iter()
                .map(|i| substitute(i, results))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), substitute(v, results)?)))
                .collect::<Result<_, Reply>>()?,
        ),
        other => other.clone(),
    })
}

fn substitute_text(text: &str, results: &HashMap<String, Reply>) -> Result<String, Reply> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("@{") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .ok_or_else(|| halted("Invalid reference specified."))?
            + start;
        let value = lookup(&rest[start + 2..end], results)?;
        match value {
            Json::String(s) => out.push_str(&s),
            other => out.push_str(&other.to_string()),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `ref.id`, `ref.records[0].Id`: a value from an earlier subrequest's body.
fn lookup(expression: &str, results: &HashMap<String, Reply>) -> Result<Json, Reply> {
    let (reference, path) = expression.split_once('.').unwrap_or((expression, ""));
    let no_value = || {
        halted(&format!(
            "Invalid reference specified. No value for {expression} found in {reference}. Provided referenceId ({reference}) must match a previous subrequest that succeeded."
        ))
    };
    let reply = results
        .get(reference)
        .filter(|r| !r.is_error())
        .ok_or_else(no_value)?;
    let mut value = reply.body.clone().unwrap_or(Json::Null);
    for step in path.split('.').filter(|s| !s.is_empty()) {
        let (name, indexes) = step.split_once('[').map_or((step, ""), |(n, i)| (n, i));
        value = value.get(name).cloned().ok_or_else(no_value)?;
        for index in indexes
            .split('[')
            .map(|i| i.trim_end_matches(']'))
            .filter(|i| !i.is_empty())
        {
            let index: usize = index.parse().map_err(|_| no_value())?;
            value = value.get(index).cloned().ok_or_else(no_value)?;
        }
    }
    if value.is_null() {
        Err(no_value())
    } else {
        Ok(value)
    }
}

/// Runs a subrequest given its full URL (`/services/data/v64.0/sobjects/Account`).
fn run_subrequest(
    env: &mut Env<'_>,
    within: Within,
    method: &str,
    url: &str,
    body: Option<Json>,
) -> Reply {
    let Some(rest) = url.strip_prefix("/services/data/v") else {
        return Reply::error(
            400,
            "INVALID_INPUT",
            &format!("The URL must start with /services/data/: {url}"),
        );
    };
    run_relative(env, within, method, rest, body)
}

/// `64.0/sobjects/Account?x=y`: a version, a path and a query string.
fn run_relative(
    env: &mut Env<'_>,
    within: Within,
    method: &str,
    rest: &str,
    body: Option<Json>,
) -> Reply {
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let version = segments.next().unwrap_or_default().to_string();
    let call = Call {
        method,
        version: &version,
        path: segments.collect(),
        query: serde_urlencoded::from_str(query).unwrap_or_default(),
        body,
        headers: Headers::default(),
    };
    let mut reply = dispatch(env, &call, within);
    if reply.status == 201
        && let Some(id) = reply.body.as_ref().and_then(|b| b["id"].as_str())
        && let ["sobjects", sobject, ..] = call.path.as_slice()
    {
        reply.location = Some(format!("/services/data/v{version}/sobjects/{sobject}/{id}"));
    }
    reply
}

pub fn batch(env: &mut Env<'_>, call: &Call<'_>) -> Reply {
    let body = call.body.clone().unwrap_or(Json::Null);
    let Some(requests) = body["batchRequests"].as_array() else {
        return Reply::error(400, "JSON_PARSER_ERROR", "batchRequests is required");
    };
    if requests.len() > MAX_SUBREQUESTS {
        return Reply::error(
            400,
            "LIMIT_EXCEEDED",
            "A batch can contain at most 25 requests",
        );
    }
    let halt_on_error = body["haltOnError"].as_bool().unwrap_or(false);
    let mut has_errors = false;
    let mut results = Vec::new();
    for request in requests {
        if has_errors && halt_on_error {
            results.push(json!({
                "statusCode": 412,
                "result": [{ "errorCode": "BATCH_PROCESSING_HALTED", "message": "Batch processing halted per request" }],
            }));
            continue;
        }
        let method = request["method"]
            .as_str()
            .unwrap_or("GET")
            .to_ascii_uppercase();
        let url = request["url"].as_str().unwrap_or_default();
        let rest = url
            .trim_start_matches("/services/data/")
            .trim_start_matches('v');
        let input = request.get("richInput").filter(|b| !b.is_null()).cloned();
        let reply = run_relative(env, Within::Batch, &method, rest, input);
        has_errors |= reply.is_error();
        results.push(
            json!({ "statusCode": reply.status, "result": reply.body.unwrap_or(Json::Null) }),
        );
    }
    Reply::ok(json!({ "hasErrors": has_errors, "results": results }))
}
