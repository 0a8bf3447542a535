//! The dry run against reality, for generated mailboxes and orgs: whatever the meetings (a
//! customer, a stranger, a colleague or nobody attending; tagged or not; private or not; synced
//! before or not), the Salesforce-only Events, and the configuration (scope, privacy,
//! direction), the preview lists exactly the changes that the real run then makes: the Events
//! it creates (with their relations) and updates in Salesforce, and the events it makes in
//! Outlook.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

use crate::calendar::watched;
use crate::world::{REP_A, World, attendees};

#[derive(Debug, Clone, Copy)]
enum Guest {
    Customer,
    Stranger,
    Colleague,
    Nobody,
}

#[derive(Debug, Clone)]
struct Meeting {
    guest: Guest,
    tagged: bool,
    private: bool,
    synced_before: bool,
}

#[derive(Debug, Clone)]
struct Scenario {
    meetings: Vec<Meeting>,
    salesforce_only: usize,
    scope: &'static str,
    private: &'static str,
    direction: &'static str,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let guest = prop_oneof![
        Just(Guest::Customer),
        Just(Guest::Stranger),
        Just(Guest::Colleague),
        Just(Guest::Nobody),
    ];
    let meeting = (guest, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(guest, tagged, private, synced_before)| Meeting {
            guest,
            tagged,
            private,
            synced_before,
        },
    );
    (
        prop::collection::vec(meeting, 1..5),
        0..3usize,
        prop_oneof![Just("selected"), Just("all")],
        prop_oneof![Just("skip"), Just("as_private"), Just("time_and_attendees")],
        prop_oneof![
            Just("outlook_to_salesforce"),
            Just("both"),
            Just("salesforce_to_outlook"),
            Just("off"),
        ],
    )
        .prop_map(
            |(meetings, salesforce_only, scope, private, direction)| Scenario {
                meetings,
                salesforce_only,
                scope,
                private,
                direction,
            },
        )
}

/// What a run changes, as the test compares it with the preview.
#[derive(Debug, Default, PartialEq, Eq)]
struct Changes {
    /// Salesforce Events created, by subject (several may have none: private ones, as time and
    /// attendees only), each with what it relates to.
    created: BTreeMap<String, Vec<Vec<String>>>,
    /// Salesforce Events updated, by Id.
    updated: BTreeSet<String>,
    /// Outlook events made from Salesforce Events, by the Event's Id.
    brought: BTreeSet<String>,
}

impl World {
    /// Every Event (not an invitee's copy) with when it last changed and its relations.
    fn events_now(&self) -> BTreeMap<String, Value> {
        self.sf
            .query(
                &self.org_id,
                "SELECT Id, Subject, WhoId, LastModifiedDate FROM Event WHERE IsChild = false",
            )
            .unwrap()
            .into_iter()
            .map(|e| (e["Id"].as_str().unwrap().to_string(), e))
            .collect()
    }

    fn outlook_subjects(&self) -> BTreeMap<String, (String, Value)> {
        self.outlook_events()
            .into_iter()
            .map(|e| {
                let id = e["id"].as_str().unwrap().to_string();
                let mark = e["singleValueExtendedProperties"][0]["value"].clone();
                (
                    id,
                    (e["subject"].as_str().unwrap_or_default().to_string(), mark),
                )
            })
            .collect()
    }
}

async fn preview_then_run(case: Scenario) {
    let w = watched(3600, false).await;
    w.seed(
        "Contact",
        json!({ "LastName": "Ann", "Email": "ann@acme.example" }),
    );
    for (n, meeting) in case.meetings.iter().enumerate() {
        let mut body = match meeting.guest {
            Guest::Customer => attendees(&["ann@acme.example"]),
            Guest::Stranger => attendees(&["zed@unknown.example"]),
            Guest::Colleague => attendees(&["sam@contoso.example"]),
            Guest::Nobody => json!({}),
        };
        if meeting.tagged {
            body["categories"] = json!(["Salesforce"]);
        }
        if meeting.private {
            body["sensitivity"] = json!("private");
        }
        let id = w.meeting_in_outlook(&format!("Meeting {n}"), body);
        if meeting.synced_before {
            w.select_in_pane(&id).await;
        }
    }
    for n in 0..case.salesforce_only {
        w.salesforce_meeting(&format!("Salesforce {n}"), 1 + n as i64, None);
    }
    w.until_idle().await;

    let settings =
        json!({ "scope": case.scope, "private": case.private, "direction": case.direction });
    let body = json!({ "name": "Generated", "settings": settings });
    let (status, config) = w
        .admin(Method::POST, "/api/v1/admin/sync-configs", Some(body))
        .await;
    assert_eq!(status, 201, "{config}");
    let id = config["id"].as_str().unwrap().to_string();
    let (status, preview) = w
        .admin(
            Method::POST,
            &format!("/api/v1/admin/sync-configs/{id}/preview"),
            Some(json!({ "user": REP_A })),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    let before_events = w.events_now();
    let before_outlook = w.outlook_subjects();
    let mut expected = Changes::default();
    for line in preview["lines"].as_array().unwrap() {
        let outlook = line["outlook_event_id"].as_str().unwrap_or_default();
        let event = line["salesforce_event_id"].as_str().unwrap_or_default();
        match (
            line["side"].as_str().unwrap(),
            line["action"].as_str().unwrap(),
        ) {
            ("salesforce", "create") => {
                let subject = before_outlook[outlook].0.clone();
                let related = line["related"].as_array().unwrap().iter();
                let related = related.map(|r| r.as_str().unwrap().to_string()).collect();
                expected.created.entry(subject).or_default().push(related);
            }
            ("salesforce", "update") => {
                expected.updated.insert(event.to_string());
            }
            ("outlook", "create") => {
                expected.brought.insert(event.to_string());
            }
            _ => {}
        }
    }

    // Applied: both directions' rounds run, until nothing is left to do.
    let assign = format!("/api/v1/admin/sync-configs/{id}/assignments/user/{REP_A}");
    assert_eq!(w.admin(Method::PUT, &assign, None).await.0, 200);
    for _ in 0..2 {
        w.poll_now().await;
        w.read_salesforce_now().await;
        w.until_idle().await;
    }
    let mut happened = Changes::default();
    for (id, event) in w.events_now() {
        match before_events.get(&id) {
            None => {
                let related = event["WhoId"]
                    .as_str()
                    .map(str::to_string)
                    .into_iter()
                    .collect();
                happened
                    .created
                    .entry(event["Subject"].as_str().unwrap_or_default().to_string())
                    .or_default()
                    .push(related);
            }
            Some(before) if before["LastModifiedDate"] != event["LastModifiedDate"] => {
                happened.updated.insert(id);
            }
            Some(_) => {}
        }
    }
    for (outlook, (_, mark)) in w.outlook_subjects() {
        if !before_outlook.contains_key(&outlook) {
            happened
                .brought
                .insert(mark.as_str().unwrap_or_default().to_string());
        }
    }
    // A private meeting synced as time and attendees only has no subject in Salesforce.
    let subjectless: Vec<Vec<String>> = happened.created.get("").cloned().unwrap_or_default();
    if !subjectless.is_empty() {
        let private_created: Vec<String> = expected
            .created
            .keys()
            .filter(|s| {
                let n: usize = s
                    .trim_start_matches("Meeting ")
                    .parse()
                    .unwrap_or(usize::MAX);
                case.meetings.get(n).is_some_and(|m| m.private)
            })
            .cloned()
            .collect();
        assert_eq!(
            private_created.len(),
            subjectless.len(),
            "{case:?}\npreview: {preview}"
        );
        for subject in private_created {
            let related = expected.created.remove(&subject).unwrap();
            expected
                .created
                .entry(String::new())
                .or_default()
                .extend(related);
        }
        for relations in happened
            .created
            .values_mut()
            .chain(expected.created.values_mut())
        {
            relations.sort();
        }
    }
    assert_eq!(happened, expected, "{case:?}\npreview: {preview}");
    w.assert_nothing_mailed_by_outforce();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 8, ..ProptestConfig::default() })]

    #[test]
    fn the_preview_lists_exactly_the_changes_the_run_then_makes(case in scenario()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(preview_then_run(case));
    }
}

/// A case the property found under CI's load (2026-12-08): two private meetings tagged for
/// sync, synced as time and attendees both ways; one Event came back to Outlook as a new
/// meeting. The cause was a race (the Salesforce round looked the Event's link up before the
/// creates in flight, and a create finishing in between was in neither), which this case does
/// not bring about on its own; it stays as the scenario that showed it.
#[test]
fn two_private_tagged_meetings_synced_both_ways_are_not_brought_back() {
    let case = Scenario {
        meetings: vec![
            Meeting {
                guest: Guest::Colleague,
                tagged: true,
                private: true,
                synced_before: false,
            },
            Meeting {
                guest: Guest::Nobody,
                tagged: true,
                private: true,
                synced_before: false,
            },
        ],
        salesforce_only: 0,
        scope: "all",
        private: "time_and_attendees",
        direction: "both",
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(preview_then_run(case));
}
