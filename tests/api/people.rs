//! `POST /api/v1/contacts`, `/leads` and `/people/preview`: a missing attendee created in
//! Salesforce, under the Account the rule finds, and matched at once afterwards.

use outforce_sandbox::salesforce::DuplicateRule;
use reqwest::Method;
use serde_json::{Value, json};

use crate::world::{REP_A, World, world};

impl World {
    async fn create(&self, path: &str, body: Value) -> (u16, Value) {
        self.rep_call(REP_A, Method::POST, path, Some(body)).await
    }

    fn count(&self, sobject: &str) -> usize {
        self.sf
            .query(&self.org_id, &format!("SELECT Id FROM {sobject}"))
            .unwrap()
            .len()
    }
}

#[tokio::test]
async fn the_account_rule_takes_the_exact_name_first_then_the_only_account_containing_it() {
    let w = world().await;
    w.connect(REP_A).await;
    let acme = w.seed("Account", json!({ "Name": "Acme" }));
    w.sf.advance_clock(std::time::Duration::from_secs(60));
    let _acme_later = w.seed("Account", json!({ "Name": "ACME" }));
    let _holdings = w.seed("Account", json!({ "Name": "Acme Holdings" }));
    let globex = w.seed("Account", json!({ "Name": "The Globex Corporation" }));
    w.seed("Account", json!({ "Name": "Initech East" }));
    w.seed("Account", json!({ "Name": "Initech West" }));

    let (status, jane) = w
        .create(
            "/api/v1/contacts",
            json!({ "email": "Jane.Doe@acme.example", "name": "Jane Doe" }),
        )
        .await;
    assert_eq!(status, 201, "{jane}");
    assert_eq!(jane["account"]["rule"], "exact_name");
    assert_eq!(
        jane["account"]["account"]["id"],
        acme.as_str(),
        "of two Accounts named alike, the earliest created"
    );
    let stored =
        w.sf.record(&w.org_id, jane["id"].as_str().unwrap())
            .unwrap();
    assert_eq!(stored["FirstName"], "Jane");
    assert_eq!(stored["LastName"], "Doe");
    assert_eq!(stored["Email"], "jane.doe@acme.example");
    assert_eq!(stored["AccountId"], acme.as_str());

    let (_, bob) = w
        .create(
            "/api/v1/contacts",
            json!({ "email": "bob@globex.example", "name": "Smith, Bob" }),
        )
        .await;
    assert_eq!(bob["account"]["rule"], "only_containing");
    assert_eq!(bob["account"]["account"]["id"], globex.as_str());
    assert_eq!(
        (bob["first_name"].as_str(), bob["last_name"].as_str()),
        (Some("Bob"), Some("Smith"))
    );

    let (_, mia) = w
        .create(
            "/api/v1/contacts",
            json!({ "email": "mia@initech.example" }),
        )
        .await;
    assert_eq!(
        mia["account"]["rule"], "no_account",
        "several contain it: none is picked"
    );
    assert!(mia["account"]["account"].is_null());
    assert_eq!(
        mia["last_name"], "Mia",
        "no display name: the address's local part"
    );
    let stored = w.sf.record(&w.org_id, mia["id"].as_str().unwrap()).unwrap();
    assert!(stored["AccountId"].is_null());

    let (_, solo) = w
        .create(
            "/api/v1/contacts",
            json!({ "email": "sam.solo@gmail.com", "name": "Sam Solo" }),
        )
        .await;
    assert_eq!(solo["account"]["rule"], "no_account");
    assert!(
        solo["company"].is_null(),
        "a personal mailbox names no company"
    );
}

#[tokio::test]
async fn a_created_contact_is_matched_at_once_though_its_address_was_cached_as_unknown() {
    let w = world().await;
    w.connect(REP_A).await;
    let ask = || {
        w.rep_call(
            REP_A,
            Method::POST,
            "/api/v1/matches",
            Some(json!({ "attendees": [{ "email": "new.person@acme.example" }] })),
        )
    };
    let (_, before) = ask().await;
    assert!(
        before["attendees"][0]["matches"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let (status, created) = w
        .create(
            "/api/v1/contacts",
            json!({ "email": "new.person@acme.example", "name": "New Person" }),
        )
        .await;
    assert_eq!(status, 201);
    let (_, after) = ask().await;
    assert_eq!(after["attendees"][0]["matches"][0]["id"], created["id"]);
    assert_eq!(after["attendees"][0]["matches"][0]["kind"], "contact");
}

#[tokio::test]
async fn a_duplicate_rule_rejection_is_a_409_naming_the_existing_record() {
    let w = world().await;
    w.connect(REP_A).await;
    w.sf.add_duplicate_rule(
        &w.org_id,
        DuplicateRule {
            name: "Contact_by_email".into(),
            sobject: "Contact".into(),
            fields: vec!["Email".into()],
        },
    )
    .unwrap();
    let existing = w.seed(
        "Contact",
        json!({ "LastName": "Doe", "Email": "jane@acme.example" }),
    );
    let before = w.count("Contact");
    let (status, body) = w
        .create(
            "/api/v1/contacts",
            json!({ "email": "jane@acme.example", "name": "Jane Doe" }),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "duplicate_record");
    assert_eq!(body["error"]["existing_id"], existing.as_str());
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&existing)
    );
    assert_eq!(w.count("Contact"), before, "nothing created");
}

#[tokio::test]
async fn a_lead_takes_its_company_from_the_form_or_the_domain_and_needs_one() {
    let w = world().await;
    w.connect(REP_A).await;
    let (status, lead) = w
        .create(
            "/api/v1/leads",
            json!({ "email": "lee@mail.globex-corp.co.uk", "name": "Lee Park" }),
        )
        .await;
    assert_eq!(status, 201, "{lead}");
    assert_eq!(lead["kind"], "lead");
    let stored =
        w.sf.record(&w.org_id, lead["id"].as_str().unwrap())
            .unwrap();
    assert_eq!(stored["Company"], "Globex Corp");
    assert_eq!(stored["FirstName"], "Lee");

    let (status, body) = w
        .create("/api/v1/leads", json!({ "email": "someone@gmail.com" }))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_field");
    assert_eq!(body["error"]["field"], "company");

    let (status, typed) = w
        .create(
            "/api/v1/leads",
            json!({ "email": "someone@gmail.com", "company": "Freelance Ltd" }),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(typed["company"], "Freelance Ltd");
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_and_nothing_is_created() {
    let w = world().await;
    w.connect(REP_A).await;
    let before = w.count("Contact");
    for (body, field) in [
        (json!({ "email": "not an address" }), "email"),
        (
            json!({ "email": "x@acme.example", "first_name": "a".repeat(41) }),
            "first_name",
        ),
        (
            json!({ "email": "x@acme.example", "last_name": "b".repeat(81) }),
            "last_name",
        ),
        (
            json!({ "email": "x@acme.example", "company": "c".repeat(256) }),
            "company",
        ),
    ] {
        let (status, answer) = w.create("/api/v1/contacts", body).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["error"]["code"], "invalid_field");
        assert_eq!(answer["error"]["field"], field);
    }
    let (status, _) = w
        .create(
            "/api/v1/contacts",
            json!({ "email": "x@acme.example", "colour": "blue" }),
        )
        .await;
    assert_eq!(status, 400, "an unknown field is refused");
    assert_eq!(w.count("Contact"), before);
}

#[tokio::test]
async fn the_preview_shows_the_names_company_and_account_without_saving() {
    let w = world().await;
    w.connect(REP_A).await;
    let acme = w.seed("Account", json!({ "Name": "Acme" }));
    let before = w.count("Contact");
    let (status, preview) = w
        .create(
            "/api/v1/people/preview",
            json!({ "email": "jane.doe@acme.example", "name": "\"Doe, Jane\"" }),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert!(preview["id"].is_null());
    assert_eq!(preview["first_name"], "Jane");
    assert_eq!(preview["last_name"], "Doe");
    assert_eq!(preview["company"], "Acme");
    assert_eq!(preview["account"]["account"]["id"], acme.as_str());
    assert_eq!(w.count("Contact"), before);
}

#[tokio::test]
async fn an_excluded_address_or_domain_is_never_created() {
    let w = world().await;
    w.connect(REP_A).await;
    w.default_policy(json!({ "excluded": ["partner.example"] }))
        .await;
    for path in [
        "/api/v1/contacts",
        "/api/v1/leads",
        "/api/v1/people/preview",
    ] {
        let (status, body) = w
            .create(
                path,
                json!({ "email": "eve@Partner.example", "name": "Eve Adams", "company": "Partner" }),
            )
            .await;
        assert_eq!(status, 409, "{path}: {body}");
        assert_eq!(body["error"]["code"], "address_excluded", "{body}");
    }
    assert_eq!(w.count("Contact") + w.count("Lead"), 0, "nothing created");
}

#[tokio::test]
async fn a_contact_whose_company_finds_no_account_goes_under_the_one_the_rep_picks() {
    let w = world().await;
    w.connect(REP_A).await;
    let acme = w.seed("Account", json!({ "Name": "Acme Corporation" }));
    let body = |account_id: Value| json!({ "email": "alex@unknown-startup.example", "name": "Alex Kim", "account_id": account_id });
    let (status, preview) = w.create("/api/v1/people/preview", body(Value::Null)).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["account"]["rule"], "no_account");

    for (bad, why) in [
        (json!("003000000000001AAA"), "not an Account's Id"),
        (json!("001000000000009ZZZ"), "no such Account"),
    ] {
        let (status, refused) = w.create("/api/v1/contacts", body(bad)).await;
        assert_eq!(status, 400, "{why}: {refused}");
        assert_eq!(refused["error"]["field"], "account_id", "{why}");
    }
    let (status, refused) = w
        .create(
            "/api/v1/leads",
            json!({ "email": "alex@unknown-startup.example", "company": "Unknown", "account_id": acme }),
        )
        .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["field"], "account_id");
    assert_eq!(
        w.count("Contact") + w.count("Lead"),
        0,
        "nothing was created"
    );

    let (status, created) = w.create("/api/v1/contacts", body(json!(acme))).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["account"],
        json!({ "account": { "id": acme, "name": "Acme Corporation" }, "rule": "chosen_by_rep" })
    );
    let id = created["id"].as_str().unwrap();
    let rows =
        w.sf.query(
            &w.org_id,
            &format!("SELECT AccountId FROM Contact WHERE Id = '{id}'"),
        )
        .unwrap();
    assert_eq!(rows[0]["AccountId"], json!(acme));
}

#[tokio::test]
async fn an_attendee_known_by_one_word_is_named_as_the_reps_outlook_contact_names_them() {
    let w = world().await;
    w.connect(REP_A).await;
    w.mailbox_by_application(&["Calendars.ReadWrite", "Contacts.Read"])
        .await;
    let w = &w;
    let preview = |name: &'static str, email: &'static str| async move {
        w.create(
            "/api/v1/people/preview",
            json!({ "email": email, "name": name }),
        )
        .await
    };
    let (status, before) = preview("Nadia", "nadia@wayne-analytics.example").await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(
        (
            &before["first_name"],
            &before["last_name"],
            &before["names_from"]
        ),
        (&Value::Null, &json!("Nadia"), &json!("display_name")),
        "with nothing better, one word is the last name"
    );

    w.graph
        .create_contact(
            REP_A,
            None,
            json!({
                "givenName": "Nadia",
                "surname": "Ivanova",
                "companyName": "Wayne Analytics Ltd",
                "emailAddresses": [{ "address": "Nadia@Wayne-Analytics.example" }],
            }),
        )
        .unwrap();
    let (_, after) = preview("Nadia", "nadia@wayne-analytics.example").await;
    assert_eq!(
        (
            &after["first_name"],
            &after["last_name"],
            &after["company"],
            &after["names_from"]
        ),
        (
            &json!("Nadia"),
            &json!("Ivanova"),
            &json!("Wayne Analytics Ltd"),
            &json!("outlook_contact")
        ),
        "{after}"
    );
    // A full display name, or names the rep typed, are not second-guessed.
    let (_, full) = preview("Nadia Petrova", "nadia@wayne-analytics.example").await;
    assert_eq!(
        (&full["last_name"], &full["names_from"]),
        (&json!("Petrova"), &json!("display_name"))
    );
    let (_, typed) = w
        .create(
            "/api/v1/people/preview",
            json!({ "email": "nadia@wayne-analytics.example", "name": "Nadia", "last_name": "Smith" }),
        )
        .await;
    assert_eq!(
        (&typed["last_name"], &typed["names_from"]),
        (&json!("Smith"), &json!("form"))
    );
}
