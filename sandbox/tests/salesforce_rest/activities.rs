use serde_json::{Value, json};

use super::fixture::org;

fn meeting(extra: Value) -> Value {
    let mut body = json!({ "Subject": "Quarterly review", "StartDateTime": "2025-09-24T16:00:00Z", "EndDateTime": "2025-09-24T17:00:00.000+0000" });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body
}

#[tokio::test]
async fn event_times_are_kept_consistent() {
    let org = org();
    let created = org
        .call(
            "POST",
            "sobjects/Event",
            Some(meeting(json!({ "IsPrivate": true }))),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("00U"));
    let event = org.get(&format!("sobjects/Event/{id}")).await.body;
    assert_eq!(event["DurationInMinutes"], 60);
    assert_eq!(event["StartDateTime"], "2025-09-24T16:00:00.000+0000");
    assert_eq!(event["ActivityDateTime"], "2025-09-24T16:00:00.000+0000");
    assert_eq!(event["ActivityDate"], "2025-09-24");
    assert_eq!(event["IsPrivate"], true);
    assert_eq!(event["ShowAs"], "Busy");

    org.call(
        "PATCH",
        &format!("sobjects/Event/{id}"),
        Some(json!({ "StartDateTime": "2025-09-25T09:00:00Z" })),
    )
    .await;
    let moved = org.get(&format!("sobjects/Event/{id}")).await.body;
    assert_eq!(
        moved["EndDateTime"], "2025-09-25T10:00:00.000+0000",
        "moving the start keeps the duration"
    );

    let no_end = org
        .call(
            "POST",
            "sobjects/Event",
            Some(json!({ "StartDateTime": "2025-09-24T16:00:00Z" })),
        )
        .await;
    assert_eq!(no_end.error_code(), "REQUIRED_FIELD_MISSING");
    let backwards = org
        .call(
            "POST",
            "sobjects/Event",
            Some(meeting(json!({ "EndDateTime": "2025-09-24T15:00:00Z" }))),
        )
        .await;
    assert_eq!(backwards.error_code(), "FIELD_INTEGRITY_EXCEPTION");
    let too_long = org
        .call(
            "POST",
            "sobjects/Event",
            Some(json!({ "StartDateTime": "2025-09-01T00:00:00Z", "DurationInMinutes": 20161 })),
        )
        .await;
    assert_eq!(too_long.error_code(), "FIELD_INTEGRITY_EXCEPTION");
    let all_day = org
        .call(
            "POST",
            "sobjects/Event",
            Some(json!({ "IsAllDayEvent": true, "ActivityDate": "2025-09-26" })),
        )
        .await;
    assert_eq!(all_day.status, 201);
}

#[tokio::test]
async fn who_and_what_follow_the_lead_and_account_rules() {
    let org = org();
    let account = org.account("Acme");
    let contact = org.contact("Jane", "Doe", "jane@acme.example", Some(&account));
    let lead = org.seed("Lead", json!({ "LastName": "Lee", "Company": "Initech" }));

    let with_contact = org
        .call(
            "POST",
            "sobjects/Event",
            Some(meeting(json!({ "WhoId": contact }))),
        )
        .await;
    let id = with_contact.body["id"].as_str().unwrap();
    let event = org.get(&format!("sobjects/Event/{id}")).await.body;
    assert_eq!(
        event["AccountId"],
        account.as_str(),
        "AccountId follows the contact"
    );

    let lead_and_what = org
        .call(
            "POST",
            "sobjects/Event",
            Some(meeting(json!({ "WhoId": lead, "WhatId": account }))),
        )
        .await;
    assert_eq!(lead_and_what.status, 400);
    assert_eq!(lead_and_what.error_code(), "FIELD_INTEGRITY_EXCEPTION");
    let user_as_who = org
        .call(
            "POST",
            "sobjects/Event",
            Some(meeting(json!({ "WhoId": org.rep_id }))),
        )
        .await;
    assert_eq!(user_as_who.error_code(), "FIELD_INTEGRITY_EXCEPTION");
}

#[tokio::test]
async fn without_shared_activities_event_who_ids_is_no_column() {
    let org = org();
    let contact = org.contact("Jane", "Doe", "jane@acme.example", None);
    let answer = org
        .call(
            "POST",
            "sobjects/Event",
            Some(meeting(json!({ "EventWhoIds": [contact] }))),
        )
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.body[0]["message"],
        "No such column 'EventWhoIds' on sobject of type Event"
    );
    assert_eq!(answer.error_code(), "INVALID_FIELD");
    let invitee = org
        .call("POST", "sobjects/Event", Some(meeting(json!({}))))
        .await;
    let event = invitee.body["id"].as_str().unwrap();
    let relation = org
        .call("POST", "sobjects/EventRelation", Some(json!({ "EventId": event, "RelationId": contact, "IsParent": true, "IsInvitee": false })))
        .await;
    assert_eq!(
        relation.error_code(),
        "FIELD_INTEGRITY_EXCEPTION",
        "parent rows need Shared Activities"
    );
}

#[tokio::test]
async fn with_shared_activities_an_event_relates_to_many_contacts_or_one_lead() {
    let org = org();
    org.sf.set_shared_activities(&org.org_id, true);
    let contacts: Vec<String> = (0..3)
        .map(|i| {
            org.contact(
                "C",
                &format!("Contact{i}"),
                &format!("c{i}@x.example"),
                None,
            )
        })
        .collect();
    let created = org
        .call(
            "POST",
            "sobjects/Event",
            Some(meeting(json!({ "EventWhoIds": contacts }))),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    let event = org.get(&format!("sobjects/Event/{id}")).await.body;
    assert_eq!(
        event["WhoId"],
        contacts[0].as_str(),
        "the first becomes the primary WhoId"
    );
    let relations = org
        .query(&format!("SELECT RelationId, IsParent, IsInvitee FROM EventRelation WHERE EventId = '{id}' ORDER BY RelationId"))
        .await;
    assert_eq!(relations.body["totalSize"], 3);
    assert_eq!(relations.body["records"][0]["IsParent"], true);
    assert_eq!(relations.body["records"][0]["IsInvitee"], false);

    let invite = org
        .call(
            "POST",
            "sobjects/EventRelation",
            Some(json!({ "EventId": id, "RelationId": org.rep_id, "IsInvitee": true })),
        )
        .await;
    assert_eq!(invite.status, 201);
    assert_eq!(
        org.get(&format!("sobjects/Event/{id}")).await.body["IsGroupEvent"],
        true
    );
    let duplicate = org
        .call(
            "POST",
            "sobjects/EventRelation",
            Some(json!({ "EventId": id, "RelationId": org.rep_id, "IsInvitee": true })),
        )
        .await;
    assert_eq!(duplicate.error_code(), "DUPLICATE_VALUE");

    let many: Vec<String> = (0..51)
        .map(|i| org.contact("M", &format!("Many{i}"), &format!("m{i}@x.example"), None))
        .collect();
    let too_many = org
        .call(
            "POST",
            "sobjects/Event",
            Some(meeting(json!({ "EventWhoIds": many }))),
        )
        .await;
    assert_eq!(too_many.error_code(), "FIELD_INTEGRITY_EXCEPTION");
    let lead = org.seed("Lead", json!({ "LastName": "Lee", "Company": "Initech" }));
    let mixed = org
        .call(
            "POST",
            "sobjects/Event",
            Some(meeting(json!({ "EventWhoIds": [lead, contacts[0]] }))),
        )
        .await;
    assert_eq!(mixed.error_code(), "FIELD_INTEGRITY_EXCEPTION");

    org.call("DELETE", &format!("sobjects/Event/{id}"), None)
        .await;
    let after = org
        .get(&format!(
            "queryAll?q={}",
            super::fixture::urlencode(&format!(
                "SELECT Id, IsDeleted FROM EventRelation WHERE EventId = '{id}'"
            ))
        ))
        .await;
    let rows = after.body["records"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter().all(|r| r["IsDeleted"] == true),
        "deleting the event deletes its relations"
    );
}

#[tokio::test]
async fn an_invited_user_gets_a_child_event_that_follows_its_parent_and_goes_with_the_invitation() {
    let org = org();
    let colleague = org
        .sf
        .add_user(&org.org_id, "blake@contoso.example", "Blake", "Rep")
        .id;
    let created = org
        .call("POST", "sobjects/Event", Some(meeting(json!({}))))
        .await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let invite = org
        .call(
            "POST",
            "sobjects/EventRelation",
            Some(json!({ "EventId": id, "RelationId": colleague, "IsInvitee": true })),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.body);
    let relation = invite.body["id"].as_str().unwrap().to_string();
    let found = children(&org).await;
    assert_eq!(found.len(), 1, "one child, in the invitee's calendar");
    assert_eq!(found[0]["OwnerId"], json!(colleague));
    assert_eq!(found[0]["Subject"], "Quarterly review");
    let child = found[0]["Id"].as_str().unwrap().to_string();

    // The parent moves: so does the child.
    let moved = org
        .call(
            "PATCH",
            &format!("sobjects/Event/{id}"),
            Some(json!({ "Subject": "Quarterly review (moved)", "StartDateTime": "2025-09-25T16:00:00Z", "EndDateTime": "2025-09-25T17:00:00Z" })),
        )
        .await;
    assert_eq!(moved.status, 204);
    let found = children(&org).await;
    assert_eq!(found[0]["Subject"], "Quarterly review (moved)");
    assert_eq!(found[0]["StartDateTime"], "2025-09-25T16:00:00.000+0000");

    // A child takes no relation of its own.
    let refused = org
        .call(
            "POST",
            "sobjects/EventRelation",
            Some(json!({ "EventId": child, "RelationId": org.rep_id, "IsInvitee": true })),
        )
        .await;
    assert_eq!(refused.error_code(), "INVALID_CROSS_REFERENCE_KEY");

    // The invitation withdrawn: the child goes.
    let withdrawn = org
        .call(
            "DELETE",
            &format!("sobjects/EventRelation/{relation}"),
            None,
        )
        .await;
    assert_eq!(withdrawn.status, 204);
    assert!(children(&org).await.is_empty());
}

async fn children(org: &super::fixture::Org) -> Vec<Value> {
    let soql = "SELECT Id, OwnerId, Subject, StartDateTime FROM Event WHERE IsChild = true";
    org.query(soql).await.body["records"]
        .as_array()
        .unwrap()
        .clone()
}
