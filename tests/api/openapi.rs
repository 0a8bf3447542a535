//! `GET /api/openapi.json`: the OpenAPI document names every route the service answers, with
//! its error responses in the one envelope, and every reference in it resolves.

use serde_json::Value;

use crate::db::Backend;
use crate::helpers::{TestApp, spawn_app};

/// Every route of the service today, as `METHOD path`.
const ROUTES: &[&str] = &[
    "GET /healthz",
    "GET /readyz",
    "GET /api/v1/me",
    "POST /api/v1/salesforce/connect-ticket",
    "GET /api/v1/salesforce/connection",
    "DELETE /api/v1/salesforce/connection",
    "GET /api/v1/graph/connection",
    "GET /api/v1/admin/tenant",
    "POST /api/v1/matches",
    "GET /api/v1/records/search",
    "POST /api/v1/people/preview",
    "POST /api/v1/contacts",
    "POST /api/v1/leads",
    "PUT /api/v1/events/{outlookId}/link",
    "GET /api/v1/events/{outlookId}/link",
    "DELETE /api/v1/events/{outlookId}/link",
    "GET /api/v1/events/{outlookId}/history",
    "GET /api/v1/sync/status",
    "PUT /api/v1/admin/salesforce/org",
    "DELETE /api/v1/admin/salesforce/org",
    "PUT /api/v1/admin/salesforce/org-wide",
    "DELETE /api/v1/admin/salesforce/org-wide",
    "POST /api/v1/admin/salesforce/org-wide/check",
    "PUT /api/v1/admin/graph",
    "POST /api/v1/admin/graph/check",
    "PUT /api/v1/admin/matching",
    "GET /api/v1/admin/users/{objectId}/events/{outlookId}/history",
    "GET /api/v1/admin/users/{objectId}/history",
    "GET /api/v1/admin/users/{objectId}/sync",
    "POST /api/v1/admin/users/{objectId}/sync/release",
    "POST /api/v1/admin/users/{objectId}/sync/reset",
    "GET /api/v1/admin/sync/errors",
    "GET /api/v1/admin/sync/status",
    "POST /api/v1/admin/users/{objectId}/check",
    "GET /api/v1/admin/sync-configs",
    "POST /api/v1/admin/sync-configs",
    "GET /api/v1/admin/sync-configs/{id}",
    "PUT /api/v1/admin/sync-configs/{id}",
    "DELETE /api/v1/admin/sync-configs/{id}",
    "GET /api/v1/admin/sync-configs/{id}/history",
    "POST /api/v1/admin/sync-configs/{id}/preview",
    "PUT /api/v1/admin/sync-configs/{id}/assignments/{kind}/{principal}",
    "DELETE /api/v1/admin/sync-configs/{id}/assignments/{kind}/{principal}",
    "GET /auth/salesforce/start",
    "GET /auth/salesforce/callback",
];

async fn document() -> Value {
    let app = spawn_app(Backend::Sqlite).await;
    let document = fetch(&app).await;
    app.stop().await;
    document
}

async fn fetch(app: &TestApp) -> Value {
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn operations(document: &Value) -> Vec<(String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            found.push((format!("{} {path}", method.to_uppercase()), operation));
        }
    }
    found
}

#[tokio::test]
async fn the_document_names_every_route_and_nothing_else() {
    let app = spawn_app(Backend::Sqlite).await;
    let document = fetch(&app).await;
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented: Vec<String> = operations(&document).into_iter().map(|(r, _)| r).collect();
    documented.sort();
    let mut expected: Vec<String> = ROUTES.iter().map(|r| r.to_string()).collect();
    expected.sort();
    assert_eq!(documented, expected);
    let mut ids: Vec<&str> = operations(&document)
        .iter()
        .map(|(_, operation)| operation["operationId"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), ROUTES.len(), "operation ids are unique: {ids:?}");
    // Each documented route is served (an unknown one falls through to "no route for").
    for route in ROUTES {
        let (method, path) = route.split_once(' ').unwrap();
        let response = app
            .client
            .request(method.parse().unwrap(), format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        let body = response.text().await.unwrap();
        assert!(!body.contains("no route for"), "{route}: {body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn signed_in_routes_need_the_bearer_token_and_say_what_a_refusal_looks_like() {
    let document = document().await;
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (route, operation) in operations(&document) {
        if !route.contains("/api/v1/") {
            continue;
        }
        assert!(
            operation["security"][0]["bearer"].is_array(),
            "{route} needs the bearer token"
        );
        assert_eq!(
            operation["responses"]["401"]["$ref"], "#/components/responses/Unauthorized",
            "{route}"
        );
        if route.contains("/admin/") {
            assert_eq!(
                operation["responses"]["403"]["$ref"], "#/components/responses/Forbidden",
                "{route}"
            );
        }
    }
}

#[tokio::test]
async fn every_error_response_is_the_envelope_and_every_reference_resolves() {
    let document = document().await;
    for (name, response) in document["components"]["responses"].as_object().unwrap() {
        assert_eq!(
            response["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorEnvelope",
            "{name}"
        );
    }
    let envelope = &document["components"]["schemas"]["ErrorEnvelope"];
    assert_eq!(
        envelope["properties"]["error"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
    let mut references = Vec::new();
    collect_references(&document, &mut references);
    assert!(references.len() > 20, "{references:?}");
    for reference in references {
        let pointer = reference.trim_start_matches('#');
        assert!(
            document.pointer(pointer).is_some(),
            "{reference} does not resolve"
        );
    }
}

fn collect_references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) => out.push(reference.clone()),
                    _ => collect_references(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_references(item, out)),
        _ => {}
    }
}

#[tokio::test]
async fn an_independent_validator_accepts_the_document() {
    let document = document().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, document.to_string()).unwrap();
    // openapi-spec-validator, from tests/python/requirements.txt (scripts/test installs it).
    let validate = "import json, sys\n\
        from openapi_spec_validator import validate\n\
        validate(json.load(open(sys.argv[1])))";
    let output = std::process::Command::new("python3")
        .args(["-c", validate])
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The sync's vocabularies are schemas the pane can generate its types from, each naming
/// every value the service may send (a code added in Rust is in the document).
#[tokio::test]
async fn the_sync_vocabularies_are_schemas_with_every_value() {
    use outforce::sync::model::codes::{LinkCode, WatchCode};
    use outforce::sync::model::history::{Action, Cause};
    let document = document().await;
    let schemas = &document["components"]["schemas"];
    let values = |name: &str| -> Vec<String> {
        let values = schemas[name]["enum"].as_array();
        let values = values.unwrap_or_else(|| panic!("{name} is no enum: {}", schemas[name]));
        values
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let rust = |all: Vec<&str>| all.into_iter().map(String::from).collect::<Vec<_>>();
    let link_codes = LinkCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(values("LinkCode"), rust(link_codes));
    let watch_codes = WatchCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(values("WatchCode"), rust(watch_codes));
    let actions = Action::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(values("Action"), rust(actions));
    let causes = Cause::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(values("Cause"), rust(causes));
    // The settings, with their enums by reference, and the link's code as a LinkCode.
    let settings = &schemas["SyncSettings"]["properties"];
    for key in ["direction", "conflict", "scope", "private", "deleted"] {
        assert!(
            settings[key].to_string().contains("#/components/schemas/"),
            "{key}: {}",
            settings[key]
        );
    }
    let link_error = schemas["LinkView"]["properties"]["error"].to_string();
    assert!(
        link_error.contains("#/components/schemas/LinkCode"),
        "{link_error}"
    );
}

/// The task pane's types are generated from `addin/openapi.json` when the pane is built: the
/// copy must be the document the service serves, so that a renamed field breaks the pane's
/// build rather than the pane.
#[test]
fn the_panes_copy_of_the_document_is_the_one_served() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/addin/openapi.json"))
            .expect("addin/openapi.json");
    let served = outforce::http::openapi::pretty();
    assert!(
        committed.trim_end() == served.trim_end(),
        "addin/openapi.json is not the document the service serves: run \
         `cargo run -q -- openapi > addin/openapi.json` and rebuild the pane (bash scripts/build-pane)"
    );
}
