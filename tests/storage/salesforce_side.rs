use outforce::storage::Db;
use outforce::storage::event_links::{self, LinkState, salesforce_side};
use outforce::sync::model::content::Content;
use serde_json::json;

use super::{later, seed_user, t0};
use crate::on_both_databases;

on_both_databases!(a_meeting_from_salesforce_is_linked_once_kept_in_step_and_dropped);

fn content(subject: &str) -> Content {
    Content::of_fields(
        json!({ "Subject": subject, "IsAllDayEvent": false,
                "StartDateTime": "2026-12-08T15:00:00.000+0000",
                "EndDateTime": "2026-12-08T16:00:00.000+0000" })
        .as_object()
        .unwrap(),
    )
}

async fn a_meeting_from_salesforce_is_linked_once_kept_in_step_and_dropped(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    let first = content("Renewal");
    let new = salesforce_side::FromSalesforce {
        user_id: &user.id,
        outlook_event_id: "AAMkAGI2-from-salesforce",
        salesforce_event_id: "00U000000000001AAA",
        outlook_change_key: Some("ck-1"),
        who_ids: &["003000000000001AAA".to_string()],
        what_id: None,
        content: &first,
        start: later(60),
        end: later(120),
    };
    let link = salesforce_side::create(&db, &new, t0()).await.unwrap();
    assert!(link.selected && link.from_salesforce);
    assert_eq!(link.state, LinkState::Synced);
    assert_eq!(link.outlook_content.as_ref().map(|c| &c.0), Some(&first));
    assert_eq!(link.salesforce_content.as_ref().map(|c| &c.0), Some(&first));
    // Made again after a crash: the same link.
    let again = salesforce_side::create(&db, &new, later(1)).await.unwrap();
    assert_eq!(again.id, link.id);

    let found = salesforce_side::find_many(&db, &user.id, &["00U000000000001AAA", "00Unone"])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);

    let moved = content("Renewal (moved)");
    salesforce_side::record_contents(&db, &link.id, None, Some(&moved))
        .await
        .unwrap();
    let kept = event_links::find(&db, &link.id).await.unwrap().unwrap();
    assert_eq!(
        kept.outlook_content.map(|c| c.0),
        Some(first),
        "left as it was"
    );
    assert_eq!(kept.salesforce_content.map(|c| c.0), Some(moved));

    salesforce_side::unlink(
        &db,
        &link.id,
        outforce::sync::model::codes::LinkCode::SalesforceDeleted,
        later(2),
    )
    .await
    .unwrap();
    let dropped = event_links::find(&db, &link.id).await.unwrap().unwrap();
    assert!(!dropped.selected);
    assert_eq!(dropped.salesforce_event_id, None);
    assert_eq!(dropped.state, LinkState::Removed);
    assert_eq!(
        dropped.last_error_code.map(|c| c.as_str()),
        Some("salesforce_deleted")
    );
}
