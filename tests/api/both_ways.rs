//! Both ways (rule 4): a meeting changed on both sides since the last sync is merged part by
//! part; a part both sides changed differently goes to the configuration's conflict policy,
//! and the loser's value is kept in the meeting's history.

use std::time::Duration;

use serde_json::{Value, json};

use crate::calendar::watched;
use crate::eventually::{eventually, when};
use crate::world::{REP_A, World};

impl World {
    fn outlook_subject(&self, id: &str) -> String {
        let (status, event) = self
            .graph
            .as_owner(REP_A, "GET", &format!("events/{id}"), None)
            .unwrap();
        assert_eq!(status, 200, "{event}");
        event["subject"].as_str().unwrap_or_default().to_string()
    }

    /// A meeting selected in the pane and synced both ways, with nothing left to run: its
    /// Outlook id and its Salesforce Event's Id.
    async fn meeting_in_step(&self, subject: &str) -> (String, String) {
        let id = self.synced_meeting(subject).await;
        self.until_idle().await;
        let event = self.salesforce_events()[0]["Id"]
            .as_str()
            .unwrap()
            .to_string();
        (id, event)
    }

    /// Each side once `wanted` holds of (Outlook's subject, the Event).
    async fn sides_until(
        &self,
        id: &str,
        event: &str,
        what: &str,
        wanted: impl Fn(&str, &Value) -> bool,
    ) -> (String, Value) {
        let what = format!("the sides {what}");
        eventually(&what, Duration::from_secs(10), || async {
            let sides = (
                self.outlook_subject(id),
                self.sf.record(&self.org_id, event).unwrap(),
            );
            when(sides, |(subject, record)| wanted(subject, record))
        })
        .await
    }
}

#[tokio::test]
async fn different_parts_changed_on_each_side_are_both_kept() {
    // The hourly poll never comes: each round below is run by hand.
    let w = watched(3600, false).await;
    w.default_policy(json!({ "direction": "both", "conflict": "salesforce_wins" }))
        .await;
    let (id, event) = w.meeting_in_step("Kickoff").await;
    w.edit_in_outlook(&id, json!({ "location": { "displayName": "Room 9" } }));
    w.sf.update_record(&w.org_id, &event, json!({ "Subject": "Kickoff (agenda)" }))
        .unwrap();
    w.poll_now().await;
    let (subject, record) = w
        .sides_until(&id, &event, "merged", |subject, record| {
            subject == "Kickoff (agenda)" && record["Location"] == "Room 9"
        })
        .await;
    assert_eq!(subject, "Kickoff (agenda)");
    assert_eq!(record["Subject"], "Kickoff (agenda)");
    w.until_idle().await;
    let history = w.history(&id).await;
    assert!(
        history.iter().all(|e| e["action"] != "conflict"),
        "no conflict: {history:?}"
    );
    assert_eq!(w.salesforce_events().len(), 1);
    w.assert_nothing_mailed_by_outforce();
}

/// Both sides rename the meeting: the policy's winner stands on both, the loser's name is in
/// the history. `salesforce_first` reads Salesforce's change first (else Outlook's round comes
/// first); either way the result is the same.
async fn conflicting_rename(policy: &str, salesforce_first: bool) -> (String, Value, Vec<Value>) {
    let w = watched(3600, false).await;
    w.default_policy(json!({ "direction": "both", "conflict": policy }))
        .await;
    let (id, event) = w.meeting_in_step("Kickoff").await;
    w.edit_in_outlook(&id, json!({ "subject": "Kickoff (Outlook)" }));
    // Salesforce's edit is the newer, by more than a clock's tick.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    w.sf.update_record(
        &w.org_id,
        &event,
        json!({ "Subject": "Kickoff (Salesforce)" }),
    )
    .unwrap();
    if salesforce_first {
        w.read_salesforce_now().await;
    } else {
        w.poll_now().await;
    }
    let (subject, record) = w
        .sides_until(&id, &event, "agreed", |subject, record| {
            record["Subject"] == subject && subject != "Kickoff"
        })
        .await;
    w.until_idle().await;
    // Agreed, and stays agreed: another round of each changes nothing.
    w.poll_now().await;
    w.read_salesforce_now().await;
    w.until_idle().await;
    assert_eq!(w.outlook_subject(&id), subject, "{policy}: stays agreed");
    let history = w.history(&id).await;
    assert_eq!(w.salesforce_events().len(), 1);
    w.assert_nothing_mailed_by_outforce();
    (subject, record, history)
}

fn conflicts(history: &[Value]) -> Vec<&Value> {
    history
        .iter()
        .filter(|e| e["action"] == "conflict")
        .collect()
}

#[tokio::test]
async fn a_part_changed_on_both_sides_goes_to_salesforce_under_salesforce_wins() {
    for salesforce_first in [false, true] {
        let (subject, _, history) = conflicting_rename("salesforce_wins", salesforce_first).await;
        assert_eq!(subject, "Kickoff (Salesforce)");
        let conflicts = conflicts(&history);
        assert_eq!(conflicts.len(), 1, "{history:?}");
        assert_eq!(conflicts[0]["conflict"]["winner"], "salesforce");
        assert_eq!(
            conflicts[0]["conflict"]["lost"], "Kickoff (Outlook)",
            "the loser is kept"
        );
    }
}

#[tokio::test]
async fn a_part_changed_on_both_sides_goes_to_outlook_under_outlook_wins() {
    for salesforce_first in [false, true] {
        let (subject, record, history) = conflicting_rename("outlook_wins", salesforce_first).await;
        assert_eq!(subject, "Kickoff (Outlook)");
        assert_eq!(record["Subject"], "Kickoff (Outlook)");
        let conflicts = conflicts(&history);
        assert_eq!(conflicts.len(), 1, "{history:?}");
        assert_eq!(conflicts[0]["conflict"]["lost"], "Kickoff (Salesforce)");
    }
}

#[tokio::test]
async fn a_part_changed_on_both_sides_goes_to_the_newer_edit_under_newest_wins() {
    let (subject, _, history) = conflicting_rename("newest_wins", false).await;
    assert_eq!(
        subject, "Kickoff (Salesforce)",
        "Salesforce's edit came last"
    );
    assert_eq!(
        conflicts(&history)[0]["conflict"]["lost"],
        "Kickoff (Outlook)"
    );
}

#[tokio::test]
async fn a_series_edited_on_both_sides_keeps_each_sides_change_and_outlooks_exception() {
    use super::outlook_series::{tomorrow, weekly};
    let w = watched(3600, false).await;
    w.default_policy(json!({ "direction": "both" })).await;
    let first = tomorrow();
    let mut series = weekly(first, 3);
    // A series of the rep's own, nobody invited: Salesforce's edits may reach it.
    series.as_object_mut().unwrap().remove("attendees");
    let master = w.meeting_in_outlook("Pipeline", series);
    w.select_in_pane(&master).await;
    w.events_until("wrote the series", |e| e.len() == 3).await;
    let occurrences = w.occurrences(&master, first);
    let second = w.event_of(&occurrences[1]).await;
    w.until_idle().await;

    // In Salesforce, the second occurrence moves to another room; in Outlook, the series is
    // renamed.
    w.sf.update_record(&w.org_id, &second, json!({ "Location": "Room 7" }))
        .unwrap();
    w.read_salesforce_now().await;
    w.until_idle().await;
    let (status, occurrence) = w
        .graph
        .as_owner(REP_A, "GET", &format!("events/{}", occurrences[1]), None)
        .unwrap();
    assert_eq!(status, 200, "{occurrence}");
    assert_eq!(
        occurrence["location"]["displayName"], "Room 7",
        "Outlook took it"
    );
    w.edit_in_outlook(&master, json!({ "subject": "Pipeline (weekly)" }));
    w.poll_now().await;
    // Outlook's edit of a series leaves an occurrence changed before (an exception) as it
    // was, as Exchange does; each Event follows its own occurrence.
    let events = w
        .events_until("renamed the series", |e| {
            e.iter()
                .filter(|e| e["Subject"] == "Pipeline (weekly)")
                .count()
                == 2
        })
        .await;
    w.until_idle().await;
    assert_eq!(events.len(), 3, "no Event more");
    let moved = events.iter().find(|e| e["Id"] == second.as_str()).unwrap();
    assert_eq!(moved["Location"], "Room 7", "Salesforce's change stands");
    assert_eq!(
        moved["Subject"], "Pipeline",
        "as Outlook's exception holds it"
    );
    assert_eq!(w.outlook_subject(&occurrences[1]), "Pipeline");
    assert!(
        events
            .iter()
            .filter(|e| e["Id"] != second.as_str())
            .all(|e| e["Location"] == "Room 1"),
        "{events:?}"
    );
    w.assert_nothing_mailed_by_outforce();
}
