use serde_json::json;

use super::fixture::org;

#[tokio::test]
async fn subrequests_chain_through_references_in_one_api_call() {
    let org = org();
    let answer = org
        .call(
            "POST",
            "composite",
            Some(json!({ "allOrNone": false, "compositeRequest": [
                { "method": "POST", "url": "/services/data/v64.0/sobjects/Account", "referenceId": "refAccount", "body": { "Name": "Acme" } },
                { "method": "POST", "url": "/services/data/v64.0/sobjects/Contact", "referenceId": "refContact",
                  "body": { "LastName": "Doe", "AccountId": "@{refAccount.id}" } },
                { "method": "GET", "url": "/services/data/v64.0/query?q=SELECT+Id,Account.Name+FROM+Contact", "referenceId": "refQuery" },
                { "method": "PATCH", "url": "/services/data/v64.0/sobjects/Contact/@{refQuery.records[0].Id}", "referenceId": "refUpdate",
                  "body": { "Title": "Buyer" } },
            ]})),
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.headers["sforce-limit-info"], "api-usage=1/1000000");
    let results = answer.body["compositeResponse"].as_array().unwrap();
    assert_eq!(results[0]["httpStatusCode"], 201);
    assert_eq!(results[0]["referenceId"], "refAccount");
    let account = results[0]["body"]["id"].as_str().unwrap();
    assert_eq!(
        results[0]["httpHeaders"]["Location"],
        format!("/services/data/v64.0/sobjects/Account/{account}")
    );
    assert_eq!(results[2]["body"]["records"][0]["Account"]["Name"], "Acme");
    assert_eq!(results[3]["httpStatusCode"], 204);
    assert_eq!(results[3]["body"], serde_json::Value::Null);
    assert_eq!(results[3]["httpHeaders"], json!({}));
    let contact = org.query("SELECT Title, AccountId FROM Contact").await;
    assert_eq!(contact.body["records"][0]["Title"], "Buyer");
    assert_eq!(contact.body["records"][0]["AccountId"], account);
}

#[tokio::test]
async fn all_or_none_halts_and_rolls_back_the_whole_request() {
    let org = org();
    let answer = org
        .call(
            "POST",
            "composite",
            Some(json!({ "allOrNone": true, "compositeRequest": [
                { "method": "POST", "url": "/services/data/v64.0/sobjects/Account", "referenceId": "first", "body": { "Name": "Kept?" } },
                { "method": "POST", "url": "/services/data/v64.0/sobjects/Contact", "referenceId": "bad", "body": { "FirstName": "No last name" } },
                { "method": "POST", "url": "/services/data/v64.0/sobjects/Account", "referenceId": "after", "body": { "Name": "Never" } },
            ]})),
        )
        .await;
    let results = answer.body["compositeResponse"].as_array().unwrap();
    assert_eq!(results[1]["httpStatusCode"], 400);
    assert_eq!(results[1]["body"][0]["errorCode"], "REQUIRED_FIELD_MISSING");
    for halted in [&results[0], &results[2]] {
        assert_eq!(halted["httpStatusCode"], 400);
        assert_eq!(halted["body"][0]["errorCode"], "PROCESSING_HALTED");
    }
    assert_eq!(
        org.query("SELECT COUNT() FROM Account").await.body["totalSize"],
        0
    );
}

#[tokio::test]
async fn a_reference_to_a_failed_subrequest_is_processing_halted() {
    let org = org();
    let answer = org
        .call(
            "POST",
            "composite",
            Some(json!({ "compositeRequest": [
                { "method": "POST", "url": "/services/data/v64.0/sobjects/Account", "referenceId": "acct", "body": {} },
                { "method": "POST", "url": "/services/data/v64.0/sobjects/Contact", "referenceId": "c", "body": { "LastName": "X", "AccountId": "@{acct.id}" } },
                { "method": "POST", "url": "/services/data/v64.0/sobjects/Contact", "referenceId": "d", "body": { "LastName": "Independent" } },
            ]})),
        )
        .await;
    let results = answer.body["compositeResponse"].as_array().unwrap();
    assert_eq!(results[0]["body"][0]["errorCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(results[1]["body"][0]["errorCode"], "PROCESSING_HALTED");
    assert_eq!(
        results[2]["httpStatusCode"], 201,
        "without allOrNone the rest goes on"
    );

    let requests: Vec<_> = (0..26)
        .map(|i| json!({ "method": "GET", "url": "/services/data/v64.0/limits", "referenceId": format!("r{i}") }))
        .collect();
    let too_many = org
        .call(
            "POST",
            "composite",
            Some(json!({ "compositeRequest": requests })),
        )
        .await;
    assert_eq!(too_many.status, 400);
}

#[tokio::test]
async fn batch_runs_independent_requests_and_can_halt_on_error() {
    let org = org();
    let answer = org
        .call(
            "POST",
            "composite/batch",
            Some(json!({ "haltOnError": true, "batchRequests": [
                { "method": "POST", "url": "v64.0/sobjects/Account", "richInput": { "Name": "Acme" } },
                { "method": "GET", "url": "v64.0/sobjects/Account/001000000000000AAA" },
                { "method": "GET", "url": "v64.0/limits" },
            ]})),
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["hasErrors"], true);
    let results = answer.body["results"].as_array().unwrap();
    assert_eq!(results[0]["statusCode"], 201);
    assert_eq!(results[1]["statusCode"], 404);
    assert_eq!(results[2]["statusCode"], 412);
    assert_eq!(
        results[2]["result"][0]["errorCode"],
        "BATCH_PROCESSING_HALTED"
    );
}

/// Salesforce's "allOrNone Parameters in Composite and Collections Requests": with the
/// Composite's `allOrNone: true` and the Collections subrequest's `false`, the Collections
/// result is shown as it was before the rollback (the good record `success: true` with its Id,
/// the bad one with its errors), the subrequests after it are `PROCESSING_HALTED`, and
/// everything is rolled back: the Id shown names no record.
#[tokio::test]
async fn all_or_none_halts_on_a_collections_subrequest_whose_records_failed() {
    let org = org();
    let answer = org
        .call(
            "POST",
            "composite",
            Some(json!({ "allOrNone": true, "collateSubrequests": false, "compositeRequest": [
                { "method": "POST", "url": "/services/data/v64.0/sobjects/Account", "referenceId": "earlier", "body": { "Name": "Earlier" } },
                { "method": "POST", "url": "/services/data/v64.0/composite/sobjects", "referenceId": "contacts",
                  "body": { "allOrNone": false, "records": [
                      { "attributes": { "type": "Contact" }, "LastName": "Valid" },
                      { "attributes": { "type": "Contact" }, "FirstName": "No last name" },
                  ] } },
                { "method": "POST", "url": "/services/data/v64.0/sobjects/Account", "referenceId": "later", "body": { "Name": "Later" } },
            ]})),
        )
        .await;
    assert_eq!(answer.status, 200);
    let results = answer.body["compositeResponse"].as_array().unwrap();
    let collection = &results[1];
    assert_eq!(collection["httpStatusCode"], 200);
    assert_eq!(
        collection["body"][0]["success"], true,
        "the good record as it was saved, before the rollback"
    );
    let ghost = collection["body"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        collection["body"][1]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );
    for halted in [&results[0], &results[2]] {
        assert_eq!(halted["httpStatusCode"], 400);
        assert_eq!(halted["body"][0]["errorCode"], "PROCESSING_HALTED");
    }
    for sobject in ["Account", "Contact"] {
        let count = org
            .query(&format!("SELECT COUNT() FROM {sobject}"))
            .await
            .body["totalSize"]
            .clone();
        assert_eq!(count, 0, "nothing of the request is committed: {sobject}");
    }
    let gone = org
        .call("GET", &format!("sobjects/Contact/{ghost}"), None)
        .await;
    assert_eq!(gone.status, 404, "the Id the answer showed names no record");
}

#[tokio::test]
async fn without_all_or_none_a_collections_subrequest_keeps_its_own_flag() {
    let org = org();
    let answer = org
        .call(
            "POST",
            "composite",
            Some(json!({ "allOrNone": false, "compositeRequest": [
                { "method": "POST", "url": "/services/data/v64.0/composite/sobjects", "referenceId": "contacts",
                  "body": { "allOrNone": false, "records": [
                      { "attributes": { "type": "Contact" }, "LastName": "Valid" },
                      { "attributes": { "type": "Contact" }, "FirstName": "No last name" },
                  ] } },
                { "method": "POST", "url": "/services/data/v64.0/sobjects/Account", "referenceId": "later", "body": { "Name": "Later" } },
            ]})),
        )
        .await;
    let results = answer.body["compositeResponse"].as_array().unwrap();
    assert_eq!(results[0]["body"][0]["success"], true);
    assert_eq!(results[1]["httpStatusCode"], 201);
    assert_eq!(
        org.query("SELECT COUNT() FROM Contact").await.body["totalSize"],
        1
    );
}
