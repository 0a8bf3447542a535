//! The rep's calendar as the tests drive it: a world whose service Graph can notify, meetings
//! made, edited and deleted in Outlook as their owner would, selected in the pane, and the
//! mailbox and Salesforce rounds run now instead of at their hour.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::eventually::{eventually, when};
use crate::helpers::{free_port, today_plus};
use crate::world::{REP_A, World, world_with};

/// A world whose service Graph can notify (plain HTTP on loopback, as the sandbox allows for
/// tests), polling every `poll_secs`; REP_A connected, their mailbox reached by application.
pub async fn watched(poll_secs: u64, public: bool) -> World {
    watched_with(poll_secs, public, |_| {}).await
}

/// [`watched`], with the service's settings adjusted further.
pub async fn watched_with(
    poll_secs: u64,
    public: bool,
    adjust: impl FnOnce(&mut outforce::config::Loaded),
) -> World {
    let port = free_port();
    let w = world_with(|loaded| {
        let settings = &mut loaded.settings;
        settings.http.port = port;
        settings.http.public_url = public.then(|| format!("http://127.0.0.1:{port}"));
        settings.sync.poll_interval_secs = poll_secs;
        settings.sync.sweep_interval_secs = 1;
        adjust(loaded);
    })
    .await;
    w.graph.allow_http_webhooks(true);
    w.graph.set_retry_delays(vec![]);
    w.mailbox_by_application(&["Calendars.ReadWrite"]).await;
    w.connect(REP_A).await;
    w
}

impl World {
    /// Where the rep's next mailbox round starts, when a round was recorded.
    pub async fn delta_link(&self) -> Option<String> {
        let user = self.user(REP_A).await;
        outforce::storage::mailbox_watches::find(&self.app.state.db, &user.id)
            .await
            .unwrap()
            .and_then(|watch| watch.delta_link)
    }

    /// A mailbox round now, as the hourly poll or a notification would run it.
    pub async fn poll_now(&self) {
        let user = self.user(REP_A).await;
        let poll = outforce::sync::jobs::PollMailbox {
            user_id: user.id.clone(),
        };
        self.app.state.queue.enqueue(&poll).await.unwrap();
    }

    /// A read of REP_A's Salesforce Events now (Salesforce → Outlook).
    pub async fn read_salesforce_now(&self) {
        let user = self.user(REP_A).await;
        let read = outforce::sync::jobs::PollSalesforce {
            user_id: user.id.clone(),
        };
        self.app.state.queue.enqueue(&read).await.unwrap();
    }

    pub fn meeting_in_outlook(&self, subject: &str, extra: Value) -> String {
        let mut event = json!({
            "subject": subject,
            "start": { "dateTime": today_plus(2, "T15:00:00"), "timeZone": "UTC" },
            "end": { "dateTime": today_plus(2, "T16:00:00"), "timeZone": "UTC" },
            "location": { "displayName": "Room 1" },
        });
        for (key, value) in extra.as_object().unwrap() {
            event[key] = value.clone();
        }
        self.graph.create_event(REP_A, event).unwrap()
    }

    pub fn edit_in_outlook(&self, id: &str, change: Value) {
        let (status, body) = self
            .graph
            .as_owner(REP_A, "PATCH", &format!("events/{id}"), Some(change))
            .unwrap();
        assert_eq!(status, 200, "{body}");
    }

    /// A meeting in Outlook, selected in the pane and written to Salesforce; its id.
    pub async fn synced_meeting(&self, subject: &str) -> String {
        let id = self.meeting_in_outlook(subject, json!({}));
        self.select_in_pane(&id).await;
        self.events_until("got the meeting", |e| e.len() == 1).await;
        id
    }

    pub fn delete_in_outlook(&self, id: &str) {
        let (status, body) = self
            .graph
            .as_owner(REP_A, "DELETE", &format!("events/{id}"), None)
            .unwrap();
        assert_eq!(status, 204, "{body}");
    }

    pub async fn select_in_pane(&self, id: &str) {
        let path = format!("/api/v1/events/{id}/link");
        let body = json!({ "who_ids": [], "sync": true });
        let (status, link) = self.rep_call(REP_A, Method::PUT, &path, Some(body)).await;
        assert_eq!(status, 200, "{link}");
    }

    /// The sync's decisions about the meeting `id`, as the pane reads them.
    pub async fn history(&self, id: &str) -> Vec<Value> {
        let path = format!("/api/v1/events/{id}/history");
        let (status, body) = self.rep_call(REP_A, Method::GET, &path, None).await;
        assert_eq!(status, 200, "{body}");
        body["entries"].as_array().unwrap().clone()
    }

    /// The meeting's history once `wanted` holds of it (ten seconds at most): a write shows in
    /// Salesforce a moment before its run records it.
    pub async fn history_until(
        &self,
        id: &str,
        what: &str,
        wanted: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let what = format!("the history {what}");
        eventually(&what, Duration::from_secs(10), || async {
            when(self.history(id).await, |h| wanted(h))
        })
        .await
    }

    /// The rep's sync status once `wanted` holds of it (ten seconds at most).
    pub async fn sync_status_until(&self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let what = format!("the sync {what}");
        eventually(&what, Duration::from_secs(10), || async {
            let (status, body) = self
                .rep_call(REP_A, Method::GET, "/api/v1/sync/status", None)
                .await;
            assert_eq!(status, 200, "{body}");
            when(body, &wanted)
        })
        .await
    }

    pub fn salesforce_events(&self) -> Vec<Value> {
        self.sf
            .query(
                &self.org_id,
                "SELECT Id, Subject, StartDateTime, Location FROM Event",
            )
            .unwrap()
    }

    /// The org's Events once `wanted` holds of them (ten seconds at most).
    pub async fn events_until(&self, what: &str, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let what = format!("Salesforce {what}");
        eventually(&what, Duration::from_secs(10), || async {
            when(self.salesforce_events(), |e| wanted(e))
        })
        .await
    }

    /// Once Graph has the mailbox's subscription and we have recorded it (a notification
    /// that comes before that is not believed); its id.
    pub async fn until_watched(&self) -> String {
        let user = self.user(REP_A).await;
        let db = &self.app.state.db;
        eventually("the mailbox watched", Duration::from_secs(10), || async {
            let ours = outforce::storage::mailbox_watches::find(db, &user.id)
                .await
                .unwrap()
                .and_then(|watch| watch.subscription_id);
            let theirs = self.graph.subscription_ids();
            ours.filter(|id| theirs == [id.clone()]).ok_or(theirs)
        })
        .await
    }
}
