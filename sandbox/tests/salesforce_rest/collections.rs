use serde_json::json;

use super::fixture::org;

fn usage(answer: &super::fixture::Answer) -> String {
    answer.headers["sforce-limit-info"]
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_partial_failure_is_still_200_with_a_result_per_record() {
    let org = org();
    let answer = org
        .call(
            "POST",
            "composite/sobjects",
            Some(json!({ "allOrNone": false, "records": [
                { "attributes": { "type": "Contact" }, "LastName": "Good" },
                { "attributes": { "type": "Contact" }, "FirstName": "Bad" },
                { "attributes": { "type": "Account" }, "Name": "Acme" },
            ]})),
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        usage(&answer),
        "api-usage=1/1000000",
        "a collection is one API call"
    );
    let results = answer.body.as_array().unwrap();
    assert_eq!(results[0]["success"], true);
    assert!(results[0]["id"].as_str().unwrap().starts_with("003"));
    assert_eq!(
        results[1],
        json!({ "success": false, "errors": [{ "statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [LastName]", "fields": ["LastName"] }] })
    );
    assert!(results[2]["id"].as_str().unwrap().starts_with("001"));
}

#[tokio::test]
async fn all_or_none_rolls_every_record_back() {
    let org = org();
    let answer = org
        .call(
            "POST",
            "composite/sobjects",
            Some(json!({ "allOrNone": true, "records": [
                { "attributes": { "type": "Contact" }, "LastName": "Good" },
                { "attributes": { "type": "Contact" }, "FirstName": "Bad" },
            ]})),
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body[0]["success"], false);
    assert_eq!(
        answer.body[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(
        answer.body[1]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );
    assert_eq!(
        org.query("SELECT COUNT() FROM Contact").await.body["totalSize"],
        0
    );
}

#[tokio::test]
async fn update_upsert_retrieve_and_delete_by_collection() {
    let org = org();
    let a = org.contact("A", "Alpha", "a@x.example", None);
    let b = org.contact("B", "Beta", "b@x.example", None);
    let updated = org
        .call(
            "PATCH",
            "composite/sobjects",
            Some(json!({ "records": [
                { "attributes": { "type": "Contact" }, "id": a, "Title": "One" },
                { "attributes": { "type": "Contact" }, "Title": "No id" },
            ]})),
        )
        .await;
    assert_eq!(
        updated.body[0],
        json!({ "id": a, "success": true, "errors": [] })
    );
    assert_eq!(
        updated.body[1]["errors"][0]["statusCode"],
        "MISSING_ARGUMENT"
    );

    let retrieved = org
        .get(&format!(
            "composite/sobjects/Contact?ids={a},003000000000000AAA&fields=Id,Title"
        ))
        .await;
    assert_eq!(retrieved.body[0]["Title"], "One");
    assert_eq!(retrieved.body[1], serde_json::Value::Null);

    let deleted = org
        .call(
            "DELETE",
            &format!("composite/sobjects?ids={a},{b}&allOrNone=false"),
            None,
        )
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(
        deleted.body[0],
        json!({ "id": a, "success": true, "errors": [] })
    );
    let again = org
        .call("DELETE", &format!("composite/sobjects?ids={a}"), None)
        .await;
    assert_eq!(
        again.body[0]["errors"][0]["statusCode"],
        "ENTITY_IS_DELETED"
    );

    let none = org.call("DELETE", "composite/sobjects", None).await;
    assert_eq!(none.status, 400);
    assert_eq!(
        none.body,
        json!([{ "message": "At least 1 Id is required.", "errorCode": "REQUIRED_FIELD_MISSING" }])
    );
}

#[tokio::test]
async fn collection_upsert_reports_created_and_more_than_200_is_refused() {
    use outforce_sandbox::salesforce::schema::{Field, Kind, TextFlavor};
    let org = org();
    org.sf
        .add_field(
            &org.org_id,
            "Account",
            Field::new(
                "Ref__c",
                "Ref",
                Kind::Text {
                    flavor: TextFlavor::String,
                    length: 20,
                },
            )
            .external_id(),
        )
        .unwrap();
    org.seed("Account", json!({ "Name": "Old", "Ref__c": "R1" }));
    let answer = org
        .call(
            "PATCH",
            "composite/sobjects/Account/Ref__c",
            Some(json!({ "records": [
                { "attributes": { "type": "Account" }, "Ref__c": "R1", "Name": "Renamed" },
                { "attributes": { "type": "Account" }, "Ref__c": "R2", "Name": "New" },
            ]})),
        )
        .await;
    assert_eq!(answer.body[0]["created"], false);
    assert_eq!(answer.body[1]["created"], true);

    let records: Vec<_> = (0..201)
        .map(|i| json!({ "attributes": { "type": "Account" }, "Name": format!("A{i}") }))
        .collect();
    let too_many = org
        .call(
            "POST",
            "composite/sobjects",
            Some(json!({ "records": records })),
        )
        .await;
    assert_eq!(too_many.status, 400);
    assert_eq!(too_many.error_code(), "EXCEEDED_ID_LIMIT");
}
