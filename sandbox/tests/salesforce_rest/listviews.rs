use super::fixture::org;

#[tokio::test]
async fn a_list_views_describe_query_runs_and_matches_its_results() {
    let org = org();
    let acme = org.account("Acme");
    org.contact("Jane", "Doe", "jane@acme.example", Some(&acme));
    org.contact("John", "Roe", "john@acme.example", Some(&acme));
    org.contact("Zed", "Other", "zed@other.example", None);
    let view = org
        .sf
        .add_list_view(
            &org.org_id,
            "Contact",
            "Acme contacts",
            &["Name", "Email", "Account.Name"],
            Some("Account.Name = 'Acme'"),
        )
        .unwrap();

    let list = org.get("sobjects/Contact/listviews").await;
    assert_eq!(list.body["sobjectType"], "Contact");
    assert_eq!(list.body["listviews"][0]["id"], view.as_str());
    assert_eq!(list.body["listviews"][0]["soqlCompatible"], true);

    let described = org
        .get(&format!("sobjects/Contact/listviews/{view}/describe"))
        .await;
    let soql = described.body["query"].as_str().unwrap();
    let queried = org.query(soql).await;
    assert_eq!(queried.status, 200, "its own query parses: {soql}");
    assert_eq!(queried.body["totalSize"], 2);

    let results = org
        .get(&format!(
            "sobjects/Contact/listviews/{view}/results?limit=1"
        ))
        .await;
    assert_eq!(results.body["size"], 2);
    assert_eq!(results.body["done"], false);
    let columns = results.body["records"][0]["columns"].as_array().unwrap();
    assert_eq!(columns[0]["fieldNameOrPath"], "Name");
    assert_eq!(columns[0]["value"], "Jane Doe");
    assert_eq!(columns[2]["value"], "Acme");
}
