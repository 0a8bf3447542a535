//! The seeding and inspection API: mailboxes, access policies, items written as a user would
//! write them in Outlook (through the same code, so they notify subscribers and show in delta),
//! limits, faults and what was delivered to webhooks.

use std::time::Duration;

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

use super::api::{Call, Caller, Env, Prefer, Reply};
use super::mailbox::{Mailbox, Tombstone};
use super::{Delivery, Graph, GraphFault, notify};

impl Graph {
    /// Adds a mailbox: the user's object id (a GUID), UPN and display name, in a tenant.
    pub fn add_mailbox(&self, tenant_id: &str, user_id: &str, upn: &str, display_name: &str) {
        self.inner.shared.lock().mailboxes.insert(
            user_id.to_string(),
            Mailbox::new(user_id, upn, tenant_id, display_name),
        );
    }

    /// Every message Exchange would have sent attendees, in every mailbox, in order.
    pub fn sent_notices(&self) -> Vec<super::notices::SentNotice> {
        let state = self.inner.shared.lock();
        let mut ids: Vec<&String> = state.mailboxes.keys().collect();
        ids.sort();
        ids.into_iter()
            .flat_map(|id| state.mailboxes[id].sent.iter().cloned())
            .collect()
    }

    /// The groups a user belongs to, as `getMemberGroups` lists them.
    pub fn set_member_groups(&self, user_id: &str, groups: &[&str]) {
        if let Some(mailbox) = self.inner.shared.lock().mailboxes.get_mut(user_id) {
            mailbox.member_groups = groups.iter().map(|g| g.to_string()).collect();
        }
    }

    /// Restricts an application to these mailboxes (an application access policy); without
    /// one, an app reaches every mailbox of its tenant.
    pub fn set_access_policy(&self, app_id: &str, mailboxes: &[&str]) {
        self.inner.shared.lock().policies.insert(
            app_id.to_string(),
            mailboxes.iter().map(|m| m.to_string()).collect(),
        );
    }

    /// Runs a request as the mailbox's owner would in Outlook; the reply's status and body.
    pub fn as_owner(
        &self,
        user_id: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let tenant = self
            .inner
            .shared
            .lock()
            .mailboxes
            .get(user_id)
            .context("no such mailbox")?
            .tenant_id
            .clone();
        let caller = Caller {
            tenant,
            app_id: "outlook".into(),
            user: Some(user_id.to_string()),
            permissions: vec![
                "Calendars.ReadWrite".into(),
                "Contacts.ReadWrite".into(),
                "MailboxSettings.ReadWrite".into(),
            ],
        };
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let full: Vec<String> = ["users", user_id]
            .into_iter()
            .map(str::to_string)
            .chain(
                path.split('/')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            )
            .collect();
        let base = format!("{}/v1.0", self.base_url());
        let call = Call {
            method,
            path: full,
            query: serde_urlencoded::from_str(query).unwrap_or_default(),
            body,
            prefer: Prefer {
                immutable_ids: true,
                ..Prefer::default()
            },
            if_match: None,
            base: &base,
        };
        let (reply, changes): (Reply, _) = {
            let mut guard = self.inner.shared.lock();
            let state = &mut *guard;
            let now = state.now();
            let mut changes = Vec::new();
            let mut env = Env {
                mailboxes: &mut state.mailboxes,
                caller: &caller,
                now,
                changes: &mut changes,
                cursors: &mut state.cursors,
                policies: &state.policies,
            };
            (super::api::dispatch(&mut env, &call), changes)
        };
        notify::deliver(&self.inner, changes);
        Ok((reply.status, reply.body.unwrap_or(Value::Null)))
    }

    /// Creates an event as the owner would; its immutable id.
    pub fn create_event(&self, user_id: &str, event: Value) -> anyhow::Result<String> {
        let (status, body) = self.as_owner(user_id, "POST", "events", Some(event))?;
        if status != 201 {
            bail!("creating the event failed ({status}): {body}");
        }
        Ok(body["id"].as_str().unwrap_or_default().to_string())
    }

    /// Exchange delivered the invitation of `organizer`'s meeting `event_id` to `attendee`, a
    /// mailbox of the same tenant: a copy in their calendar, the same meeting (`iCalUId`), not
    /// theirs to organize. Its immutable id.
    pub fn deliver_invitation(
        &self,
        organizer: &str,
        event_id: &str,
        attendee: &str,
    ) -> anyhow::Result<String> {
        let (change, id) = {
            let mut guard = self.inner.shared.lock();
            let state = &mut *guard;
            let now = state.now();
            let from = state.mailboxes.get(organizer).context("no such mailbox")?;
            let index = from.event_index(event_id).context("no such event")?;
            let mut copy = from.events[index].clone();
            let by = json!({ "emailAddress": { "name": from.display_name, "address": from.upn } });
            let to = state
                .mailboxes
                .get_mut(attendee)
                .context("no such mailbox")?;
            copy.ids = super::mailbox::Ids::new();
            copy.extended.clear();
            copy.props.insert("isOrganizer".into(), Value::Bool(false));
            copy.props.insert("organizer".into(), by);
            copy.props.insert(
                "responseStatus".into(),
                json!({ "response": "notResponded", "time": "0001-01-01T00:00:00Z" }),
            );
            copy.props.remove("categories");
            copy.props.remove("transactionId");
            copy.created = now;
            copy.modified = now;
            copy.change_key = super::mailbox::change_key();
            copy.seq = to.next_seq();
            let id = copy.ids.shown(true).to_string();
            let change = super::event_writes::change(attendee, &copy, "created");
            to.events.push(copy);
            (change, id)
        };
        notify::deliver(&self.inner, vec![change]);
        Ok(id)
    }

    /// The organizer cancelled a meeting the mailbox's owner attends: their copy stays in the
    /// calendar, `isCancelled`, its subject led by "Canceled: " (as Exchange shows it), and
    /// subscribers hear of the change.
    pub fn receive_cancellation(&self, user_id: &str, event_id: &str) -> anyhow::Result<()> {
        let change = {
            let mut guard = self.inner.shared.lock();
            let state = &mut *guard;
            let now = state.now();
            let mailbox = state
                .mailboxes
                .get_mut(user_id)
                .context("no such mailbox")?;
            let index = mailbox.event_index(event_id).context("no such event")?;
            let seq = mailbox.next_seq();
            let event = &mut mailbox.events[index];
            let subject = event.props.get("subject").and_then(Value::as_str);
            let subject = format!("Canceled: {}", subject.unwrap_or_default());
            event.props.insert("subject".into(), Value::String(subject));
            event.props.insert("isCancelled".into(), Value::Bool(true));
            event.change_key = super::mailbox::change_key();
            event.modified = now;
            event.seq = seq;
            super::event_writes::change(user_id, event, "updated")
        };
        notify::deliver(&self.inner, vec![change]);
        Ok(())
    }

    /// Creates a contact in the default folder (or `folder`); its immutable id.
    pub fn create_contact(
        &self,
        user_id: &str,
        folder: Option<&str>,
        contact: Value,
    ) -> anyhow::Result<String> {
        let path = folder.map_or("contacts".to_string(), |f| {
            format!("contactFolders/{f}/contacts")
        });
        let (status, body) = self.as_owner(user_id, "POST", &path, Some(contact))?;
        if status != 201 {
            bail!("creating the contact failed ({status}): {body}");
        }
        Ok(body["id"].as_str().unwrap_or_default().to_string())
    }

    /// The default contact folder's id.
    pub fn default_contact_folder(&self, user_id: &str) -> Option<String> {
        self.inner
            .shared
            .lock()
            .mailboxes
            .get(user_id)
            .map(|m| m.default_folder.clone())
    }

    /// Moves a contact to another folder, as a user dragging it in Outlook: its regular id
    /// changes, its immutable id stays, and the old folder's delta reports it removed.
    pub fn move_contact(
        &self,
        user_id: &str,
        contact_id: &str,
        folder: &str,
    ) -> anyhow::Result<()> {
        let mut state = self.inner.shared.lock();
        let mailbox = state
            .mailboxes
            .get_mut(user_id)
            .context("no such mailbox")?;
        mailbox.folder(folder).context("no such folder")?;
        let index = mailbox
            .contact_index(contact_id)
            .context("no such contact")?;
        let seq = mailbox.next_seq();
        let contact = &mut mailbox.contacts[index];
        let old = Tombstone {
            ids: contact.ids.clone(),
            seq,
            folder: Some(contact.folder.clone()),
        };
        contact.ids.moved();
        contact.folder = folder.to_string();
        contact.seq = seq;
        mailbox.contact_tombstones.push(old);
        Ok(())
    }

    /// Forgets every delta round of a mailbox: its tokens answer 410 `syncStateNotFound`.
    pub fn reset_sync_state(&self, user_id: &str) {
        if let Some(mailbox) = self.inner.shared.lock().mailboxes.get_mut(user_id) {
            mailbox.delta_generation += 1;
        }
    }

    /// The request budget per app and mailbox over a window (Outlook: 10,000 per 10 minutes).
    pub fn set_request_budget(&self, budget: usize, window: Duration) {
        let limits = &mut self.inner.shared.lock().throttle.limits;
        limits.budget = budget;
        limits.window = window;
    }

    /// How long each mailbox request takes, so that concurrent requests overlap.
    pub fn set_latency(&self, latency: Duration) {
        self.inner.shared.lock().throttle.limits.latency = latency;
    }

    pub fn script_faults(&self, path_prefix: &str, faults: Vec<GraphFault>) {
        self.inner.shared.lock().faults.script(path_prefix, faults);
    }

    /// Every later call fails with probability `rate`, with one of `faults` drawn from a
    /// generator seeded with `seed`.
    pub fn randomize_faults(&self, seed: u64, rate: f64, faults: Vec<GraphFault>) {
        self.inner
            .shared
            .lock()
            .faults
            .randomize(seed, rate, faults);
    }

    pub fn clear_faults(&self) {
        self.inner.shared.lock().faults.clear();
    }

    /// Lets subscriptions notify plain-HTTP loopback URLs (for the demo); HTTPS otherwise.
    pub fn allow_http_webhooks(&self, allow: bool) {
        self.inner.shared.lock().allow_http_webhooks = allow;
    }

    /// From now on, change notifications are lost on the way (`true`) or delivered again.
    pub fn lose_notifications(&self, lose: bool) {
        self.inner.shared.lock().losing_notifications = lose;
    }

    /// The pauses between delivery attempts to a failing webhook.
    /// The answer to a subscription's creation comes `delay` after the subscription exists
    /// (and notifies): as Graph's may, under load.
    pub fn delay_subscription_answers(&self, delay: Duration) {
        self.inner.shared.lock().subscription_answer_delay = delay;
    }

    pub fn set_retry_delays(&self, delays: Vec<Duration>) {
        self.inner.shared.lock().retry_delays = delays;
    }

    /// Every attempt to deliver a notification so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.inner.shared.lock().deliveries.clone()
    }

    /// The live subscriptions' ids.
    pub fn subscription_ids(&self) -> Vec<String> {
        self.inner
            .shared
            .lock()
            .subscriptions
            .iter()
            .map(|s| s.id.clone())
            .collect()
    }

    /// When the subscription `id` lapses, if it is live.
    pub fn subscription_expiration(&self, id: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        let state = self.inner.shared.lock();
        state
            .subscriptions
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.expiration)
    }

    /// Whether Graph waits for the app to reauthorize the subscription `id` (and notifies
    /// nothing meanwhile).
    pub fn awaits_reauthorization(&self, id: &str) -> bool {
        let state = self.inner.shared.lock();
        state
            .subscriptions
            .iter()
            .any(|s| s.id == id && s.awaiting_reauthorization)
    }

    /// Sends a lifecycle notification now; the webhook's status.
    pub async fn send_lifecycle(
        &self,
        subscription_id: &str,
        event: &str,
    ) -> anyhow::Result<Option<u16>> {
        notify::lifecycle(&self.inner, subscription_id, event).await
    }

    /// Moves the emulator's clock forward.
    pub fn advance_clock(&self, by: Duration) {
        self.inner.shared.lock().clock_offset += chrono::Duration::from_std(by).unwrap_or_default();
    }

    /// How many times an endpoint was called: `events`, `event`, `instances`, `calendarView`,
    /// `calendarView/delta`, `contacts`, `contacts/delta`, `masterCategories`, `subscriptions`,
    /// `$batch`.
    pub fn calls(&self, endpoint: &str) -> u64 {
        self.inner
            .shared
            .lock()
            .calls
            .get(endpoint)
            .copied()
            .unwrap_or(0)
    }

    /// Every endpoint's call count, by name.
    pub fn all_calls(&self) -> std::collections::BTreeMap<String, u64> {
        crate::server::counts(&self.inner.shared.lock().calls)
    }
}
