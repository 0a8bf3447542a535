use outforce::matching::EmailAddress;
use outforce::people::{AccountRow, AccountRule, choose_account, company_from, name_from};
use outforce::relations::{Kind, check};
use outforce::salesforce::records::{like_contains, sosl_prefix_term};
use outforce_sandbox::salesforce::Salesforce;
use outforce_sandbox::tls::Authority;
use proptest::prelude::*;
use serde_json::json;

fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).unwrap()
}

fn account(id: &str, name: &str, created: &str) -> AccountRow {
    AccountRow {
        id: id.into(),
        name: name.into(),
        created: created.into(),
    }
}

#[test]
fn names_come_from_the_display_name_or_the_address() {
    let jane = email("jane.doe@acme.example");
    let name = |display: Option<&str>| {
        let n = name_from(display, &jane);
        (n.first, n.last)
    };
    let both = |f: &str, l: &str| (Some(f.to_string()), l.to_string());
    assert_eq!(name(Some("Jane Doe")), both("Jane", "Doe"));
    assert_eq!(name(Some("Doe, Jane")), both("Jane", "Doe"));
    assert_eq!(
        name(Some("Jane van der Berg")),
        both("Jane", "van der Berg")
    );
    assert_eq!(name(Some("'Jane Doe (Acme)'")), both("Jane", "Doe"));
    assert_eq!(name(Some("Cher")), (None, "Cher".into()));
    assert_eq!(name(Some("jane.doe@acme.example")), both("Jane", "Doe"));
    assert_eq!(name(None), both("Jane", "Doe"));
    let plus = name_from(None, &email("j_smith+crm@acme.example"));
    assert_eq!(
        (plus.first.as_deref(), plus.last.as_str()),
        (Some("J"), "Smith")
    );
}

#[test]
fn a_company_comes_from_the_domain_unless_it_is_a_personal_mailbox() {
    let company = |address: &str| company_from(&email(address));
    assert_eq!(company("a@acme.example").as_deref(), Some("Acme"));
    assert_eq!(
        company("a@mail.globex-corp.co.uk").as_deref(),
        Some("Globex Corp")
    );
    assert_eq!(company("a@initech.com.au").as_deref(), Some("Initech"));
    assert_eq!(company("a@gmail.com"), None);
    assert_eq!(company("a@outlook.com"), None);
}

#[test]
fn the_account_rule_prefers_exact_then_earliest_then_the_only_one_containing() {
    let exact = [
        account("001B", "ACME", "2024-05-01T00:00:00.000+0000"),
        account("001C", "Acme", "2023-01-01T00:00:00.000+0000"),
        account("001A", "acme", "2023-01-01T00:00:00.000+0000"),
    ];
    let choice = choose_account("Acme", &exact, &[]);
    assert_eq!(choice.rule, AccountRule::ExactName);
    assert_eq!(
        choice.account.unwrap().id,
        "001A",
        "the earliest created; the Id breaks a tie"
    );

    let one = [account(
        "001D",
        "The Acme Group",
        "2024-01-01T00:00:00.000+0000",
    )];
    let choice = choose_account("acme", &[], &one);
    assert_eq!(choice.rule, AccountRule::OnlyContaining);
    assert_eq!(choice.account.unwrap().id, "001D");

    let two = [
        one[0].clone(),
        account("001E", "Acme West", "2024-02-01T00:00:00.000+0000"),
    ];
    let choice = choose_account("acme", &[], &two);
    assert_eq!(choice.rule, AccountRule::NoAccount);
    assert!(choice.account.is_none());
    assert_eq!(
        choose_account("acme", &[], &[]).rule,
        AccountRule::NoAccount
    );
}

#[test]
fn ids_are_told_apart_by_their_key_prefix() {
    assert_eq!(Kind::of("003000000000001AAA"), Some(Kind::Contact));
    assert_eq!(Kind::of("00Q000000000001"), Some(Kind::Lead));
    assert_eq!(Kind::of("500000000000001AAA"), Some(Kind::Case));
    assert_eq!(Kind::of("003000000000001AA"), None, "17 characters");
    assert_eq!(Kind::of("003000000000001AA'"), None);
    assert_eq!(Kind::of("00U000000000001AAA"), None);
    let fifty: Vec<String> = (0..50).map(|n| format!("003{n:012}AAA")).collect();
    assert!(check(&fifty, Some("006000000000001AAA")).is_ok());
}

/// One org shared by every generated case (the sandbox is in-process and quick).
fn org() -> (Salesforce, String, Authority) {
    let authority = Authority::new().unwrap();
    let sf = Salesforce::start(&authority).unwrap();
    let org = sf.add_org("Props", 1_000_000);
    sf.create_record(&org.id, "Account", json!({ "Name": "decoy" }))
        .unwrap();
    (sf, org.id, authority)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// Whatever a company name holds, the LIKE query is well formed and finds the Accounts
    /// whose names contain it literally, never the decoy.
    #[test]
    fn any_company_name_becomes_a_well_formed_like_matching_it_literally(
        company in "[a-zA-Z0-9 '\\\\%_&()-]{1,20}"
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let _entered = runtime.enter();
        let (sf, org, _authority) = org();
        let id = sf
            .create_record(&org, "Account", json!({ "Name": format!("x{company}y") }))
            .unwrap();
        let soql = format!(
            "SELECT Id FROM Account WHERE Name LIKE '%{}%'",
            like_contains(&company)
        );
        let rows = sf.query(&org, &soql).unwrap();
        let ids: Vec<&str> = rows.iter().filter_map(|r| r["Id"].as_str()).collect();
        prop_assert!(ids.contains(&id.as_str()), "{soql}");
        let decoy_found = ids.len() > 1;
        prop_assert_eq!(decoy_found, "decoy".contains(&company.to_lowercase()), "{}", soql);
    }

    /// Whatever the rep types, the search term is one well-formed SOSL term.
    #[test]
    fn any_typed_text_becomes_a_well_formed_search(typed in "\\PC{2,30}") {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let _entered = runtime.enter();
        let (sf, org, _authority) = org();
        let Some(term) = sosl_prefix_term(&typed) else {
            prop_assert!(typed
                .split_whitespace()
                .all(|w| w.chars().filter(|c| c.is_alphanumeric()).count() < 2));
            return Ok(());
        };
        let sosl = format!("FIND {{{term}}} IN NAME FIELDS RETURNING Account(Id)");
        prop_assert!(sf.search(&org, &sosl).is_ok(), "{sosl}");
    }
}
