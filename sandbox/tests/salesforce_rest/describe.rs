use outforce_sandbox::salesforce::schema::{Field, Kind, TextFlavor};
use serde_json::json;

use super::fixture::org;

#[tokio::test]
async fn describe_lists_objects_fields_and_custom_fields_added_at_run_time() {
    let org = org();
    let global = org.get("sobjects").await;
    let contact = global.body["sobjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "Contact")
        .unwrap()
        .clone();
    assert_eq!(contact["keyPrefix"], "003");
    assert_eq!(
        contact["urls"]["describe"],
        "/services/data/v64.0/sobjects/Contact/describe"
    );
    assert_eq!(global.body["maxBatchSize"], 200);

    org.sf
        .add_field(
            &org.org_id,
            "Contact",
            Field::new(
                "Work_Email__c",
                "Work Email",
                Kind::Text {
                    flavor: TextFlavor::Email,
                    length: 80,
                },
            ),
        )
        .unwrap();
    let described = org.get("sobjects/Contact/describe").await;
    let field = |name: &str| {
        described.body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
    };
    let email = field("Email").unwrap();
    assert_eq!(email["type"], "email");
    assert_eq!(email["updateable"], true);
    let account = field("AccountId").unwrap();
    assert_eq!(account["referenceTo"], json!(["Account"]));
    assert_eq!(account["relationshipName"], "Account");
    assert_eq!(field("Name").unwrap()["updateable"], false);
    let custom = field("Work_Email__c").unwrap();
    assert_eq!(custom["custom"], true);

    let id = org.seed(
        "Contact",
        json!({ "LastName": "Doe", "Work_Email__c": "doe@work.example" }),
    );
    let found = org
        .query("SELECT Id FROM Contact WHERE Work_Email__c = 'doe@work.example'")
        .await;
    assert_eq!(found.body["records"][0]["Id"], id.as_str());
    assert_eq!(org.get("sobjects/Nope/describe").await.status, 404);
}

#[tokio::test]
async fn event_who_ids_exists_only_with_shared_activities() {
    let org = org();
    let has_who_ids = |body: &serde_json::Value| {
        body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "EventWhoIds")
    };
    assert!(!has_who_ids(&org.get("sobjects/Event/describe").await.body));
    org.sf.set_shared_activities(&org.org_id, true);
    let described = org.get("sobjects/Event/describe").await;
    assert!(has_who_ids(&described.body));
}

#[tokio::test]
async fn versions_31_to_68_are_served_and_others_are_not_found() {
    let org = org();
    let versions = org.call_with("GET", "/services/data/", None, &[]).await;
    let listed: Vec<&str> = versions
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(listed.first(), Some(&"31.0"));
    assert_eq!(listed.last(), Some(&"68.0"));
    assert_eq!(versions.body[0]["url"], "/services/data/v31.0");
    assert_eq!(
        org.call_with("GET", "/services/data/v67.0/limits", None, &[])
            .await
            .status,
        200
    );
    for unknown in ["v30.0", "v69.0"] {
        let answer = org
            .call_with(
                "GET",
                &format!("/services/data/{unknown}/limits"),
                None,
                &[],
            )
            .await;
        assert_eq!(answer.status, 404, "{unknown}");
        assert_eq!(answer.error_code(), "NOT_FOUND");
    }
}

/// A describe carries every documented member of DescribeSObjectResult and of Field (the SOAP
/// and REST API references: "DescribeSObjectResult", "Field"), the child relationships that
/// point at the object, and its Master record type.
#[tokio::test]
async fn a_describe_carries_every_documented_member() {
    let org = org();
    let account = org.get("sobjects/Account/describe").await.body;
    for member in [
        "actionOverrides",
        "activateable",
        "associateEntityType",
        "associateParentEntity",
        "childRelationships",
        "compactLayoutable",
        "createable",
        "custom",
        "customSetting",
        "deepCloneable",
        "defaultImplementation",
        "deletable",
        "deprecatedAndHidden",
        "extendedBy",
        "extendsInterfaces",
        "feedEnabled",
        "fields",
        "hasSubtypes",
        "implementedBy",
        "implementsInterfaces",
        "isInterface",
        "isSubtype",
        "keyPrefix",
        "label",
        "labelPlural",
        "layoutable",
        "listviewable",
        "lookupLayoutable",
        "mergeable",
        "mruEnabled",
        "name",
        "namedLayoutInfos",
        "networkScopeFieldName",
        "queryable",
        "recordTypeInfos",
        "replicateable",
        "retrieveable",
        "searchLayoutable",
        "searchable",
        "sobjectDescribeOption",
        "supportedScopes",
        "triggerable",
        "undeletable",
        "updateable",
        "urls",
    ] {
        assert!(account.get(member).is_some(), "the describe lacks {member}");
    }
    for url in [
        "sobject",
        "describe",
        "rowTemplate",
        "layouts",
        "compactLayouts",
        "listviews",
        "quickActions",
    ] {
        assert!(account["urls"][url].is_string(), "urls lacks {url}");
    }
    let children = account["childRelationships"].as_array().unwrap();
    assert!(
        children.iter().any(|c| c["childSObject"] == "Contact"
            && c["field"] == "AccountId"
            && c["relationshipName"] == "Contacts"),
        "{children:?}"
    );
    assert_eq!(account["recordTypeInfos"][0]["master"], true);

    let name = account["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Name")
        .unwrap();
    for member in [
        "aggregatable",
        "aiPredictionField",
        "autoNumber",
        "byteLength",
        "calculated",
        "calculatedFormula",
        "cascadeDelete",
        "caseSensitive",
        "compoundFieldName",
        "controllerName",
        "createable",
        "custom",
        "defaultValue",
        "defaultValueFormula",
        "defaultedOnCreate",
        "dependentPicklist",
        "deprecatedAndHidden",
        "digits",
        "displayLocationInDecimal",
        "encrypted",
        "externalId",
        "extraTypeInfo",
        "filterable",
        "filteredLookupInfo",
        "formulaTreatNullNumberAsZero",
        "groupable",
        "highScaleNumber",
        "htmlFormatted",
        "idLookup",
        "inlineHelpText",
        "label",
        "length",
        "mask",
        "maskType",
        "name",
        "nameField",
        "namePointing",
        "nillable",
        "permissionable",
        "picklistValues",
        "polymorphicForeignKey",
        "precision",
        "queryByDistance",
        "referenceTargetField",
        "referenceTo",
        "relationshipName",
        "relationshipOrder",
        "restrictedDelete",
        "restrictedPicklist",
        "scale",
        "searchPrefilterable",
        "soapType",
        "sortable",
        "type",
        "unique",
        "updateable",
        "writeRequiresMasterRead",
    ] {
        assert!(name.get(member).is_some(), "a field lacks {member}");
    }
    assert_eq!(name["nameField"], true);
    assert_eq!(name["byteLength"], name["length"].as_u64().unwrap() * 3);
}
