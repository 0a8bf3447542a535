//! `POST /api/v1/matches`: a meeting's attendees to the Contacts and Leads behind them, with one
//! Salesforce call at most, none when cached, and every address escaped into its query.

use reqwest::Method;
use serde_json::{Value, json};

use crate::world::{REP_A, REP_B, World, world};

impl World {
    async fn matches(&self, rep: &str, attendees: Value) -> (u16, Value) {
        self.app
            .call(
                Method::POST,
                "/api/v1/matches",
                &self.token(rep),
                Some(json!({ "attendees": attendees })),
            )
            .await
    }
}

fn attendee(email: &str) -> Value {
    json!({ "email": email, "name": "Someone" })
}

#[tokio::test]
async fn contacts_leads_and_colleagues_are_matched_ranked_and_explained() {
    let w = world().await;
    assert_eq!(w.connect(REP_A).await, "connected");
    let acme = w.seed("Account", json!({ "Name": "Acme" }));
    let jane = w.seed(
        "Contact",
        json!({ "FirstName": "Jane", "LastName": "Doe", "Email": "Jane.Doe@acme.example", "AccountId": acme }),
    );
    let jane_again = w.seed(
        "Contact",
        json!({ "LastName": "Doe (no account)", "Email": "jane.doe@acme.example" }),
    );
    let raj = w.seed(
        "Contact",
        json!({ "LastName": "Raj", "Email": "raj@acme.example", "AccountId": acme }),
    );
    let lead = w.seed(
        "Lead",
        json!({ "LastName": "Lee", "Company": "Initech", "Email": "lee@initech.example" }),
    );
    let converted = w.seed(
        "Lead",
        json!({ "LastName": "Old", "Company": "Acme", "Email": "old@acme.example" }),
    );
    let old_contact = w.seed("Contact", json!({ "LastName": "Old", "AccountId": acme }));
    w.sf.convert_lead(&w.org_id, &converted, &old_contact, &acme)
        .unwrap();

    let before = w.sf.calls("composite");
    let (status, body) = w
        .matches(
            REP_A,
            json!([
                attendee("JANE.DOE@acme.example"),
                attendee("raj@acme.example"),
                attendee("lee@initech.example"),
                attendee("old@acme.example"),
                attendee("stranger@nowhere.example"),
                attendee("blake@contoso.example"),
            ]),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        w.sf.calls("composite") - before,
        1,
        "one call for everything"
    );
    let found = body["attendees"].as_array().unwrap();
    assert_eq!(found.len(), 6);
    let ids = |i: usize| -> Vec<&str> {
        found[i]["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap())
            .collect()
    };
    assert_eq!(found[0]["email"], "jane.doe@acme.example");
    assert_eq!(found[0]["name"], "Someone");
    assert_eq!(
        ids(0),
        [jane.as_str(), jane_again.as_str()],
        "case-insensitive; the Contact with an Account first"
    );
    assert_eq!(found[0]["matches"][0]["account"]["name"], "Acme");
    assert_eq!(found[0]["matches"][0]["reason"], "primary_email");
    assert_eq!(found[0]["matches"][0]["kind"], "contact");
    assert!(found[0]["matches"][0]["owner"]["id"].is_string());
    assert_eq!(ids(1), [raj.as_str()]);
    assert_eq!(ids(2), [lead.as_str()]);
    assert_eq!(found[2]["matches"][0]["kind"], "lead");
    assert_eq!(found[2]["matches"][0]["company"], "Initech");
    assert!(ids(3).is_empty(), "a converted lead is not a match");
    assert!(ids(4).is_empty());
    assert!(found[4]["colleague"].is_null());
    assert_eq!(found[5]["colleague"]["id"], w.sf_user_b.as_str());

    let (status, again) = w
        .matches(
            REP_A,
            json!([
                attendee("raj@acme.example"),
                attendee("stranger@nowhere.example")
            ]),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        w.sf.calls("composite") - before,
        1,
        "every address cached: no call"
    );
    assert_eq!(again["attendees"][0]["matches"][0]["id"], raj.as_str());
}

#[tokio::test]
async fn a_hundred_attendees_cost_one_call_cold_and_none_warm() {
    let w = world().await;
    assert_eq!(w.connect(REP_A).await, "connected");
    let attendees: Vec<Value> = (0..100)
        .map(|i| attendee(&format!("person{i}@big-meeting.example")))
        .collect();
    let before = w.sf.calls("composite");
    let (status, _) = w.matches(REP_A, json!(attendees)).await;
    assert_eq!(status, 200);
    assert_eq!(w.sf.calls("composite") - before, 1);
    let queries_before = w.sf.calls("query");
    let (status, _) = w.matches(REP_A, json!(attendees)).await;
    assert_eq!(status, 200);
    assert_eq!(w.sf.calls("composite") - before, 1, "warm: no call");
    assert_eq!(w.sf.calls("query"), queries_before);
}

#[tokio::test]
async fn an_address_reaches_the_query_escaped_and_matches_only_itself() {
    let w = world().await;
    assert_eq!(w.connect(REP_A).await, "connected");
    let obrien = w.seed(
        "Contact",
        json!({ "LastName": "O'Brien", "Email": "o'brien@acme.example" }),
    );
    w.seed(
        "Contact",
        json!({ "LastName": "Other", "Email": "other@acme.example" }),
    );
    let tricky = [
        "o'brien@acme.example",
        "x'or'1'='1@acme.example",
        "a\\'b@acme.example",
        "%@acme.example",
        "_ther@acme.example",
    ];
    let (status, body) = w
        .matches(
            REP_A,
            json!(tricky.iter().map(|e| attendee(e)).collect::<Vec<_>>()),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let found = body["attendees"].as_array().unwrap();
    assert_eq!(found[0]["matches"][0]["id"], obrien.as_str());
    assert_eq!(found[0]["matches"].as_array().unwrap().len(), 1);
    for entry in &found[1..] {
        assert_eq!(entry["matches"], json!([]), "{entry}");
    }
}

#[tokio::test]
async fn an_attendee_that_cannot_be_an_address_gets_its_own_answer_and_the_rest_match() {
    let w = world().await;
    assert_eq!(w.connect(REP_A).await, "connected");
    let jane = w.seed(
        "Contact",
        json!({ "LastName": "Doe", "Email": "jane@acme.example" }),
    );
    // Stored as Salesforce stores an internationalised address: its domain in Unicode.
    let nadia = w.seed(
        "Contact",
        json!({ "LastName": "Ivanova", "Email": "nadia@bücher.example" }),
    );
    let before = w.sf.calls("composite");
    let (status, body) = w
        .matches(
            REP_A,
            json!([
                attendee("not an address"),
                attendee("jane@acme.example"),
                attendee("\"john doe\"@acme.example"),
                attendee("a@b')) OR Email != ('x@y.example"),
                attendee("someone@localhost"),
                attendee("Nadia@XN--BCHER-KVA.example"),
            ]),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let found = body["attendees"].as_array().unwrap();
    let ids = |n: usize| -> Vec<&str> {
        found[n]["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap())
            .collect()
    };
    for refused in [0, 3, 4] {
        assert!(found[refused]["problem"].is_string(), "{}", found[refused]);
        assert_eq!(ids(refused), Vec::<&str>::new());
    }
    assert_eq!(found[0]["email"], "not an address", "as sent, to show it");
    assert_eq!(ids(1), [jane.as_str()]);
    assert_eq!(found[1]["problem"], Value::Null);
    assert_eq!(
        (&found[2]["problem"], ids(2)),
        (&Value::Null, vec![]),
        "a quoted local part is an address, with no record"
    );
    assert_eq!(
        ids(5),
        [nadia.as_str()],
        "punycode finds the Unicode domain"
    );
    assert_eq!(found[5]["email"], "nadia@bücher.example");
    assert_eq!(w.sf.calls("composite") - before, 1, "still one call");

    let too_many: Vec<Value> = (0..501)
        .map(|i| attendee(&format!("p{i}@acme.example")))
        .collect();
    let (status, body) = w.matches(REP_A, json!(too_many)).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().unwrap().contains("500"));
    let (status, body) = w.matches(REP_B, json!([attendee("x@acme.example")])).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "salesforce_not_connected");
}

#[tokio::test]
async fn the_orgs_extra_email_fields_are_searched_too_and_say_so() {
    use outforce_sandbox::salesforce::schema::{Field, Kind, TextFlavor};
    let w = world().await;
    w.connect(REP_A).await;
    let email_field = |name: &str| {
        Field::new(
            name,
            "Work Email",
            Kind::Text {
                flavor: TextFlavor::Email,
                length: 80,
            },
        )
    };
    w.sf.add_field(&w.org_id, "Contact", email_field("Work_Email__c"))
        .unwrap();
    w.sf.add_field(&w.org_id, "Lead", email_field("Other_Email__c"))
        .unwrap();
    let contact = w.seed(
        "Contact",
        json!({ "LastName": "Doe", "Email": "jane@home.example", "Work_Email__c": "Jane@Acme.example" }),
    );
    let lead = w.seed(
        "Lead",
        json!({ "LastName": "Lee", "Company": "Initech", "Other_Email__c": "lee@initech.example" }),
    );
    let ask = || {
        w.matches(
            REP_A,
            json!([
                attendee("jane@acme.example"),
                attendee("lee@initech.example")
            ]),
        )
    };
    let (_, before) = ask().await;
    assert!(
        before["attendees"][0]["matches"]
            .as_array()
            .unwrap()
            .is_empty(),
        "not searched yet"
    );

    let fields = json!({ "contact": ["Work_Email__c"], "lead": ["Other_Email__c"] });
    let (status, set) = w
        .admin(Method::PUT, "/api/v1/admin/matching", Some(fields))
        .await;
    assert_eq!(status, 200, "{set}");
    let calls = w.sf.calls("composite");
    let (status, after) = ask().await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(
        w.sf.calls("composite") - calls,
        1,
        "a lookup with other fields is not reused; one call"
    );
    let first = &after["attendees"][0]["matches"][0];
    assert_eq!(first["id"], contact.as_str());
    assert_eq!(first["reason"], "extra_email");
    assert_eq!(first["field"], "Work_Email__c");
    assert_eq!(after["attendees"][1]["matches"][0]["id"], lead.as_str());

    // A field the org does not have is the admin's to correct, said as such.
    let (status, _) = w
        .admin(
            Method::PUT,
            "/api/v1/admin/matching",
            Some(json!({ "contact": ["Missing__c"] })),
        )
        .await;
    assert_eq!(status, 200);
    let (status, refused) = w
        .matches(REP_A, json!([attendee("someone@else.example")]))
        .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "extra_email_field_invalid");

    let (status, bad) = w
        .admin(
            Method::PUT,
            "/api/v1/admin/matching",
            Some(json!({ "lead": ["Email"] })),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(bad["error"]["field"], "lead[0]");
}

#[tokio::test]
async fn an_excluded_address_or_domain_is_offered_no_match_and_never_looked_up() {
    let w = world().await;
    w.connect(REP_A).await;
    w.default_policy(json!({ "excluded": ["partner.example", "ceo@acme.example"] }))
        .await;
    w.seed(
        "Contact",
        json!({ "LastName": "Eve", "Email": "eve@partner.example" }),
    );
    w.seed(
        "Contact",
        json!({ "LastName": "Chief", "Email": "ceo@acme.example" }),
    );
    let raj = w.seed(
        "Contact",
        json!({ "LastName": "Raj", "Email": "raj@acme.example" }),
    );
    // Only excluded addresses: nothing about them goes to Salesforce.
    let before = w.sf.calls("composite");
    let only_excluded = json!([
        attendee("Eve@Partner.example"),
        attendee("ceo@acme.example")
    ]);
    let (status, body) = w.matches(REP_A, only_excluded).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        w.sf.calls("composite"),
        before,
        "no lookup for excluded addresses"
    );

    let (status, body) = w
        .matches(
            REP_A,
            json!([
                attendee("Eve@Partner.example"),
                attendee("ceo@acme.example"),
                attendee("raj@acme.example")
            ]),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let attendees = body["attendees"].as_array().unwrap();
    for excluded in &attendees[..2] {
        assert_eq!(excluded["excluded"], true, "{excluded}");
        assert_eq!(excluded["matches"], json!([]), "{excluded}");
    }
    assert_eq!(attendees[2]["excluded"], false);
    assert_eq!(attendees[2]["matches"][0]["id"], raj.as_str());
}

#[tokio::test]
async fn a_sync_configurations_extra_email_fields_are_searched_for_its_reps() {
    use outforce_sandbox::salesforce::schema::{Field, Kind, TextFlavor};
    let w = world().await;
    w.connect(REP_A).await;
    let field = Field::new(
        "Work_Email__c",
        "Work Email",
        Kind::Text {
            flavor: TextFlavor::Email,
            length: 80,
        },
    );
    w.sf.add_field(&w.org_id, "Contact", field).unwrap();
    let contact = w.seed(
        "Contact",
        json!({ "LastName": "Doe", "Email": "jane@home.example", "Work_Email__c": "jane@acme.example" }),
    );
    // The tenant searches no extra field; the configuration that applies to the rep does.
    w.default_policy(json!({ "extra_email_fields": { "contact": ["Work_Email__c"] } }))
        .await;
    let (status, found) = w
        .matches(REP_A, json!([attendee("jane@acme.example")]))
        .await;
    assert_eq!(status, 200, "{found}");
    let first = &found["attendees"][0]["matches"][0];
    assert_eq!(first["id"], contact.as_str(), "{found}");
    assert_eq!(first["field"], "Work_Email__c");
}

/// A meeting of 500 attendees with long addresses, in an org whose Contacts have two more email
/// fields: each address list is compared three times, longer together than the 100,000
/// characters Salesforce takes in one statement. The lists are split, still in one call; an
/// address longer than any email field can hold (80) is answered "no match" without a query.
#[tokio::test]
async fn a_long_meeting_with_long_addresses_is_looked_up_within_salesforces_limits() {
    use outforce_sandbox::salesforce::schema::{Field, Kind, TextFlavor};
    let w = world().await;
    w.connect(REP_A).await;
    for name in ["Work_Email__c", "Home_Email__c"] {
        let field = Field::new(
            name,
            name,
            Kind::Text {
                flavor: TextFlavor::Email,
                length: 80,
            },
        );
        w.sf.add_field(&w.org_id, "Contact", field).unwrap();
    }
    let fields = json!({ "contact": ["Work_Email__c", "Home_Email__c"] });
    let (status, set) = w
        .admin(Method::PUT, "/api/v1/admin/matching", Some(fields))
        .await;
    assert_eq!(status, 200, "{set}");
    let address = |i: usize| format!("{}{i:03}@long-meeting.example", "attendee".repeat(7));
    assert_eq!(address(0).len(), 80);
    let contact = w.seed(
        "Contact",
        json!({ "LastName": "Doe", "Work_Email__c": address(321) }),
    );
    let too_long = format!("{}@{}.example", "a".repeat(64), "b".repeat(50));
    let mut attendees: Vec<Value> = (0..499).map(|i| attendee(&address(i))).collect();
    attendees.push(attendee(&too_long));

    let before = w.sf.calls("composite");
    let (status, body) = w.matches(REP_A, json!(attendees)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(w.sf.calls("composite") - before, 1, "one call");
    let found = body["attendees"].as_array().unwrap();
    assert_eq!(found[321]["matches"][0]["id"], contact.as_str());
    assert_eq!(found[499]["matches"], json!([]));

    let before = w.sf.calls("composite");
    let (status, body) = w
        .matches(
            REP_A,
            json!([attendee(&format!(
                "{}@{}.example",
                "c".repeat(64),
                "d".repeat(30)
            ))]),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["attendees"][0]["matches"], json!([]));
    assert_eq!(
        w.sf.calls("composite"),
        before,
        "no field holds it: nothing asked"
    );
}
