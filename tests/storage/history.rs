use outforce::storage::Db;
use outforce::storage::event_links::{self, Selection};
use outforce::storage::history::{self, Actor, NewEntry};
use outforce::sync::model::history::{Action, Detail};

use super::{later, seed_user, t0};
use crate::on_both_databases;

on_both_databases!(history_lists_per_link_and_pages_per_user);

async fn history_lists_per_link_and_pages_per_user(db: Db) {
    let (_, user) = seed_user(&db, "oid-1").await;
    let selection = Selection {
        user_id: &user.id,
        outlook_event_id: "AAMk-1",
        outlook_series_id: None,
        selected: true,
        who_ids: &[],
        what_id: None,
        meeting: None,
        record_names: None,
    };
    let link = event_links::selection::upsert_selection(&db, &selection, t0())
        .await
        .unwrap();
    let detail = Detail::event("00U000000000001EAA");
    let first = history::append(
        &db,
        &NewEntry {
            user_id: &user.id,
            link_id: Some(&link.id),
            actor: Actor::Rep,
            action: Action::Created,
            detail: &detail,
        },
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(first.actor, "rep");
    assert_eq!(first.detail.0, detail);
    let second = history::append(
        &db,
        &NewEntry {
            user_id: &user.id,
            link_id: Some(&link.id),
            actor: Actor::System,
            action: Action::Updated,
            detail: &Detail::default(),
        },
        later(1),
    )
    .await
    .unwrap();
    let unlinked = history::append(
        &db,
        &NewEntry {
            user_id: &user.id,
            link_id: None,
            actor: Actor::Admin,
            action: Action::SyncReset,
            detail: &Detail::default(),
        },
        later(2),
    )
    .await
    .unwrap();

    let for_link = history::list_for_link(&db, &link.id).await.unwrap();
    assert_eq!(
        for_link
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["created", "updated"]
    );

    let newest = history::list_for_user(&db, &user.id, None, 2)
        .await
        .unwrap();
    assert_eq!(
        newest.iter().map(|e| e.id).collect::<Vec<_>>(),
        [unlinked.id, second.id]
    );
    let older = history::list_for_user(&db, &user.id, Some(second.id), 10)
        .await
        .unwrap();
    assert_eq!(older.iter().map(|e| e.id).collect::<Vec<_>>(), [first.id]);
}
