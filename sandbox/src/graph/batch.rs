//! JSON batching (`/$batch`): at most 20 requests with unique ids; `dependsOn` runs an item
//! after others and gives it 424 when one of them failed; items without `dependsOn` run in
//! parallel, so more than 4 against one mailbox meet the mailbox concurrency limit (429).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::api::{Call, Caller, Prefer, Reply};
use super::{Inner, Request, serve};

const MAX_REQUESTS: usize = 20;

fn bad(message: &str) -> Reply {
    Reply::error(400, "BadRequest", message)
}

pub async fn run(inner: &actix_web::web::Data<Inner>, caller: &Caller, call: &Call<'_>) -> Reply {
    let Some(requests) = call
        .body
        .as_ref()
        .and_then(|b| b["requests"].as_array())
        .cloned()
    else {
        return bad("Invalid batch payload format.");
    };
    if requests.len() > MAX_REQUESTS {
        return bad("Number of batch request steps exceeds the maximum value of 20.");
    }
    let ids: Vec<String> = requests
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
        .collect();
    for (i, id) in ids.iter().enumerate() {
        if id.is_empty() {
            return bad("Each request in a batch needs an id.");
        }
        if ids[..i].iter().any(|other| other.eq_ignore_ascii_case(id)) {
            return bad(&format!(
                "Batch request ids must be unique; '{id}' is repeated."
            ));
        }
    }
    for request in &requests {
        for dependency in request["dependsOn"].as_array().into_iter().flatten() {
            let known = dependency
                .as_str()
                .is_some_and(|d| ids.iter().any(|id| id.eq_ignore_ascii_case(d)));
            if !known {
                return bad("dependsOn names a request that is not in the batch.");
            }
        }
    }
    // Items without dependsOn run at once: count them per mailbox.
    let mut parallel_rank: HashMap<String, usize> = HashMap::new();
    let mut statuses: HashMap<String, u16> = HashMap::new();
    let mut responses = Vec::new();
    for request in &requests {
        let id = request["id"].as_str().unwrap_or_default().to_string();
        let depends: Vec<String> = request["dependsOn"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str().map(str::to_lowercase))
            .collect();
        let reply = if depends
            .iter()
            .any(|d| statuses.get(d).is_none_or(|s| *s >= 400))
        {
            Reply::error(
                424,
                "FailedDependency",
                "The request was not run because a request it depends on failed.",
            )
        } else {
            let rank = depends.is_empty().then(|| {
                let mailbox = mailbox_of(request["url"].as_str().unwrap_or_default(), caller);
                let rank = parallel_rank.entry(mailbox).or_default();
                *rank += 1;
                *rank - 1
            });
            item(inner, caller, call.base, request, rank).await
        };
        statuses.insert(id.to_lowercase(), reply.status);
        // Each response carries the headers its request would have had on its own.
        let mut headers = Map::new();
        headers.insert("Cache-Control".into(), json!("private"));
        if reply.body.is_some() {
            headers.insert("OData-Version".into(), json!("4.0"));
            headers.insert("Content-Type".into(), json!(super::JSON));
        }
        for (k, v) in &reply.headers {
            headers.insert(k.clone(), json!(v));
        }
        let mut response = json!({ "id": id, "status": reply.status, "headers": headers });
        if let Some(body) = reply.body {
            response["body"] = body;
        }
        responses.push(response);
    }
    Reply::ok(json!({ "responses": responses }))
}

fn mailbox_of(url: &str, caller: &Caller) -> String {
    let parts: Vec<&str> = url.trim_start_matches('/').split(['/', '?']).collect();
    match parts.as_slice() {
        ["users", user, ..] => user.to_ascii_lowercase(),
        ["me", ..] => caller.user.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

async fn item(
    inner: &actix_web::web::Data<Inner>,
    caller: &Caller,
    base: &str,
    request: &Value,
    rank: Option<usize>,
) -> Reply {
    let method = request["method"]
        .as_str()
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let url = request["url"].as_str().unwrap_or_default();
    if url.starts_with("http") || url.contains("$batch") {
        return bad("A batch request url must be relative and cannot contain another batch.");
    }
    let headers: HashMap<String, String> = request["headers"]
        .as_object()
        .map(|h| {
            h.iter()
                .map(|(k, v)| {
                    (
                        k.to_ascii_lowercase(),
                        v.as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let body = request.get("body").filter(|b| !b.is_null()).cloned();
    if body.is_some() && !headers.contains_key("content-type") {
        return bad("Content-Type header must be specified for a request with a body.");
    }
    let (path, query) = url
        .trim_start_matches('/')
        .split_once('?')
        .unwrap_or((url.trim_start_matches('/'), ""));
    let incoming = Request {
        method,
        path: path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        query: serde_urlencoded::from_str(query).unwrap_or_default(),
        body,
        prefer: Prefer::parse(headers.get("prefer").map(String::as_str).into_iter()),
        if_match: headers.get("if-match").cloned(),
    };
    serve(inner, Ok(caller.clone()), incoming, base, rank).await
}
