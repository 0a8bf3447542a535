use serde_json::json;

use super::fixture::{org, urlencode};

#[tokio::test]
async fn a_query_returns_records_with_attributes_and_nested_parents() {
    let org = org();
    let acme = org.account("Acme");
    org.contact("Jane", "Doe", "jane@acme.example", Some(&acme));
    org.contact("John", "Roe", "john@acme.example", None);
    org.contact("Zed", "Other", "zed@other.example", None);

    let answer = org
        .query("SELECT Id, Email, Account.Name FROM Contact WHERE Email IN ('JANE@acme.example', 'john@acme.example') ORDER BY LastName DESC")
        .await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["totalSize"], 2);
    assert_eq!(answer.body["done"], true);
    assert!(answer.body.get("nextRecordsUrl").is_none());
    let records = answer.body["records"].as_array().unwrap();
    assert_eq!(
        records[0]["Email"], "john@acme.example",
        "ORDER BY LastName DESC"
    );
    assert_eq!(records[0]["Account"], serde_json::Value::Null);
    let jane = &records[1];
    assert_eq!(jane["attributes"]["type"], "Contact");
    let id = jane["Id"].as_str().unwrap();
    assert_eq!(
        jane["attributes"]["url"],
        format!("/services/data/v64.0/sobjects/Contact/{id}")
    );
    assert_eq!(jane["Account"]["Name"], "Acme");
    assert_eq!(jane["Account"]["attributes"]["type"], "Account");
    let keys: Vec<&String> = jane.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["attributes", "Id", "Email", "Account"],
        "fields in select order"
    );
    let usage = answer.headers["sforce-limit-info"].to_str().unwrap();
    assert!(usage.starts_with("api-usage=1/1000000"), "{usage}");
}

#[tokio::test]
async fn large_results_page_through_next_records_url_until_done() {
    let org = org();
    for i in 0..450 {
        org.contact(
            "P",
            &format!("Person{i:03}"),
            &format!("p{i}@x.example"),
            None,
        );
    }
    let mut answer = org
        .call_with(
            "GET",
            &format!(
                "/services/data/v64.0/query?q={}",
                urlencode("SELECT Id, LastName FROM Contact")
            ),
            None,
            &[("Sforce-Query-Options", "batchSize=200")],
        )
        .await;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body["totalSize"], 450);
        pages += 1;
        for record in answer.body["records"].as_array().unwrap() {
            seen.push(record["Id"].as_str().unwrap().to_string());
        }
        if answer.body["done"] == true {
            break;
        }
        let next = answer.body["nextRecordsUrl"].as_str().unwrap().to_string();
        assert!(next.starts_with("/services/data/v64.0/query/01g"), "{next}");
        answer = org.call_with("GET", &next, None, &[]).await;
    }
    assert_eq!(pages, 3);
    seen.dedup();
    assert_eq!(seen.len(), 450);

    let spent = org
        .call_with(
            "GET",
            "/services/data/v64.0/query/01gNOSUCHLOCATOR-200",
            None,
            &[],
        )
        .await;
    assert_eq!(spent.status, 400);
    assert_eq!(spent.error_code(), "INVALID_QUERY_LOCATOR");
}

#[tokio::test]
async fn bad_queries_get_salesforces_error_codes() {
    let org = org();
    let cases = [
        ("SELECT Id FROM Contact WHERE", "MALFORMED_QUERY"),
        ("SELECT Id Contact", "MALFORMED_QUERY"),
        ("SELECT foo FROM Contact", "INVALID_FIELD"),
        ("SELECT Id FROM Bar", "INVALID_TYPE"),
        (
            "SELECT Id FROM Contact WHERE CreatedDate > '2025-01-01T00:00:00Z'",
            "INVALID_QUERY_FILTER_OPERATOR",
        ),
        (
            "SELECT Id FROM Contact WHERE LastName = 5",
            "INVALID_QUERY_FILTER_OPERATOR",
        ),
        ("SELECT Id FROM Contact ALL ROWS", "MALFORMED_QUERY"),
    ];
    for (soql, code) in cases {
        let answer = org.query(soql).await;
        assert_eq!(answer.status, 400, "{soql}");
        assert_eq!(answer.error_code(), code, "{soql}");
        assert!(answer.body[0]["message"].is_string());
    }
    let answer = org.query("SELECT foo FROM Contact").await;
    assert_eq!(
        answer.body[0]["message"],
        "No such column 'foo' on sobject of type Contact"
    );
}

/// Salesforce takes SOQL statements of up to 100,000 characters (sent as a Composite
/// subrequest, as no URL carries that much).
#[tokio::test]
async fn a_statement_longer_than_salesforce_takes_is_refused() {
    let org = org();
    let query = |characters: usize| {
        let head = "SELECT Id FROM Contact WHERE LastName = '";
        let statement = format!("{head}{}'", "x".repeat(characters - head.len() - 1));
        assert_eq!(statement.len(), characters);
        let encoded = urlencode(&statement);
        json!({
            "allOrNone": false,
            "compositeRequest": [{
                "method": "GET",
                "url": format!("/services/data/v64.0/query?q={encoded}"),
                "referenceId": "q",
            }],
        })
    };
    let longest = org.call("POST", "composite", Some(query(100_000))).await;
    let answer = &longest.body["compositeResponse"][0];
    assert_eq!(answer["httpStatusCode"], 200, "{}", answer["body"]);
    let longer = org.call("POST", "composite", Some(query(100_001))).await;
    let answer = &longer.body["compositeResponse"][0];
    assert_eq!(answer["httpStatusCode"], 400);
    assert_eq!(answer["body"][0]["errorCode"], "MALFORMED_QUERY");
    assert_eq!(
        answer["body"][0]["message"],
        "SOQL statements can not be longer than 100000 characters"
    );
}

#[tokio::test]
async fn query_all_adds_deleted_rows_and_query_leaves_them_out() {
    let org = org();
    let gone = org.contact("Gone", "Away", "gone@x.example", None);
    org.contact("Still", "Here", "here@x.example", None);
    let deleted = org
        .call("DELETE", &format!("sobjects/Contact/{gone}"), None)
        .await;
    assert_eq!(deleted.status, 204);

    let live = org.query("SELECT Id FROM Contact").await;
    assert_eq!(live.body["totalSize"], 1);
    let all = org
        .get(&format!(
            "queryAll?q={}",
            urlencode("SELECT Id, IsDeleted FROM Contact WHERE IsDeleted = true")
        ))
        .await;
    assert_eq!(all.body["totalSize"], 1);
    assert_eq!(all.body["records"][0]["Id"], gone.as_str());
    assert_eq!(all.body["records"][0]["IsDeleted"], true);
}

#[tokio::test]
async fn filters_cover_like_nulls_dates_and_counts() {
    let org = org();
    org.contact("Ann", "Smith", "ann@acme.example", None);
    org.contact("Bob", "Smyth", "", None);
    org.seed("Contact", json!({ "LastName": "NoEmail" }));
    let names = |answer: &super::fixture::Answer| -> Vec<String> {
        answer.body["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["LastName"].as_str().unwrap().to_string())
            .collect()
    };

    let like = org
        .query("SELECT LastName FROM Contact WHERE LastName LIKE 'sm_th' ORDER BY LastName")
        .await;
    assert_eq!(names(&like), ["Smith", "Smyth"]);
    let no_email = org
        .query("SELECT LastName FROM Contact WHERE Email = null")
        .await;
    assert_eq!(names(&no_email), ["NoEmail"]);
    let not_in = org.query("SELECT LastName FROM Contact WHERE Email NOT IN ('ann@acme.example') ORDER BY LastName").await;
    assert_eq!(names(&not_in), ["NoEmail", "Smyth"], "NOT IN keeps nulls");
    let recent = org
        .query("SELECT LastName FROM Contact WHERE CreatedDate > 2020-01-01T00:00:00Z AND (LastName = 'SMITH' OR LastName = 'nobody')")
        .await;
    assert_eq!(names(&recent), ["Smith"], "text equality ignores case");
    let today = org
        .query("SELECT LastName FROM Contact WHERE CreatedDate = TODAY AND NOT LastName LIKE 'S%'")
        .await;
    assert_eq!(names(&today), ["NoEmail"]);
    let count = org
        .query("SELECT COUNT() FROM Contact WHERE LastName != 'Smith'")
        .await;
    assert_eq!(
        count.body,
        json!({ "totalSize": 2, "done": true, "records": [] })
    );
    let limited = org
        .query("SELECT LastName FROM Contact ORDER BY LastName LIMIT 1 OFFSET 1")
        .await;
    assert_eq!(names(&limited), ["Smith"]);
}
