use outforce::matching::{
    EmailAddress, ExtraEmailFields, Found, Named, Reason, RecordKind, RecordRow, explain,
};
use outforce::salesforce::lookup::email_list;
use outforce_sandbox::salesforce::Salesforce;
use outforce_sandbox::tls::Authority;
use proptest::prelude::*;

fn row(kind: RecordKind, id: &str, account: bool, modified: &str) -> RecordRow {
    RecordRow {
        kind,
        id: id.into(),
        name: id.into(),
        email: Some(EmailAddress::parse("jane@acme.example").unwrap()),
        extra_emails: Vec::new(),
        account: account.then(|| Named {
            id: "001A".into(),
            name: "Acme".into(),
        }),
        company: None,
        owner: None,
        last_modified: modified.into(),
    }
}

#[test]
fn contacts_with_an_account_come_first_then_newest_then_leads() {
    let email = EmailAddress::parse("Jane@Acme.example").unwrap();
    let found = Found {
        records: vec![
            row(
                RecordKind::Lead,
                "00Q1",
                false,
                "2026-03-01T00:00:00.000+0000",
            ),
            row(
                RecordKind::Contact,
                "003old",
                true,
                "2025-01-01T00:00:00.000+0000",
            ),
            row(
                RecordKind::Contact,
                "003loose",
                false,
                "2026-06-01T00:00:00.000+0000",
            ),
            row(
                RecordKind::Contact,
                "003new",
                true,
                "2026-01-01T00:00:00.000+0000",
            ),
        ],
        users: Vec::new(),
    };
    let ids: Vec<String> = explain(&email, &found)
        .matches
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, ["003new", "003old", "003loose", "00Q1"]);
}

#[test]
fn an_internationalised_domain_is_one_address_in_either_spelling() {
    let unicode = EmailAddress::parse("Nadia@Bücher.example").unwrap();
    let puny = EmailAddress::parse("nadia@xn--bcher-kva.EXAMPLE").unwrap();
    assert_eq!(unicode, puny);
    assert_eq!(unicode.as_str(), "nadia@bücher.example");
    assert_eq!(
        unicode.spellings().collect::<Vec<_>>(),
        ["nadia@bücher.example", "nadia@xn--bcher-kva.example"]
    );
    let plain = EmailAddress::parse("jane@acme.example").unwrap();
    assert_eq!(plain.spellings().count(), 1);
}

#[test]
fn addresses_are_refused_unless_they_can_be_one() {
    for bad in [
        "",
        "plain",
        "two@@x.example",
        "a b@x.example",
        "a@x",
        "a@-x.example",
        "a@x..example",
        "<a@x.example>",
        "a@x.example,b@y.example",
        "a\u{0}@x.example",
        "\"unclosed@x.example",
        "\"a\"b\"@x.example",
        "\"tab\there\"@x.example",
    ] {
        assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
    }
    for quoted in [
        "\"john doe\"@acme.example",
        "\"a@b\"@x.example",
        "\"say \\\"hi\\\"\"@x.example",
    ] {
        assert!(EmailAddress::parse(quoted).is_ok(), "{quoted:?}");
    }
    assert_eq!(
        EmailAddress::parse(" Jane.Doe+CRM@Acme.Example ")
            .unwrap()
            .as_str(),
        "jane.doe+crm@acme.example"
    );
}

/// One org with a decoy contact, shared by every case (the sandbox is in-process and quick).
fn org() -> (Salesforce, String, Authority) {
    let authority = Authority::new().unwrap();
    let sf = Salesforce::start(&authority).unwrap();
    let org = sf.add_org("Property", 1_000_000);
    sf.create_record(
        &org.id,
        "Contact",
        serde_json::json!({ "LastName": "Decoy", "Email": "decoy@acme.example" }),
    )
    .unwrap();
    (sf, org.id, authority)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Property: any string the pane could send either is refused, or becomes a well-formed
    /// query that finds the contact with exactly that address and nothing else.
    #[test]
    fn any_address_becomes_a_well_formed_query_matching_only_itself(
        local in r#"[a-zA-Z0-9'\\%_"+.=!#$&*/?^`{|}~-]{1,20}"#,
        domain in "[a-z0-9-]{1,10}",
        tld in "(example|test|invalid)",
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let _entered = runtime.enter();
        let (sf, org, _authority) = org();
        let text = format!("{local}@{domain}.{tld}");
        let Ok(email) = EmailAddress::parse(&text) else {
            return Ok(());
        };
        let seeded = sf
            .create_record(
                &org,
                "Contact",
                serde_json::json!({ "LastName": "Target", "Email": email.as_str() }),
            )
            .ok();
        let soql = format!(
            "SELECT Id FROM Contact WHERE Email IN ({})",
            email_list(std::slice::from_ref(&email))
        );
        let rows = sf.query(&org, &soql);
        prop_assert!(rows.is_ok(), "{soql}: {:?}", rows.err());
        let ids: Vec<String> = rows
            .unwrap()
            .iter()
            .map(|r| r["Id"].as_str().unwrap().to_string())
            .collect();
        match seeded {
            Some(id) => prop_assert_eq!(ids, vec![id]),
            // Salesforce's own email rule refused the address: nothing else may match.
            None => prop_assert!(ids.is_empty(), "{ids:?}"),
        }
    }
}

#[test]
fn a_match_on_an_extra_email_field_says_which_and_ranks_after_the_primary_email() {
    let email = EmailAddress::parse("jane@acme.example").unwrap();
    let mut by_work_email = row(
        RecordKind::Contact,
        "003work",
        true,
        "2027-01-01T00:00:00.000+0000",
    );
    by_work_email.email = Some(EmailAddress::parse("jane.private@mail.example").unwrap());
    by_work_email.extra_emails = vec![("Work_Email__c".into(), email.clone())];
    let found = Found {
        records: vec![
            by_work_email,
            row(
                RecordKind::Contact,
                "003main",
                true,
                "2020-01-01T00:00:00.000+0000",
            ),
        ],
        users: Vec::new(),
    };
    let explained = explain(&email, &found);
    let ids: Vec<&str> = explained.matches.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        ["003main", "003work"],
        "the primary email first, however new the other"
    );
    assert_eq!(explained.matches[0].reason, Reason::PrimaryEmail);
    assert_eq!(explained.matches[1].reason, Reason::ExtraEmail);
    assert_eq!(explained.matches[1].field.as_deref(), Some("Work_Email__c"));
}

#[test]
fn extra_email_fields_must_be_custom_fields_named_once() {
    let fields = |contact: &[&str]| ExtraEmailFields {
        contact: contact.iter().map(|f| f.to_string()).collect(),
        lead: Vec::new(),
    };
    assert!(
        fields(&["Work_Email__c", "npe01__AlternateEmail__c"])
            .checked()
            .is_ok()
    );
    for (bad, at) in [
        (vec!["Email"], "contact[0]"),
        (vec!["Work_Email__c", "work_email__c"], "contact[1]"),
        (vec!["x__c) OR Name != null OR (Email__c"], "contact[0]"),
        (vec!["1st__c"], "contact[0]"),
        (
            vec!["A__c", "B__c", "C__c", "D__c", "E__c", "F__c"],
            "contact",
        ),
    ] {
        let refused = fields(&bad).checked().unwrap_err();
        assert_eq!(refused.0, at, "{bad:?}");
    }
}
