//! A selected recurring series: one Salesforce Event per occurrence in the window, a moved or
//! cancelled occurrence touching only its own Event, a series edit all of them, an occurrence
//! added to the series given its own, and unselecting the series removing them all.

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use reqwest::Method;
use serde_json::{Value, json};

use crate::calendar::watched;
use crate::world::{REP_A, World};

/// Tomorrow: four weekly occurrences from it end 22 days ahead, inside the sync's window (28
/// days ahead) whatever day the suite runs on. (A series from "next Monday" ran past the window
/// when the suite ran on a Sunday.)
pub(crate) fn tomorrow() -> NaiveDate {
    Utc::now().date_naive() + Duration::days(1)
}

/// Outlook's name of `day`'s weekday, as a weekly pattern's `daysOfWeek` lists it.
fn weekday_name(day: NaiveDate) -> &'static str {
    match day.weekday() {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// A weekly series with an attendee, so that anything outforce wrote to it that attendees see
/// would have Exchange mail them.
pub(crate) fn weekly(first: NaiveDate, count: u32) -> Value {
    json!({
        "attendees": [{ "type": "required", "emailAddress": { "address": "buyer@customer.example", "name": "Buyer" } }],
        "start": { "dateTime": format!("{first}T09:00:00"), "timeZone": "UTC" },
        "end": { "dateTime": format!("{first}T09:30:00"), "timeZone": "UTC" },
        "recurrence": {
            "pattern": { "type": "weekly", "interval": 1, "daysOfWeek": [weekday_name(first)], "firstDayOfWeek": "sunday" },
            "range": { "type": "numbered", "startDate": first.to_string(), "numberOfOccurrences": count, "recurrenceTimeZone": "UTC" }
        }
    })
}

impl World {
    /// The series' occurrences as Outlook lists them, first first: their ids.
    pub(crate) fn occurrences(&self, master: &str, first: NaiveDate) -> Vec<String> {
        let last = first + Duration::days(35);
        let path = format!(
            "events/{master}/instances?startDateTime={first}T00:00:00Z&endDateTime={last}T00:00:00Z"
        );
        let (status, body) = self.graph.as_owner(REP_A, "GET", &path, None).unwrap();
        assert_eq!(status, 200, "{body}");
        body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string())
            .collect()
    }

    /// Each Event's start, by Id.
    fn starts(events: &[Value]) -> std::collections::BTreeMap<String, String> {
        events
            .iter()
            .map(|e| {
                let id = e["Id"].as_str().unwrap().to_string();
                (id, e["StartDateTime"].as_str().unwrap().to_string())
            })
            .collect()
    }

    /// The Salesforce Event of the occurrence `id`, as its link records it.
    pub(crate) async fn event_of(&self, id: &str) -> String {
        let link = self
            .link_until(id, "wrote the occurrence", |l| {
                l["state"] == "synced" && l["salesforce_event_id"].is_string()
            })
            .await;
        link["salesforce_event_id"].as_str().unwrap().to_string()
    }
}

fn at(day: NaiveDate, time: &str) -> String {
    format!("{day}T{time}.000+0000")
}

#[tokio::test]
async fn a_selected_series_is_one_event_per_occurrence_and_a_moved_or_cancelled_one_touches_only_its_own()
 {
    let w = watched(3600, true).await;
    let first = tomorrow();
    let master = w.meeting_in_outlook("Weekly pipeline", weekly(first, 4));
    w.select_in_pane(&master).await;
    let events = w.events_until("wrote the series", |e| e.len() == 4).await;
    let mut starts: Vec<String> = World::starts(&events).into_values().collect();
    starts.sort();
    let weeks: Vec<String> = (0..4)
        .map(|week| at(first + Duration::days(7 * week), "09:00:00"))
        .collect();
    assert_eq!(
        starts, weeks,
        "one Event per occurrence, each at its own time"
    );
    assert!(events.iter().all(|e| e["Subject"] == "Weekly pipeline"));
    w.until_watched().await;

    let occurrences = w.occurrences(&master, first);
    assert_eq!(occurrences.len(), 4);
    let mut event_ids = Vec::new();
    for occurrence in &occurrences {
        event_ids.push(w.event_of(occurrence).await);
    }
    let before = World::starts(&events);

    // The second occurrence moves a day later: its Event alone follows.
    let day_later = first + Duration::days(8);
    w.edit_in_outlook(
        &occurrences[1],
        json!({
            "start": { "dateTime": format!("{day_later}T14:00:00"), "timeZone": "UTC" },
            "end": { "dateTime": format!("{day_later}T14:30:00"), "timeZone": "UTC" },
        }),
    );
    let moved = at(day_later, "14:00:00");
    let events = w
        .events_until("moved the occurrence", |e| {
            World::starts(e).get(&event_ids[1]) == Some(&moved)
        })
        .await;
    let after = World::starts(&events);
    assert_eq!(after.len(), 4);
    for (i, id) in event_ids.iter().enumerate().filter(|(i, _)| *i != 1) {
        assert_eq!(after[id], before[id], "occurrence {i} untouched");
    }

    // The third is cancelled: its Event alone goes.
    w.delete_in_outlook(&occurrences[2]);
    let events = w
        .events_until("removed the cancelled occurrence", |e| e.len() == 3)
        .await;
    let left = World::starts(&events);
    assert!(!left.contains_key(&event_ids[2]));
    assert_eq!(left[&event_ids[0]], before[&event_ids[0]]);
    assert_eq!(left[&event_ids[1]], moved);
    assert_eq!(left[&event_ids[3]], before[&event_ids[3]]);

    // The series is renamed: the occurrences' Events are updated in place.
    w.edit_in_outlook(&master, json!({ "subject": "Pipeline (weekly)" }));
    let events = w
        .events_until("renamed the series", |e| {
            e.iter()
                .filter(|e| e["Subject"] == "Pipeline (weekly)")
                .count()
                >= 2
        })
        .await;
    let renamed = World::starts(&events);
    assert_eq!(renamed.len(), 3, "renaming wrote no new Event: {events:?}");
    for id in [&event_ids[0], &event_ids[3]] {
        let event = events.iter().find(|e| &e["Id"] == id).unwrap();
        assert_eq!(event["Subject"], "Pipeline (weekly)");
    }

    // Unselecting the series removes every Event it made.
    let path = format!("/api/v1/events/{master}/link");
    let (status, body) = w.rep_call(REP_A, Method::DELETE, &path, None).await;
    assert!(status < 300, "{status} {body}");
    w.events_until("removed the series' Events", |e| e.is_empty())
        .await;
    w.assert_nothing_mailed_by_outforce();
}

#[tokio::test]
async fn an_occurrence_added_to_a_selected_series_gets_its_own_event() {
    let w = watched(3600, true).await;
    let first = tomorrow();
    let master = w.meeting_in_outlook("Standup", weekly(first, 2));
    w.select_in_pane(&master).await;
    w.events_until("wrote the series", |e| e.len() == 2).await;
    w.until_watched().await;

    let mut longer = weekly(first, 3);
    longer
        .as_object_mut()
        .unwrap()
        .retain(|k, _| k == "recurrence");
    w.edit_in_outlook(&master, longer);
    let events = w
        .events_until("added the new occurrence", |e| e.len() == 3)
        .await;
    let third = at(first + Duration::days(14), "09:00:00");
    assert!(
        events.iter().any(|e| e["StartDateTime"] == third),
        "{events:?}"
    );
    w.history_until(&master, "says the series was expanded", |h| {
        h.iter().any(|e| e["action"] == "series_expanded")
    })
    .await;
}
