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

#[tokio::test]
async fn in_all_fields_searches_every_text_field_as_salesforce_does() {
    let org = org();
    let account = org.account("Umbrella Holdings");
    let contact = org.contact("Ada", "Lovelace", "ada@umbrella.example", Some(&account));
    for sosl in [
        "FIND {umbrella} IN ALL FIELDS RETURNING Account(Id, Name), Contact(Id)",
        "find {umbrella} in all fields returning Account(Id, Name), Contact(Id)",
        "FIND {umbrella} RETURNING Account(Id, Name), Contact(Id)",
        "FIND {umbrella} IN SIDEBAR FIELDS RETURNING Account(Id, Name), Contact(Id)",
    ] {
        let answer = org.get(&format!("search?q={}", urlencode(sosl))).await;
        assert_eq!(answer.status, 200, "{sosl}: {}", answer.body);
        let ids: Vec<&str> = answer.body["searchRecords"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["Id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [account.as_str(), contact.as_str()], "{sosl}");
    }
    let names = org
        .get(&format!(
            "search?q={}",
            urlencode("FIND {umbrella} IN NAME FIELDS RETURNING Account(Id), Contact(Id)")
        ))
        .await;
    assert_eq!(
        names.body["searchRecords"].as_array().unwrap().len(),
        1,
        "the contact's name does not hold the word"
    );
    let phones = org
        .get(&format!(
            "search?q={}",
            urlencode("FIND {umbrella} IN PHONE FIELDS RETURNING Account(Id)")
        ))
        .await;
    assert_eq!(phones.body["searchRecords"], json!([]));
}

#[tokio::test]
async fn with_limit_and_update_clauses_follow_returning_as_documented() {
    let org = org();
    org.account("Acme One");
    org.account("Acme Two");
    for sosl in [
        "FIND {acme} IN ALL FIELDS RETURNING Account(Id ORDER BY Name LIMIT 5) WITH SNIPPET(target_length=120) LIMIT 1",
        "FIND {acme} RETURNING Account WITH DIVISION = 'Global' WITH HIGHLIGHT LIMIT 1",
        "FIND {acme} RETURNING Account WITH SPELL_CORRECTION = false WITH METADATA = 'LABELS' LIMIT 1",
        "FIND {acme} RETURNING Account WITH NETWORK IN ('0DBD00000008Z2a') WITH PricebookId = '01sxx0000002MffAAE' LIMIT 1",
        "FIND {acme} RETURNING Account WITH DATA CATEGORY Geography__c AT (usa__c, uk__c) AND Product__c BELOW All__c LIMIT 1",
        "FIND {acme} RETURNING Account LIMIT 1 UPDATE TRACKING, VIEWSTAT",
    ] {
        let answer = org.get(&format!("search?q={}", urlencode(sosl))).await;
        assert_eq!(answer.status, 200, "{sosl}: {}", answer.body);
        assert_eq!(
            answer.body["searchRecords"].as_array().unwrap().len(),
            1,
            "{sosl}"
        );
    }
    for malformed in [
        "FIND {acme} IN EVERY FIELDS RETURNING Account",
        "FIND {acme} IN ALL RETURNING Account",
        "FIND {acme} RETURNING Account WITH NONSENSE",
        "FIND {acme} RETURNING Account LIMIT",
        "FIND {acme} RETURNING Account UPDATE EVERYTHING",
    ] {
        let answer = org.get(&format!("search?q={}", urlencode(malformed))).await;
        assert_eq!(answer.status, 400, "{malformed}");
        assert_eq!(
            answer.body[0]["errorCode"], "MALFORMED_SEARCH",
            "{malformed}"
        );
    }
}
