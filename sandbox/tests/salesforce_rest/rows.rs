use std::time::Duration;

use outforce_sandbox::salesforce::schema::{Field, Kind, TextFlavor};
use serde_json::json;

use super::fixture::org;

fn is_salesforce_datetime(value: &serde_json::Value) -> bool {
    let text = value.as_str().unwrap_or_default();
    chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.3f%z").is_ok()
        && text.len() == 28
        && text.ends_with("+0000")
}

#[tokio::test]
async fn create_read_update_delete_follow_the_documented_statuses() {
    let org = org();
    let created = org
        .call(
            "POST",
            "sobjects/Contact/",
            Some(json!({ "FirstName": "Jane", "LastName": "Doe", "Email": "jane@acme.example" })),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        created.body,
        json!({ "id": id, "success": true, "errors": [] })
    );
    assert_eq!(id.len(), 18);
    assert!(id.starts_with("003"));

    let read = org.get(&format!("sobjects/Contact/{id}")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["Name"], "Jane Doe");
    assert_eq!(read.body["OwnerId"], org.rep_id.as_str());
    assert!(
        is_salesforce_datetime(&read.body["CreatedDate"]),
        "{}",
        read.body["CreatedDate"]
    );
    assert!(is_salesforce_datetime(&read.body["SystemModstamp"]));
    let some = org
        .get(&format!("sobjects/Contact/{id}?fields=Email,LastName"))
        .await;
    assert_eq!(some.body.as_object().unwrap().len(), 3);

    org.sf.advance_clock(Duration::from_secs(90));
    let patched = org
        .call(
            "PATCH",
            &format!("sobjects/Contact/{id}"),
            Some(json!({ "Title": "CTO" })),
        )
        .await;
    assert_eq!(patched.status, 204);
    assert_eq!(patched.body, serde_json::Value::Null);
    let after = org.get(&format!("sobjects/Contact/{id}")).await;
    assert_eq!(after.body["Title"], "CTO");
    assert!(after.body["LastModifiedDate"].as_str() > read.body["LastModifiedDate"].as_str());

    assert_eq!(
        org.call("DELETE", &format!("sobjects/Contact/{id}"), None)
            .await
            .status,
        204
    );
    for method in ["GET", "DELETE", "PATCH"] {
        let body = (method == "PATCH").then(|| json!({ "Title": "x" }));
        let gone = org
            .call(method, &format!("sobjects/Contact/{id}"), body)
            .await;
        assert_eq!(gone.status, 404, "{method}");
        assert_eq!(
            gone.body,
            json!([{ "message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": [] }])
        );
    }
    let unknown = org.get("sobjects/Contact/003000000000000AAA").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_code(), "NOT_FOUND");
    assert_eq!(
        unknown.body[0]["message"],
        "The requested resource does not exist"
    );
    assert_eq!(
        org.call("PUT", &format!("sobjects/Contact/{id}"), None)
            .await
            .status,
        405
    );
}

#[tokio::test]
async fn invalid_writes_are_refused_with_the_field_named() {
    let org = org();
    let account = org.account("Acme");
    let cases = [
        (
            json!({ "FirstName": "No" }),
            "REQUIRED_FIELD_MISSING",
            vec!["LastName"],
        ),
        (
            json!({ "LastName": "X", "Nickname__c": "y" }),
            "INVALID_FIELD",
            vec![],
        ),
        (
            json!({ "LastName": "X", "Name": "Set Directly" }),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            vec!["Name"],
        ),
        (
            json!({ "LastName": "X", "Email": "not an email" }),
            "INVALID_EMAIL_ADDRESS",
            vec!["Email"],
        ),
        (
            json!({ "LastName": "X".repeat(81) }),
            "STRING_TOO_LONG",
            vec!["LastName"],
        ),
        (
            json!({ "LastName": "X", "HasOptedOutOfEmail": "yes" }),
            "JSON_PARSER_ERROR",
            vec![],
        ),
        (
            json!({ "LastName": "X", "AccountId": "001000000000000AAA" }),
            "INVALID_CROSS_REFERENCE_KEY",
            vec!["AccountId"],
        ),
        (
            json!({ "LastName": "X", "AccountId": "not-an-id" }),
            "MALFORMED_ID",
            vec!["AccountId"],
        ),
        (
            json!({ "LastName": "X", "AccountId": org.rep_id }),
            "FIELD_INTEGRITY_EXCEPTION",
            vec!["AccountId"],
        ),
    ];
    for (body, code, fields) in cases {
        let answer = org
            .call("POST", "sobjects/Contact", Some(body.clone()))
            .await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.error_code(), code, "{body}");
        if !fields.is_empty() {
            assert_eq!(answer.body[0]["fields"], json!(fields), "{body}");
        }
    }
    assert_eq!(
        org.call(
            "POST",
            "sobjects/Contact",
            Some(json!({ "LastName": "Ok", "AccountId": &account[..15] }))
        )
        .await
        .status,
        201,
        "a 15-character Id is accepted"
    );
    let missing = org
        .call(
            "POST",
            "sobjects/Contact",
            Some(json!({ "FirstName": "No" })),
        )
        .await;
    assert_eq!(
        missing.body[0]["message"],
        "Required fields are missing: [LastName]"
    );
    assert_eq!(
        org.sf
            .query(&org.org_id, "SELECT COUNT() FROM Contact")
            .unwrap()[0]["count"],
        1,
        "nothing half-written"
    );
}

#[tokio::test]
async fn upsert_by_external_id_creates_updates_and_reports_ambiguity() {
    let org = org();
    org.sf
        .add_field(
            &org.org_id,
            "Contact",
            Field::new(
                "Ext_Id__c",
                "Ext Id",
                Kind::Text {
                    flavor: TextFlavor::String,
                    length: 64,
                },
            )
            .external_id(),
        )
        .unwrap();
    let first = org
        .call(
            "PATCH",
            "sobjects/Contact/Ext_Id__c/E-1",
            Some(json!({ "LastName": "One" })),
        )
        .await;
    assert_eq!(first.status, 201);
    assert_eq!(first.body["created"], true);
    assert_eq!(first.body["success"], true);
    let again = org
        .call(
            "PATCH",
            "sobjects/Contact/Ext_Id__c/E-1",
            Some(json!({ "LastName": "Uno" })),
        )
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["created"], false);
    assert_eq!(again.body["id"], first.body["id"]);
    let old = org
        .call_with(
            "PATCH",
            "/services/data/v45.0/sobjects/Contact/Ext_Id__c/E-1",
            Some(json!({ "LastName": "Eins" })),
            &[],
        )
        .await;
    assert_eq!(old.status, 204, "v45 and earlier answer an update with 204");

    let by_key = org.get("sobjects/Contact/Ext_Id__c/E-1").await;
    assert_eq!(by_key.body["LastName"], "Eins");

    org.seed(
        "Contact",
        json!({ "LastName": "Twin A", "Ext_Id__c": "E-2" }),
    );
    org.seed(
        "Contact",
        json!({ "LastName": "Twin B", "Ext_Id__c": "e-2" }),
    );
    let ambiguous = org
        .call(
            "PATCH",
            "sobjects/Contact/Ext_Id__c/E-2",
            Some(json!({ "LastName": "X" })),
        )
        .await;
    assert_eq!(ambiguous.status, 300);
    let urls = ambiguous.body.as_array().unwrap();
    assert_eq!(urls.len(), 2);
    assert!(
        urls[0]
            .as_str()
            .unwrap()
            .starts_with("/services/data/v64.0/sobjects/Contact/003")
    );

    let bad_field = org
        .call(
            "PATCH",
            "sobjects/Contact/Namez/x",
            Some(json!({ "LastName": "X" })),
        )
        .await;
    assert_eq!(bad_field.status, 404);
    assert_eq!(
        bad_field.body,
        json!([{ "message": "Provided external ID field does not exist or is not accessible: Namez", "errorCode": "NOT_FOUND", "fields": [] }])
    );
    let update_only = org
        .call(
            "PATCH",
            "sobjects/Contact/Ext_Id__c/E-404?updateOnly=true",
            Some(json!({ "LastName": "X" })),
        )
        .await;
    assert_eq!(update_only.status, 404);
}

#[tokio::test]
async fn conditional_requests_answer_304_and_412() {
    let org = org();
    let id = org.contact("Jane", "Doe", "jane@acme.example", None);
    let future = "Tue, 01 Jan 2999 00:00:00 GMT";
    let past = "Mon, 01 Jan 2001 00:00:00 GMT";
    let unchanged = org
        .call_with(
            "GET",
            &format!("/services/data/v64.0/sobjects/Contact/{id}"),
            None,
            &[("If-Modified-Since", future)],
        )
        .await;
    assert_eq!(unchanged.status, 304);
    let changed = org
        .call_with(
            "GET",
            &format!("/services/data/v64.0/sobjects/Contact/{id}"),
            None,
            &[("If-Modified-Since", past)],
        )
        .await;
    assert_eq!(changed.status, 200);
    let stale = org
        .call_with(
            "PATCH",
            &format!("/services/data/v64.0/sobjects/Contact/{id}"),
            Some(json!({ "Title": "x" })),
            &[("If-Unmodified-Since", past)],
        )
        .await;
    assert_eq!(stale.status, 412);
    assert_eq!(stale.error_code(), "PRECONDITION_FAILED");
}
