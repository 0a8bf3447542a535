//! `GET /api/v1/records/search`: Accounts, Opportunities and Cases by name for a meeting's
//! What, one Salesforce search per request, whatever the rep types.

use reqwest::Method;
use serde_json::{Value, json};

use crate::world::{REP_A, World, world};

impl World {
    async fn search(&self, query: &str) -> (u16, Value) {
        self.rep_call(
            REP_A,
            Method::GET,
            &format!("/api/v1/records/search?{query}"),
            None,
        )
        .await
    }
}

fn names(body: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["type"].as_str().unwrap().to_string(),
                r["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn accounts_opportunities_and_cases_are_found_by_the_start_of_their_names() {
    let w = world().await;
    w.connect(REP_A).await;
    let acme = w.seed("Account", json!({ "Name": "Acme Corp" }));
    w.seed("Account", json!({ "Name": "Globex" }));
    w.seed(
        "Opportunity",
        json!({ "Name": "Acme renewal", "StageName": "Prospecting", "CloseDate": "2027-01-31", "AccountId": acme }),
    );
    w.seed(
        "Case",
        json!({ "Subject": "Acme outage", "AccountId": acme }),
    );

    let before = w.sf.calls("search");
    let (status, body) = w.search("q=acm").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        w.sf.calls("search") - before,
        1,
        "one call for all three types"
    );
    let found = names(&body);
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0], ("account".into(), "Acme Corp".into()));
    assert!(found[1].0 == "case" && found[1].1.ends_with("Acme outage"));
    assert_eq!(found[2], ("opportunity".into(), "Acme renewal".into()));
    let opportunity = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "opportunity")
        .unwrap();
    assert_eq!(opportunity["detail"], "Acme Corp");
    assert!(opportunity["id"].as_str().unwrap().starts_with("006"));

    let (_, only) = w.search("q=acme&types=Opportunity").await;
    assert_eq!(
        names(&only),
        [("opportunity".to_string(), "Acme renewal".to_string())]
    );
}

#[tokio::test]
async fn any_text_a_rep_types_makes_a_well_formed_search() {
    let w = world().await;
    w.connect(REP_A).await;
    w.seed("Account", json!({ "Name": "Smith & Wesson (US)" }));
    for typed in [
        "smith %26 wesson (us)",
        "{}[]^~*?:'\"+-!|\\ab",
        "o'brien \\ }",
        "smi*",
    ] {
        let query = serde_urlencoded::to_string([("q", typed)]).unwrap();
        let (status, body) = w.search(&query).await;
        assert_eq!(status, 200, "{typed}: {body}");
    }
    let (status, body) = w.search("q=%7B%7D%5B%5D%20*%3F%20-").await;
    assert_eq!(status, 400, "punctuation alone names nothing: {body}");
    assert_eq!(body["error"]["field"], "q");
    let (_, found) = w.search("q=smith%20wess").await;
    assert_eq!(
        names(&found),
        [("account".to_string(), "Smith & Wesson (US)".to_string())]
    );
}

#[tokio::test]
async fn a_search_too_short_or_of_unknown_types_is_refused_naming_the_field() {
    let w = world().await;
    w.connect(REP_A).await;
    for (query, field) in [
        ("q=a", "q"),
        ("", "q"),
        ("q=acme&types=account,contact", "types"),
    ] {
        let (status, body) = w.search(query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], "invalid_field");
        assert_eq!(body["error"]["field"], field);
    }
}
