//! Both ways, as edits really interleave (rule 4): generated rounds of edits to a meeting's
//! subject, location and description on either side or both since they last agreed, the two
//! sides' changes read in either order, some of Salesforce's calls failing in passing, a late
//! edit made while the round's writes may still wait. However they interleave, once the sync
//! is done each part holds, on both sides, the one side's change when one side changed it and
//! the conflict policy's winner when both did, the loser kept in the history, and each write's
//! `before` names what its side really held. A meeting with a customer is never changed from
//! Salesforce (Exchange would mail them): there Outlook keeps its own and Salesforce holds the
//! rep's notes and the winners, whatever Outlook changes later.

use std::collections::HashSet;
use std::time::Duration;

use outforce_sandbox::salesforce::faults::Fault;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::calendar::watched_with;
use crate::eventually::eventually;
use crate::world::{REP_A, World, attendees};

/// The parts edited: Outlook's field, Salesforce's field.
const PARTS: [(&str, &str); 3] = [
    ("subject", "Subject"),
    ("location", "Location"),
    ("description", "Description"),
];

/// The sides, as indexes of [`Sides`].
const SALESFORCE: usize = 0;
const OUTLOOK: usize = 1;

/// Each part of the meeting on each side.
type Sides = [[String; 3]; 2];

/// Between two edits: more than Salesforce's clock tick (a millisecond).
const TICK: Duration = Duration::from_millis(5);

/// One part's edits in a round.
#[derive(Debug, Clone, Copy)]
enum Edit {
    None,
    Outlook,
    Salesforce,
    /// Both, Outlook's first.
    Both,
}

#[derive(Debug, Clone)]
struct Round {
    edits: [Edit; 3],
    /// Salesforce's changes are read before Outlook's.
    salesforce_first: bool,
    /// Salesforce fails once, in passing, on the first write of the round.
    fault: bool,
    /// A late edit (of the first part the round leaves alone, on Outlook's side or not), made
    /// this many milliseconds after the round's first reads began, while its writes may wait.
    late: Option<(bool, u64)>,
}

#[derive(Debug, Clone)]
struct Case {
    policy: &'static str,
    /// The meeting invites a customer.
    with_customer: bool,
    rounds: Vec<Round>,
}

fn case() -> impl Strategy<Value = Case> {
    let edit = prop_oneof![
        Just(Edit::None),
        Just(Edit::Outlook),
        Just(Edit::Salesforce),
        Just(Edit::Both),
    ];
    let round = (
        [edit.clone(), edit.clone(), edit],
        any::<bool>(),
        any::<bool>(),
        prop::option::of((any::<bool>(), 0..1500u64)),
    )
        .prop_map(|(edits, salesforce_first, fault, late)| Round {
            edits,
            salesforce_first,
            fault,
            late,
        });
    (
        prop_oneof![
            Just("salesforce_wins"),
            Just("outlook_wins"),
            Just("newest_wins")
        ],
        any::<bool>(),
        prop::collection::vec(round, 1..3),
    )
        .prop_map(|(policy, with_customer, rounds)| Case {
            policy,
            with_customer,
            rounds,
        })
}

/// A meeting and its Event, as the test edits and reads them.
struct Meeting<'w> {
    w: &'w World,
    id: String,
    event: String,
}

impl Meeting<'_> {
    fn sides(&self) -> Sides {
        let (_, outlook) = self
            .w
            .graph
            .as_owner(REP_A, "GET", &format!("events/{}", self.id), None)
            .unwrap();
        let record = self.w.sf.record(&self.w.org_id, &self.event).unwrap();
        let text = |v: &Value| v.as_str().unwrap_or_default().trim().to_string();
        let mut sides = Sides::default();
        sides[OUTLOOK] = [
            text(&outlook["subject"]),
            text(&outlook["location"]["displayName"]),
            text(&outlook["body"]["content"]),
        ];
        sides[SALESFORCE] = [
            text(&record["Subject"]),
            text(&record["Location"]),
            text(&record["Description"]),
        ];
        sides
    }

    fn edit(&self, part: usize, side: usize, value: &str) {
        let (outlook_field, salesforce_field) = PARTS[part];
        if side == OUTLOOK {
            let change = match outlook_field {
                "subject" => json!({ "subject": value }),
                "location" => json!({ "location": { "displayName": value } }),
                _ => json!({ "body": { "contentType": "text", "content": value } }),
            };
            self.w.edit_in_outlook(&self.id, change);
        } else {
            let mut change = serde_json::Map::new();
            change.insert(salesforce_field.into(), json!(value));
            self.w
                .sf
                .update_record(&self.w.org_id, &self.event, Value::Object(change))
                .unwrap();
        }
    }

    /// Both reads, in the round's order.
    async fn read_both(&self, salesforce_first: bool) {
        if salesforce_first {
            self.w.read_salesforce_now().await;
            self.w.poll_now().await;
        } else {
            self.w.poll_now().await;
            self.w.read_salesforce_now().await;
        }
    }
}

/// What a round should end with.
struct Expected {
    sides: Sides,
    /// Parts whose conflict either side may win (`newest_wins` when the late edit's side
    /// differs from the round's last): the expected winner, the expected loser, and whether
    /// Outlook takes what Salesforce holds.
    open: Vec<(usize, String, String, bool)>,
    /// The values that lost a conflict.
    lost: Vec<String>,
}

impl Expected {
    /// Where either may win, the one that did.
    fn settled(&self, now: &Sides) -> Sides {
        let mut sides = self.sides.clone();
        for (part, _, loser, outlook_follows) in &self.open {
            if now[SALESFORCE][*part] == *loser {
                sides[SALESFORCE][*part] = loser.clone();
                if *outlook_follows {
                    sides[OUTLOOK][*part] = loser.clone();
                }
            }
        }
        sides
    }

    fn losers(&self, settled: &Sides) -> Vec<String> {
        let mut lost = self.lost.clone();
        for (part, winner, loser, _) in &self.open {
            let won = &settled[SALESFORCE][*part];
            lost.push(if won == winner { loser } else { winner }.clone());
        }
        lost
    }
}

async fn run(case: Case) {
    let w = watched_with(3600, false, |loaded| {
        loaded.settings.sync.transient_retry_secs = 1;
    })
    .await;
    w.default_policy(json!({ "direction": "both", "conflict": case.policy }))
        .await;
    let guests = if case.with_customer {
        attendees(&["ann@acme.example"])
    } else {
        json!({})
    };
    let id = w.meeting_in_outlook("Kickoff", guests);
    w.select_in_pane(&id).await;
    let event = w.events_until("got the meeting", |e| e.len() == 1).await[0]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let meeting = Meeting { w: &w, id, event };
    w.until_idle().await;
    w.read_salesforce_now().await;
    w.until_idle().await;
    let mut now = meeting.sides();
    // What each side has held: a write's `before` names one of these.
    let mut held: [HashSet<String>; 2] = Default::default();
    for side in [SALESFORCE, OUTLOOK] {
        held[side].extend(now[side].iter().cloned());
    }
    for (n, round) in case.rounds.iter().enumerate() {
        // A round's edits are made while nothing syncs (no retry or merge of the round before
        // waits): both sides change since they last agreed.
        w.until_quiet().await;
        let expected = play(&meeting, &case, n, round, &now, &mut held).await;
        let what = format!("round {n} of {case:?} settled on {:?}", expected.sides);
        eventually(&what, Duration::from_secs(40), || async {
            meeting.read_both(round.salesforce_first).await;
            w.until_idle().await;
            let sides = meeting.sides();
            if sides == expected.settled(&sides) {
                Ok(())
            } else {
                Err((sides, w.history(&meeting.id).await))
            }
        })
        .await;
        // Stays settled: another round of each changes nothing.
        meeting.read_both(false).await;
        w.until_idle().await;
        now = meeting.sides();
        assert_eq!(now, expected.settled(&now), "{case:?}");
        let history = w.history(&meeting.id).await;
        for loser in expected.losers(&now) {
            assert!(
                history
                    .iter()
                    .any(|e| e["action"] == "conflict" && e["conflict"]["lost"] == loser.as_str()),
                "{loser} lost, and the history keeps it: {history:?}"
            );
        }
        for entry in &history {
            if let Some(after) = entry["after"].as_object() {
                let written = after
                    .values()
                    .filter_map(|v| Some(v.as_str()?.trim().into()));
                held[side_written(entry)].extend(written);
            }
        }
        assert_true_befores(&history, &held, &case);
    }
    assert_eq!(w.salesforce_events().len(), 1);
    w.assert_nothing_mailed_by_outforce();
}

/// Makes the round's edits (the late one once the reads began) and says what should follow.
async fn play(
    meeting: &Meeting<'_>,
    case: &Case,
    n: usize,
    round: &Round,
    now: &Sides,
    held: &mut [HashSet<String>; 2],
) -> Expected {
    // Outlook is changed from Salesforce only when nobody would be mailed.
    let from_salesforce = !case.with_customer;
    let mut expected = Expected {
        sides: now.clone(),
        open: Vec::new(),
        lost: Vec::new(),
    };
    // Both sides' edits of a part, settled once the round's last edit is known.
    let mut both: Vec<(usize, String, String)> = Vec::new();
    // Which side was edited last: the newer, as each system stamps a whole record.
    let mut outlook_last = false;
    for (part, edit) in round.edits.iter().enumerate() {
        let outlook = format!("O{n}{part}");
        let salesforce = format!("S{n}{part}");
        match edit {
            Edit::None => {}
            Edit::Outlook => {
                meeting.edit(part, OUTLOOK, &outlook);
                held[OUTLOOK].insert(outlook.clone());
                expected.sides[OUTLOOK][part] = outlook.clone();
                expected.sides[SALESFORCE][part] = outlook;
                outlook_last = true;
            }
            Edit::Salesforce => {
                meeting.edit(part, SALESFORCE, &salesforce);
                held[SALESFORCE].insert(salesforce.clone());
                if from_salesforce {
                    expected.sides[OUTLOOK][part] = salesforce.clone();
                }
                expected.sides[SALESFORCE][part] = salesforce;
                outlook_last = false;
            }
            Edit::Both => {
                meeting.edit(part, OUTLOOK, &outlook);
                tokio::time::sleep(TICK).await;
                meeting.edit(part, SALESFORCE, &salesforce);
                held[SALESFORCE].insert(salesforce.clone());
                held[OUTLOOK].insert(outlook.clone());
                both.push((part, outlook, salesforce));
                outlook_last = false;
            }
        }
        // The next edit is newer by more than Salesforce's millisecond.
        tokio::time::sleep(TICK).await;
    }
    let late = round.late.and_then(|(outlook, after)| {
        let part = round.edits.iter().position(|e| matches!(e, Edit::None))?;
        Some((part, if outlook { OUTLOOK } else { SALESFORCE }, after))
    });
    // Settled before the late edit, a conflict's newest is the round's last edit; after it,
    // the late edit's side: when the two differ, either may win.
    let either = case.policy == "newest_wins"
        && late.is_some_and(|(_, side, _)| (side == OUTLOOK) != outlook_last);
    for (part, outlook, salesforce) in both {
        let outlook_wins = match case.policy {
            "outlook_wins" => true,
            "newest_wins" => outlook_last,
            _ => false,
        };
        let (winner, loser) = if outlook_wins {
            (outlook.clone(), salesforce)
        } else {
            (salesforce, outlook.clone())
        };
        expected.sides[SALESFORCE][part] = winner.clone();
        expected.sides[OUTLOOK][part] = if from_salesforce {
            winner.clone()
        } else {
            outlook
        };
        if either {
            expected.open.push((part, winner, loser, from_salesforce));
        } else {
            expected.lost.push(loser);
        }
    }
    if round.fault {
        let w = meeting.w;
        w.sf.script_faults("/services/data/v64.0/", vec![Fault::Unavailable]);
    }
    if let Some((part, side, after)) = late {
        let value = format!("L{n}{part}");
        meeting.read_both(round.salesforce_first).await;
        tokio::time::sleep(Duration::from_millis(after)).await;
        meeting.edit(part, side, &value);
        held[side].insert(value.clone());
        expected.sides[side][part] = value.clone();
        if side == OUTLOOK || from_salesforce {
            expected.sides[1 - side][part] = value;
        }
    }
    expected
}

/// The side a history entry's write went to.
fn side_written(entry: &Value) -> usize {
    match (entry["action"].as_str(), entry["side"].as_str()) {
        (Some("updated_in_outlook" | "created_in_outlook"), _) | (_, Some("outlook")) => OUTLOOK,
        _ => SALESFORCE,
    }
}

/// Each write's `before` names values its side really held (the first values, a person's
/// edits, an earlier write's), and each write changes what it says it changes.
fn assert_true_befores(history: &[Value], held: &[HashSet<String>; 2], case: &Case) {
    for entry in history {
        let (Some(before), Some(after)) = (entry["before"].as_object(), entry["after"].as_object())
        else {
            continue;
        };
        for (field, value) in before {
            let Some(text) = value.as_str() else { continue };
            assert!(
                held[side_written(entry)].contains(text.trim()),
                "{field}'s before {text:?} was never held, {case:?}: {entry}"
            );
        }
        assert!(
            after
                .iter()
                .any(|(field, value)| before.get(field) != Some(value)),
            "a write that changes nothing, {case:?}: {entry}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 4, ..ProptestConfig::default() })]

    #[test]
    fn however_edits_interleave_both_sides_end_with_the_policys_winner(case in case()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(run(case));
    }
}
