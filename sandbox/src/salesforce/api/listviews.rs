//! List views: `sobjects/{type}/listviews` (and `/recent`), one view, its `describe` (whose
//! `query` this emulator's own SOQL parser accepts) and its `results` (string values, offset
//! paging, at most 2,000 rows a page).

use serde_json::{Value as Json, json};

use super::{Call, Env, Reply, method_not_allowed};
use crate::salesforce::soql::{self, Item};
use crate::salesforce::store::ListView;

pub fn listviews(env: &mut Env<'_>, call: &Call<'_>) -> Reply {
    if call.method != "GET" {
        return method_not_allowed(call.method, "GET,HEAD");
    }
    let version = call.version;
    let Some(sobject) = call
        .path
        .get(1)
        .and_then(|s| env.org.object(s))
        .map(|o| o.name.clone())
    else {
        return Reply::not_found();
    };
    let views: Vec<&ListView> = env
        .org
        .list_views
        .iter()
        .filter(|v| v.sobject == sobject)
        .collect();
    match &call.path[3..] {
        [] | ["recent"] => Reply::ok(json!({
            "done": true,
            "listviews": views.iter().map(|v| summary(v, version)).collect::<Vec<_>>(),
            "nextRecordsUrl": null,
            "size": views.len(),
            "sobjectType": sobject,
        })),
        [id, rest @ ..] => {
            let Some(view) = views
                .iter()
                .find(|v| v.id == *id || v.id.get(..15) == Some(id))
            else {
                return Reply::not_found();
            };
            match rest {
                [] => Reply::ok(summary(view, version)),
                ["describe"] => Reply::ok(describe(view)),
                ["results"] => results(env, call, &(*view).clone()),
                _ => Reply::not_found(),
            }
        }
    }
}

fn summary(view: &ListView, version: &str) -> Json {
    let base = format!(
        "/services/data/v{version}/sobjects/{}/listviews/{}",
        view.sobject, view.id
    );
    json!({
        "describeUrl": format!("{base}/describe"),
        "developerName": view.developer_name,
        "id": view.id,
        "label": view.label,
        "resultsUrl": format!("{base}/results"),
        "soqlCompatible": true,
        "url": base,
    })
}

/// The view's SOQL: its columns (plus `Id`), filter and ordering.
pub fn query_text(view: &ListView) -> String {
    let mut fields = view.columns.clone();
    if !fields.iter().any(|f| f.eq_ignore_ascii_case("Id")) {
        fields.push("Id".into());
    }
    let mut text = format!("SELECT {} FROM {}", fields.join(", "), view.sobject);
    if let Some(filter) = &view.filter {
        text.push_str(&format!(" WHERE {filter}"));
    }
    text.push_str(&format!(
        " ORDER BY {}",
        view.order_by.as_deref().unwrap_or("Id ASC NULLS FIRST")
    ));
    text
}

fn columns(view: &ListView) -> Vec<Json> {
    view.columns
        .iter()
        .chain(std::iter::once(&"Id".to_string()))
        .map(|path| {
            json!({
                "ascendingLabel": "A-Z",
                "descendingLabel": "Z-A",
                "fieldNameOrPath": path,
                "hidden": path == "Id",
                "label": path,
                "selectListItem": path,
                "sortDirection": null,
                "sortIndex": null,
                "sortable": true,
                "type": "string",
            })
        })
        .collect()
}

fn describe(view: &ListView) -> Json {
    json!({
        "columns": columns(view),
        "id": view.id,
        "orderBy": [{ "fieldNameOrPath": "Id", "nullsPosition": "first", "sortDirection": "ascending" }],
        "query": query_text(view),
        "relatedEntityId": null,
        "scope": "everything",
        "scopeEntityId": null,
        "sobjectType": view.sobject,
        "whereCondition": { "conditions": [], "conjunction": "and" },
    })
}

fn results(env: &Env<'_>, call: &Call<'_>, view: &ListView) -> Reply {
    let limit = call
        .param("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(25usize);
    let offset = call
        .param("offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or(0usize);
    if !(1..=2000).contains(&limit) {
        return Reply::error(400, "INVALID_LIMIT", "limit must be between 1 and 2000");
    }
    let query = match soql::parse(&query_text(view), env.now.date_naive()) {
        Ok(query) => query,
        Err(error) => return Reply::error(400, error.code, &error.message),
    };
    let paths: Vec<Vec<String>> = query
        .select
        .iter()
        .filter_map(|item| match item {
            Item::Field(path) => Some(path.clone()),
            Item::Count => None,
        })
        .collect();
    let rows: Vec<_> = match soql::select(env.org, &query, &|_| true) {
        Ok(rows) => rows,
        Err(error) => return Reply::error(400, error.code, &error.message),
    };
    let records: Vec<Json> = rows
        .iter()
        .skip(offset)
        .take(limit)
        .map(|record| {
            let columns: Vec<Json> = paths
                .iter()
                .map(|path| {
                    json!({
                        "fieldNameOrPath": path.join("."),
                        "value": soql::value_at(env.org, record, path).to_display(),
                    })
                })
                .collect();
            json!({ "columns": columns })
        })
        .collect();
    Reply::ok(json!({
        "columns": columns(view),
        "developerName": view.developer_name,
        "done": offset + records.len() >= rows.len(),
        "id": view.id,
        "label": view.label,
        "records": records,
        "size": rows.len(),
    }))
}
