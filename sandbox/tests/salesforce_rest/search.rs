use std::time::Duration;

use serde_json::json;

use super::fixture::{org, urlencode};

#[tokio::test]
async fn sosl_finds_contacts_and_unconverted_leads_by_an_escaped_email() {
    let org = org();
    let account = org.account("Acme");
    let email = "jane-doe+x@acme.example";
    let contact = org.contact("Jane", "Doe", email, Some(&account));
    org.contact("Janet", "Other", "janet@acme.example", None);
    let lead = org.seed(
        "Lead",
        json!({ "LastName": "Doe", "Company": "Acme", "Email": email }),
    );
    let converted = org.seed(
        "Lead",
        json!({ "LastName": "Doe", "Company": "Acme", "Email": email }),
    );
    org.sf
        .convert_lead(&org.org_id, &converted, &contact, &account)
        .unwrap();

    let sosl = "FIND {jane\\-doe\\+x@acme.example} IN EMAIL FIELDS RETURNING Contact(Id, Email, AccountId), Lead(Id, Email, Company WHERE IsConverted = false)";
    let answer = org.get(&format!("search?q={}", urlencode(sosl))).await;
    assert_eq!(answer.status, 200);
    let found = answer.body["searchRecords"].as_array().unwrap();
    let ids: Vec<&str> = found.iter().map(|r| r["Id"].as_str().unwrap()).collect();
    assert_eq!(ids, [contact.as_str(), lead.as_str()]);
    assert_eq!(found[0]["attributes"]["type"], "Contact");
    assert_eq!(found[0]["AccountId"], account.as_str());
    assert_eq!(found[1]["Company"], "Acme");

    let old = org
        .call_with(
            "GET",
            &format!("/services/data/v36.0/search?q={}", urlencode(sosl)),
            None,
            &[],
        )
        .await;
    assert!(
        old.body.is_array(),
        "before v37.0 the answer is a bare array"
    );
}

#[tokio::test]
async fn a_search_term_without_braces_is_malformed() {
    let org = org();
    let answer = org
        .get(&format!(
            "search?q={}",
            urlencode("FIND jane@acme.example RETURNING Contact")
        ))
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.body,
        json!([{ "message": "No search term found. The search term must be enclosed in braces.", "errorCode": "MALFORMED_SEARCH" }])
    );
}

#[tokio::test]
async fn parameterized_search_by_query_string_and_by_body() {
    let org = org();
    org.account("Acme Corporation");
    org.account("Globex");
    let contact = org.contact("Ada", "Acme", "ada@example.org", None);

    let by_query = org
        .get("parameterizedSearch/?q=acme&sobject=Account&Account.fields=Id,Name&Account.limit=10")
        .await;
    assert_eq!(by_query.status, 200);
    let names: Vec<&str> = by_query.body["searchRecords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Acme Corporation"]);

    let by_body = org
        .call(
            "POST",
            "parameterizedSearch",
            Some(json!({ "q": "ada@example.org", "in": "EMAIL", "fields": ["Id", "Email"], "sobjects": [{ "name": "Contact" }, { "name": "Lead" }] })),
        )
        .await;
    assert_eq!(by_body.body["searchRecords"][0]["Id"], contact.as_str());
    assert_eq!(by_body.body["searchRecords"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_search_index_can_lag_behind_new_records() {
    let org = org();
    org.sf.set_search_lag(&org.org_id, Duration::from_secs(60));
    org.contact("Fresh", "Record", "fresh@acme.example", None);
    let sosl = urlencode("FIND {fresh@acme.example} IN EMAIL FIELDS RETURNING Contact(Id)");
    let soon = org.get(&format!("search?q={sosl}")).await;
    assert_eq!(
        soon.body["searchRecords"],
        json!([]),
        "SOSL does not see it yet"
    );
    let soql = org
        .query("SELECT Id FROM Contact WHERE Email = 'fresh@acme.example'")
        .await;
    assert_eq!(soql.body["totalSize"], 1, "SOQL does");
    org.sf.advance_clock(Duration::from_secs(61));
    let later = org.get(&format!("search?q={sosl}")).await;
    assert_eq!(later.body["searchRecords"].as_array().unwrap().len(), 1);
}
