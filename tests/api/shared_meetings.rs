//! Shared meetings: three reps of one org attend one meeting. Whoever syncs it, in whatever
//! order, Salesforce holds exactly one Event: owned by the organizer's rep once they sync it,
//! else by the first rep who did, with the other reps who sync it invited; when its owner stops,
//! it passes on, and it goes only when nobody syncs the meeting any more.

use reqwest::Method;
use serde_json::{Value, json};

use crate::calendar::watched;
use crate::eventually::{eventually, when};
use crate::signed_in;
use crate::world::{REP_A, REP_B, World, attendees};

const REP_C: &str = "a1f0c3d2-7b6e-4c5d-9e8f-0a1b2c3d4e5f";

impl World {
    /// The org's Events (not the invitees' copies), each with its owner.
    fn parent_events(&self) -> Vec<Value> {
        self.sf
            .query(
                &self.org_id,
                "SELECT Id, OwnerId, Subject FROM Event WHERE IsChild = false",
            )
            .unwrap()
    }

    /// The users invited to the Event `id`, sorted.
    fn invited(&self, id: &str) -> Vec<String> {
        let soql = format!(
            "SELECT RelationId FROM EventRelation WHERE EventId = '{id}' AND IsInvitee = true"
        );
        let mut users: Vec<String> = self
            .sf
            .query(&self.org_id, &soql)
            .unwrap()
            .iter()
            .map(|r| r["RelationId"].as_str().unwrap().to_string())
            .collect();
        users.sort();
        users
    }

    async fn select_as(&self, rep: &str, id: &str, sync: bool) {
        let path = format!("/api/v1/events/{id}/link");
        let (status, body) = if sync {
            let body = json!({ "who_ids": [], "sync": true });
            self.rep_call(rep, Method::PUT, &path, Some(body)).await
        } else {
            self.rep_call(rep, Method::DELETE, &path, None).await
        };
        assert!(status < 300, "{status} {body}");
    }

    /// Once the org holds one Event owned by `owner` with exactly `invited` invited (and the
    /// queue is idle): that Event.
    async fn one_event(&self, step: &str, owner: &str, invited: &[&str]) -> Value {
        let mut wanted: Vec<String> = invited.iter().map(|s| s.to_string()).collect();
        wanted.sort();
        let what = format!("{step}: one Event owned by {owner} inviting {wanted:?}");
        eventually(&what, std::time::Duration::from_secs(10), || async {
            let events = self.parent_events();
            let invited: Vec<Vec<String>> = events
                .iter()
                .map(|e| self.invited(e["Id"].as_str().unwrap()))
                .collect();
            match events.as_slice() {
                [event] if event["OwnerId"] == owner && invited[0] == wanted => Ok(()),
                _ => Err((events, invited)),
            }
        })
        .await;
        self.until_idle().await;
        let events = self.parent_events();
        assert_eq!(events.len(), 1, "{step}: never a second Event: {events:?}");
        events[0].clone()
    }
}

#[tokio::test]
async fn three_reps_one_meeting_one_event_whoever_syncs_it_and_in_whatever_order() {
    let w = watched(3600, false).await;
    w.graph.add_mailbox(
        signed_in::TENANT,
        REP_C,
        "casey@contoso.example",
        "Casey Rep",
    );
    w.graph
        .set_access_policy(signed_in::API, &[REP_A, REP_B, REP_C]);
    let casey =
        w.sf.add_user(&w.org_id, "casey@contoso.example", "Casey", "Rep")
            .id;
    for (rep, user) in [(REP_B, &w.sf_user_b), (REP_C, &casey)] {
        w.sf.set_login_page(outforce_sandbox::salesforce::LoginPage::Approve(
            user.clone(),
        ));
        w.connect(rep).await;
    }
    // Avery organizes; Blake and Casey are invited (and a customer).
    let organizer = w.meeting_in_outlook(
        "Joint account plan",
        attendees(&[
            "blake@contoso.example",
            "casey@contoso.example",
            "buyer@customer.example",
        ]),
    );
    let blake = w
        .graph
        .deliver_invitation(REP_A, &organizer, REP_B)
        .unwrap();
    let casey_copy = w
        .graph
        .deliver_invitation(REP_A, &organizer, REP_C)
        .unwrap();
    let (a, b, c) = (w.sf_user_a.clone(), w.sf_user_b.clone(), casey.clone());

    // Blake syncs it first: Blake's Event.
    w.select_as(REP_B, &blake, true).await;
    let first = w.one_event("Blake first", &b, &[]).await;
    // Casey too: the same Event, Casey invited.
    w.select_as(REP_C, &casey_copy, true).await;
    let event = w.one_event("Casey joins", &b, &[&c]).await;
    assert_eq!(event["Id"], first["Id"]);
    // The organizer joins later: the Event passes to them, the others invited.
    w.select_as(REP_A, &organizer, true).await;
    let event = w.one_event("the organizer joins", &a, &[&b, &c]).await;
    assert_eq!(event["Id"], first["Id"]);
    // The organizer stops: Blake, who joined first, owns it again.
    w.select_as(REP_A, &organizer, false).await;
    let event = w.one_event("the organizer stops", &b, &[&c]).await;
    assert_eq!(event["Id"], first["Id"]);
    // Casey stops: only uninvited.
    w.select_as(REP_C, &casey_copy, false).await;
    w.one_event("Casey stops", &b, &[]).await;
    // Blake, the last, stops: the Event goes (the deletion policy deletes).
    w.select_as(REP_B, &blake, false).await;
    eventually(
        "the Event gone, nobody syncing it any more",
        std::time::Duration::from_secs(10),
        || async { when(w.parent_events(), |e| e.is_empty()) },
    )
    .await;
    w.history_until(&organizer, "says the organizer's rep took over", |h| {
        h.iter().any(|e| e["action"] == "took_over")
    })
    .await;
    w.assert_nothing_mailed_by_outforce();
}

#[tokio::test]
async fn two_reps_selecting_one_meeting_at_once_still_make_one_event() {
    let w = watched(3600, false).await;
    w.sf.set_login_page(outforce_sandbox::salesforce::LoginPage::Approve(
        w.sf_user_b.clone(),
    ));
    w.connect(REP_B).await;
    w.graph.set_access_policy(signed_in::API, &[REP_A, REP_B]);
    let organizer = w.meeting_in_outlook("Pricing call", attendees(&["blake@contoso.example"]));
    let blake = w
        .graph
        .deliver_invitation(REP_A, &organizer, REP_B)
        .unwrap();
    tokio::join!(
        w.select_as(REP_B, &blake, true),
        w.select_as(REP_A, &organizer, true)
    );
    w.one_event("both at once", &w.sf_user_a, &[&w.sf_user_b])
        .await;
}

#[tokio::test]
async fn an_owner_who_leaves_the_meeting_hands_its_event_to_the_next_rep() {
    let w = watched(3600, false).await;
    w.sf.set_login_page(outforce_sandbox::salesforce::LoginPage::Approve(
        w.sf_user_b.clone(),
    ));
    w.connect(REP_B).await;
    w.graph.set_access_policy(signed_in::API, &[REP_A, REP_B]);
    let organizer = w.meeting_in_outlook("Steering", attendees(&["blake@contoso.example"]));
    let blake = w
        .graph
        .deliver_invitation(REP_A, &organizer, REP_B)
        .unwrap();
    w.select_as(REP_B, &blake, true).await;
    w.one_event("Blake first", &w.sf_user_b, &[]).await;
    w.select_as(REP_A, &organizer, true).await;
    let first = w
        .one_event("the organizer joins", &w.sf_user_a, &[&w.sf_user_b])
        .await;
    // The organizer deletes the meeting from their own calendar (without cancelling it for
    // the others): once their round sees it gone, Blake owns the Event; it is not deleted.
    let (status, body) = w
        .graph
        .as_owner(REP_A, "DELETE", &format!("events/{organizer}"), None)
        .unwrap();
    assert_eq!(status, 204, "{body}");
    w.poll_now().await;
    let event = w.one_event("the organizer leaves", &w.sf_user_b, &[]).await;
    assert_eq!(event["Id"], first["Id"], "the same Event, never deleted");
}
