//! A meeting's content on both sides, and bringing the sides in step part by part (rule 4).

use outforce::sync::model::content::{Content, Part};
use outforce::sync::model::history::Side;
use outforce::sync::model::reconcile::{Conflict, Sides, reconcile};
use outforce::sync::model::settings::ConflictPolicy;
use outforce::sync::model::to_graph::{to_graph, without_related};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

fn meeting(subject: &str, start: &str, location: &str) -> Content {
    Content::of_fields(&fields(json!({
        "Subject": subject,
        "IsAllDayEvent": false,
        "StartDateTime": start,
        "EndDateTime": "2026-12-08T16:00:00.000+0000",
        "Location": location,
        "Description": "",
        "ShowAs": "Busy",
        "IsPrivate": false,
    })))
}

#[test]
fn the_event_salesforce_returns_is_the_content_we_wrote() {
    let written = meeting("Kickoff", "2026-12-08T15:00:00.000+0000", "Room 1");
    let returned = Content::of_fields(&fields(json!({
        "Id": "00U000000000001AAA",
        "Subject": "Kickoff",
        "IsAllDayEvent": false,
        "StartDateTime": "2026-12-08T15:00:00.000+0000",
        "EndDateTime": "2026-12-08T16:00:00.000Z",
        "ActivityDate": "2026-12-08",
        "DurationInMinutes": 60,
        "Location": "Room 1",
        "Description": null,
        "ShowAs": "Busy",
        "IsPrivate": false,
        "SystemModstamp": "2026-12-08T10:00:00.000+0000",
    })));
    assert_eq!(returned, written, "no echo is taken for a change");
}

#[test]
fn an_all_day_meeting_is_its_dates_whatever_its_times_say() {
    let a = Content::of_fields(&fields(json!({
        "IsAllDayEvent": true, "ActivityDate": "2026-12-10", "DurationInMinutes": 2880,
        "StartDateTime": "2026-12-10T00:00:00.000+0000",
    })));
    let b = Content::of_fields(&fields(json!({
        "IsAllDayEvent": true, "ActivityDate": "2026-12-10", "DurationInMinutes": 2880,
    })));
    assert_eq!(a, b);
    let graph = to_graph(&a, None);
    assert_eq!(graph["isAllDay"], true);
    assert_eq!(graph["start"]["dateTime"], "2026-12-10T00:00:00");
    assert_eq!(graph["end"]["dateTime"], "2026-12-12T00:00:00");
}

#[test]
fn the_related_paragraph_is_no_part_of_the_description() {
    assert_eq!(
        without_related("Agenda\n\nRelated in Salesforce: Jane Doe (Contact)"),
        "Agenda"
    );
    assert_eq!(without_related("Related in Salesforce: Jane Doe"), "");
    assert_eq!(without_related("Agenda"), "Agenda");
    let body = to_graph(
        &Content::of_fields(&fields(json!({ "Description": "Agenda" }))),
        Some("Jane Doe (Contact)"),
    );
    let text = body["body"]["content"].as_str().unwrap();
    assert_eq!(without_related(text), "Agenda");
}

fn sides<'a>(ob: &'a Content, on: &'a Content, sb: &'a Content, sn: &'a Content) -> Sides<'a> {
    Sides {
        outlook_base: Some(ob),
        outlook_now: on,
        salesforce_base: Some(sb),
        salesforce_now: sn,
        outlook_changed_at: None,
        salesforce_changed_at: None,
    }
}

#[test]
fn different_parts_changed_on_each_side_are_merged_with_no_conflict() {
    let base = meeting("Kickoff", "2026-12-08T15:00:00.000+0000", "Room 1");
    let outlook = meeting("Kickoff", "2026-12-08T15:00:00.000+0000", "Room 9");
    let salesforce = meeting("Kickoff (v2)", "2026-12-08T15:00:00.000+0000", "Room 1");
    let plan = reconcile(
        &sides(&base, &outlook, &base, &salesforce),
        ConflictPolicy::SalesforceWins,
    );
    assert!(plan.conflicts.is_empty());
    assert_eq!(
        plan.to_outlook.get(Part::Subject),
        Some(&json!("Kickoff (v2)"))
    );
    assert_eq!(
        plan.to_salesforce.get(Part::Location),
        Some(&json!("Room 9"))
    );
    assert_eq!(plan.to_outlook.0.len() + plan.to_salesforce.0.len(), 2);
}

#[test]
fn one_part_changed_differently_on_both_sides_goes_to_the_policys_winner() {
    let base = meeting("Kickoff", "2026-12-08T15:00:00.000+0000", "Room 1");
    let outlook = meeting(
        "Kickoff (Outlook)",
        "2026-12-08T15:00:00.000+0000",
        "Room 1",
    );
    let salesforce = meeting(
        "Kickoff (Salesforce)",
        "2026-12-08T15:00:00.000+0000",
        "Room 1",
    );
    let mut s = sides(&base, &outlook, &base, &salesforce);
    let plan = reconcile(&s, ConflictPolicy::SalesforceWins);
    assert_eq!(
        plan.to_outlook.get(Part::Subject),
        Some(&json!("Kickoff (Salesforce)"))
    );
    assert!(plan.to_salesforce.0.is_empty());
    let Conflict { winner, .. } = &plan.conflicts[0];
    assert_eq!(*winner, Side::Salesforce);
    assert_eq!(plan.conflicts[0].loser_value(), &json!("Kickoff (Outlook)"));

    let plan = reconcile(&s, ConflictPolicy::OutlookWins);
    assert_eq!(
        plan.to_salesforce.get(Part::Subject),
        Some(&json!("Kickoff (Outlook)"))
    );

    let at = |t: &str| Some(t.parse::<chrono::DateTime<chrono::Utc>>().unwrap());
    s.outlook_changed_at = at("2026-12-08T10:00:05Z");
    s.salesforce_changed_at = at("2026-12-08T10:00:01Z");
    let plan = reconcile(&s, ConflictPolicy::NewestWins);
    assert_eq!(
        plan.conflicts[0].winner,
        Side::Outlook,
        "Outlook changed last"
    );
}

#[test]
fn the_same_change_on_both_sides_is_no_conflict() {
    let base = meeting("Kickoff", "2026-12-08T15:00:00.000+0000", "Room 1");
    let both = meeting("Kickoff (v2)", "2026-12-08T15:00:00.000+0000", "Room 1");
    let plan = reconcile(
        &sides(&base, &both, &base, &both),
        ConflictPolicy::OutlookWins,
    );
    assert!(plan.is_empty() && plan.conflicts.is_empty());
}

#[test]
fn a_part_one_side_does_not_carry_is_never_sent_to_it() {
    // A private meeting synced as time and attendees only: Salesforce has no subject of it.
    let full = meeting(
        "Acquisition talks",
        "2026-12-08T15:00:00.000+0000",
        "Room 1",
    );
    let mut metadata = full.clone();
    metadata.0.remove(&Part::Subject);
    let renamed = meeting(
        "Acquisition (final)",
        "2026-12-08T15:00:00.000+0000",
        "Room 1",
    );
    let mut renamed_metadata = renamed.clone();
    renamed_metadata.0.remove(&Part::Subject);
    let salesforce = full.clone();
    let plan = reconcile(
        &sides(&metadata, &renamed_metadata, &full, &salesforce),
        ConflictPolicy::OutlookWins,
    );
    assert!(plan.to_salesforce.get(Part::Subject).is_none());
}

fn content_strategy() -> impl Strategy<Value = Content> {
    (0..3usize, 0..3usize, 0..3usize).prop_map(|(s, t, l)| {
        let start = format!("2026-12-0{}T15:00:00.000+0000", t + 1);
        meeting(&format!("Subject {s}"), &start, &format!("Room {l}"))
    })
}

proptest! {
    /// After the plan is carried out, both sides hold the same content; a side unchanged since
    /// the base is never written with its own value; and with no change on either side there is
    /// nothing to do.
    #[test]
    fn carrying_out_the_plan_leaves_both_sides_alike(
        base in content_strategy(),
        outlook in content_strategy(),
        salesforce in content_strategy(),
        policy in prop_oneof![
            Just(ConflictPolicy::SalesforceWins),
            Just(ConflictPolicy::OutlookWins),
            Just(ConflictPolicy::NewestWins),
        ],
    ) {
        let plan = reconcile(&sides(&base, &outlook, &base, &salesforce), policy);
        let outlook_after = outlook.with(&plan.to_outlook);
        let salesforce_after = salesforce.with(&plan.to_salesforce);
        prop_assert_eq!(&outlook_after, &salesforce_after);
        for part in plan.to_salesforce.0.keys() {
            prop_assert_ne!(salesforce.get(*part), outlook.get(*part));
        }
        let unchanged = reconcile(&sides(&base, &base, &base, &base), policy);
        prop_assert!(unchanged.is_empty());
        for conflict in &plan.conflicts {
            prop_assert_ne!(base.get(conflict.part), outlook.get(conflict.part));
            prop_assert_ne!(base.get(conflict.part), salesforce.get(conflict.part));
        }
    }
}
