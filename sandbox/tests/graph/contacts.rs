use serde_json::{Value, json};

use super::fixture::{REP, assert_envelope, world};

#[tokio::test]
async fn contacts_in_folders_with_delta_and_moves() {
    let w = world().await;
    let folder = w
        .app_call(
            "POST",
            &format!("users/{REP}/contactFolders"),
            Some(json!({ "displayName": "Salesforce" })),
        )
        .await;
    assert_eq!(folder.status, 201);
    let folder_id = folder.body["id"].as_str().unwrap().to_string();
    assert_envelope(
        &w.app_call(
            "POST",
            &format!("users/{REP}/contactFolders"),
            Some(json!({ "displayName": "salesforce" })),
        )
        .await,
        409,
        "ErrorFolderExists",
    );
    let child = w
        .app_call(
            "POST",
            &format!("users/{REP}/contactFolders/{folder_id}/childFolders"),
            Some(json!({ "displayName": "Leads" })),
        )
        .await;
    assert_eq!(child.status, 201);
    let children = w
        .app_call(
            "GET",
            &format!("users/{REP}/contactFolders/{folder_id}/childFolders"),
            None,
        )
        .await;
    assert_eq!(children.body["value"][0]["displayName"], "Leads");

    let created = w
        .app_call(
            "POST",
            &format!("users/{REP}/contactFolders/{folder_id}/contacts"),
            Some(json!({ "givenName": "Jane", "surname": "Doe", "emailAddresses": [{ "name": "Jane Doe", "address": "jane@acme.example" }] })),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.body["displayName"], "Jane Doe");
    assert_eq!(created.body["parentFolderId"], folder_id.as_str());
    let too_many: Vec<Value> = (0..4)
        .map(|i| json!({ "address": format!("j{i}@x.example") }))
        .collect();
    let refused = w
        .app_call(
            "POST",
            &format!("users/{REP}/contacts"),
            Some(json!({ "surname": "X", "emailAddresses": too_many })),
        )
        .await;
    assert_envelope(&refused, 400, "ErrorInvalidRequest");

    let delta_url = format!(
        "users/{REP}/contactFolders/{folder_id}/contacts/delta?$select=displayName,emailAddresses"
    );
    let first = w
        .call(
            &w.app,
            "GET",
            &delta_url,
            None,
            &[("Prefer", "IdType=\"ImmutableId\"")],
        )
        .await;
    let item = &first.body["value"][0];
    assert_eq!(item["displayName"], "Jane Doe");
    assert!(
        item.get("surname").is_none(),
        "$select is honoured on contact delta"
    );
    let immutable = item["id"].as_str().unwrap().to_string();
    let delta = first.body["@odata.deltaLink"].as_str().unwrap().to_string();

    let default = w.graph.default_contact_folder(REP).unwrap();
    w.graph.move_contact(REP, &immutable, &default).unwrap();
    let after = w
        .call(
            &w.app,
            "GET",
            &delta,
            None,
            &[("Prefer", "IdType=\"ImmutableId\"")],
        )
        .await;
    assert_eq!(after.body["value"][0]["id"], immutable.as_str());
    assert_eq!(
        after.body["value"][0]["@removed"]["reason"], "deleted",
        "moved out of the folder"
    );
    let moved = w
        .call(
            &w.app,
            "GET",
            &format!("users/{REP}/contacts/{immutable}"),
            None,
            &[("Prefer", "IdType=\"ImmutableId\"")],
        )
        .await;
    assert_eq!(
        moved.body["id"],
        immutable.as_str(),
        "the immutable id survives the move"
    );
    let regular = w
        .app_call("GET", &format!("users/{REP}/contacts/{immutable}"), None)
        .await;
    assert_ne!(regular.body["id"], immutable.as_str());
    assert_ne!(
        regular.body["id"], created.body["id"],
        "the regular id changed with the move"
    );
}

#[tokio::test]
async fn updating_email_addresses_replaces_the_whole_list() {
    let w = world().await;
    let created = w
        .app_call("POST", &format!("users/{REP}/contacts"), Some(json!({ "surname": "Doe", "emailAddresses": [{ "address": "a@x.example" }, { "address": "b@x.example" }] })))
        .await;
    let id = created.body["id"].as_str().unwrap();
    let patched = w
        .app_call(
            "PATCH",
            &format!("users/{REP}/contacts/{id}"),
            Some(json!({ "emailAddresses": [{ "address": "c@x.example" }] })),
        )
        .await;
    assert_eq!(
        patched.body["emailAddresses"],
        json!([{ "address": "c@x.example" }])
    );
    assert_eq!(
        w.app_call("DELETE", &format!("users/{REP}/contacts/{id}"), None)
            .await
            .status,
        204
    );
    let delta = w
        .app_call("GET", &format!("users/{REP}/contacts/delta"), None)
        .await;
    assert_eq!(
        delta.body["value"],
        json!([]),
        "an initial round lists only live contacts"
    );
}

#[tokio::test]
async fn contacts_are_found_by_address_with_the_filter_graph_documents() {
    let w = world().await;
    for (given, surname, address) in [
        ("Nadia", "Ivanova", "Nadia@Wayne-Analytics.example"),
        ("Nadia", "Other", "nadia@elsewhere.example"),
        ("O'Brien", "Pat", "pat.o'brien@acme.example"),
    ] {
        let created = w
            .app_call(
                "POST",
                &format!("users/{REP}/contacts"),
                Some(json!({ "givenName": given, "surname": surname, "emailAddresses": [{ "address": address }] })),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
    }
    let find = |address: &str| {
        let filter = format!(
            "emailAddresses/any(a:a/address eq '{}')",
            address.replace('\'', "''")
        );
        let query =
            serde_urlencoded::to_string([("$filter", filter.as_str()), ("$select", "surname")])
                .unwrap();
        format!("users/{REP}/contacts?{query}")
    };
    let found = w
        .app_call("GET", &find("nadia@wayne-analytics.example"), None)
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    let surnames: Vec<&str> = found.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["surname"].as_str().unwrap())
        .collect();
    assert_eq!(
        surnames,
        ["Ivanova"],
        "the address compared without case, and only it"
    );
    let quoted = w
        .app_call("GET", &find("pat.o'brien@acme.example"), None)
        .await;
    assert_eq!(quoted.body["value"][0]["surname"], "Pat");
    let none = w.app_call("GET", &find("nobody@acme.example"), None).await;
    assert_eq!(none.body["value"], json!([]));

    let other = serde_urlencoded::to_string([("$filter", "surname eq 'Pat'")]).unwrap();
    assert_envelope(
        &w.app_call("GET", &format!("users/{REP}/contacts?{other}"), None)
            .await,
        400,
        "ErrorInvalidUrlQueryFilter",
    );
}
