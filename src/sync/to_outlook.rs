//! One Salesforce Event's change brought to Outlook (Salesforce → Outlook):
//!
//! - a new Event of the rep in the window becomes an Outlook event in their calendar, marked
//!   with its Salesforce Id, inviting nobody (its relations are named in its body): rule 7;
//! - a linked Event changed since the last sync is merged with its Outlook event part by part,
//!   a part both sides changed settled by the conflict policy (rule 4), the loser kept in the
//!   history; a meeting with attendees is never changed from here (Exchange would mail them
//!   an update), and the history says so;
//! - a deleted Event drops its link (rule 5); its Outlook event is deleted only when the
//!   policy says so and nobody would be mailed a cancellation;
//! - what we wrote ourselves comes back equal to what the link holds, and is left (rule 3).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Cause;
use super::content::{self, ConflictPolicy, Content, Plan, Sides};
use super::decision::{Decision, call};
use super::event_map::{self, Context, GraphEvent, Mapped};
use super::intent::Intent;
use super::policy::{Deletion, Policy};
use crate::graph::access::MailboxToken;
use crate::graph::events::ReadError;
use crate::graph::events::SELECTION_PROPERTY;
use crate::ids::UserId;
use crate::salesforce::changes::Changed;
use crate::salesforce::events;
use crate::salesforce::session::Session;
use crate::state::AppState;
use crate::storage;
use crate::storage::event_links::{self, EventLink, LinkState, salesforce_side};

/// The code of a link whose Event was deleted in Salesforce.
pub const SALESFORCE_DELETED: &str = "salesforce_deleted";
/// Why the sync left an Outlook meeting as it was: changing it would mail its attendees.
pub const WOULD_NOTIFY_ATTENDEES: &str = "would_notify_attendees";

/// What became of one change.
pub enum Outcome {
    Done,
    /// Not now: Graph asked us to wait, or the rep changed the Outlook event meanwhile.
    Later(Duration),
}

/// One read's way of carrying its changes to the rep's Outlook.
pub struct ToOutlook<'a> {
    state: &'a AppState,
    user_id: &'a UserId,
    policy: &'a Policy,
    mailbox: &'a MailboxToken,
    session: &'a mut Session,
    /// The creates our Outlook → Salesforce sync has sent and not yet recorded: an Event they
    /// made is theirs to link, never a new meeting to bring to Outlook. Read at the first new
    /// Event (a read that finds none, the steady state, never asks).
    in_flight: Option<Vec<Intent>>,
    window: (DateTime<Utc>, DateTime<Utc>),
}

impl<'a> ToOutlook<'a> {
    pub fn new(
        state: &'a AppState,
        user_id: &'a UserId,
        policy: &'a Policy,
        mailbox: &'a MailboxToken,
        session: &'a mut Session,
    ) -> Self {
        Self {
            state,
            user_id,
            policy,
            mailbox,
            session,
            in_flight: None,
            window: policy.window(storage::now()),
        }
    }

    /// Whether one of our own creates in flight made the Event `fields` describe.
    async fn ours(&mut self, fields: &serde_json::Map<String, Value>) -> anyhow::Result<bool> {
        if self.in_flight.is_none() {
            let recorded = salesforce_side::pending_intents(&self.state.db, self.user_id).await?;
            let intents = recorded
                .iter()
                .filter_map(|text| serde_json::from_str::<Intent>(text).ok())
                .collect();
            self.in_flight = Some(intents);
        }
        let in_flight = self.in_flight.as_deref().unwrap_or_default();
        Ok(in_flight.iter().any(|intent| intent.describes(fields)))
    }

    pub async fn apply(
        &mut self,
        change: &Changed,
        link: Option<&EventLink>,
    ) -> anyhow::Result<Outcome> {
        let outcome = match (link, change.deleted) {
            (Some(link), true) => self.deleted(change, link).await,
            (None, true) => Ok(Outcome::Done),
            (Some(link), false) => self.changed(change, link).await,
            (None, false) => self.new_event(change).await,
        };
        match outcome {
            Err(error) => match error.downcast_ref::<ReadError>() {
                Some(ReadError::Throttled(wait)) => Ok(Outcome::Later(*wait)),
                _ => Err(error),
            },
            done => done,
        }
    }

    /// A new Event of the rep: an Outlook event like it, when it falls in the window.
    async fn new_event(&mut self, change: &Changed) -> anyhow::Result<Outcome> {
        let salesforce = Content::of_fields(&change.fields);
        let Some((start, end)) = salesforce.span() else {
            return Ok(Outcome::Done);
        };
        if start >= self.window.1 || end <= self.window.0 || self.ours(&change.fields).await? {
            return Ok(Outcome::Done);
        }
        let related = change.related_names().join(", ");
        let related = (!related.is_empty()).then_some(related.as_str());
        let mut event = content::to_graph(&salesforce, related);
        event.insert(
            "singleValueExtendedProperties".into(),
            json!([{ "id": SELECTION_PROPERTY, "value": change.id }]),
        );
        let transaction = format!("outforce-{}-{}", self.user_id, change.id);
        let made = self
            .state
            .graph
            .create_event(self.mailbox, &event, &transaction)
            .await?;
        let who_ids: Vec<String> = change
            .text("WhoId")
            .map(str::to_string)
            .into_iter()
            .collect();
        let link = salesforce_side::create(
            &self.state.db,
            &salesforce_side::FromSalesforce {
                user_id: self.user_id,
                outlook_event_id: &made.id,
                salesforce_event_id: &change.id,
                outlook_change_key: made.change_key.as_deref(),
                who_ids: &who_ids,
                what_id: change.text("WhatId"),
                content: &salesforce,
                start,
                end,
            },
            storage::now(),
        )
        .await?;
        let detail =
            json!({ "salesforce_event_id": change.id, "after": event_fields(&salesforce) });
        self.record(&link, Decision::CreatedInOutlook, detail)
            .await?;
        Ok(Outcome::Done)
    }

    /// A linked Event that changed: merged with its Outlook event.
    async fn changed(&mut self, change: &Changed, link: &EventLink) -> anyhow::Result<Outcome> {
        let salesforce = Content::of_fields(&change.fields);
        let db = &self.state.db;
        // Unselected or gone from Outlook: Salesforce's edits bring nothing back.
        if !link.selected || link.state == LinkState::Removed {
            return Ok(Outcome::Done);
        }
        // Our own write, or nothing we compare changed (rule 3).
        if link.salesforce_content.as_ref().map(|c| &c.0) == Some(&salesforce) {
            return Ok(Outcome::Done);
        }
        // A link synced before each side's content was kept: what Salesforce holds now is
        // taken as what the last sync left.
        let Some(salesforce_base) = link.salesforce_content.as_ref().map(|c| &c.0) else {
            salesforce_side::record_contents(db, &link.id, None, Some(&salesforce)).await?;
            return Ok(Outcome::Done);
        };
        let Some(event) = self
            .state
            .graph
            .event(self.mailbox, &link.outlook_event_id)
            .await?
            .and_then(|e| serde_json::from_value::<GraphEvent>(e).ok())
        else {
            // Gone from Outlook: a delta round settles it.
            return Ok(Outcome::Done);
        };
        let Some(outlook) = self.outlook_content(&event, link) else {
            return Ok(Outcome::Done);
        };
        let changed_at = event
            .last_modified_date_time
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        // Salesforce is the master of a meeting whose Outlook edits never go to Salesforce.
        let policy = if self.policy.outlook_to_salesforce {
            self.policy.conflict
        } else {
            ConflictPolicy::SalesforceWins
        };
        let mut plan = content::reconcile(
            &Sides {
                outlook_base: link.outlook_content.as_ref().map(|c| &c.0),
                outlook_now: &outlook,
                salesforce_base: Some(salesforce_base),
                salesforce_now: &salesforce,
                outlook_changed_at: changed_at,
                salesforce_changed_at: change.last_modified,
            },
            policy,
        );
        if !self.policy.outlook_to_salesforce {
            plan.to_salesforce = Content::default();
        }
        self.carry_out(link, &event, (&outlook, &salesforce), &plan)
            .await
    }

    /// Writes the plan to each side and keeps what each then holds.
    async fn carry_out(
        &mut self,
        link: &EventLink,
        event: &GraphEvent,
        (outlook, salesforce): (&Content, &Content),
        plan: &Plan,
    ) -> anyhow::Result<Outcome> {
        let db = &self.state.db;
        let mut outlook_after = outlook.clone();
        if !plan.to_outlook.0.is_empty() {
            if !event.attendees.is_empty() && !link.from_salesforce {
                let parts: Vec<&str> = plan.to_outlook.0.keys().map(|p| p.as_str()).collect();
                let detail = json!({ "because": WOULD_NOTIFY_ATTENDEES, "parts": parts });
                self.record(link, Decision::KeptInOutlook, detail).await?;
            } else {
                let changes = content::to_graph(&plan.to_outlook, None);
                let written = self
                    .state
                    .graph
                    .update_event(
                        self.mailbox,
                        &link.outlook_event_id,
                        &changes,
                        event.change_key.as_deref(),
                    )
                    .await?;
                let Some(written) = written else {
                    return Ok(Outcome::Later(Duration::ZERO));
                };
                if let Some(key) = &written.change_key {
                    event_links::record_outlook_seen(db, &link.id, key).await?;
                }
                outlook_after = outlook.with(&plan.to_outlook);
                let detail = json!({ "after": event_fields(&plan.to_outlook) });
                self.record(link, Decision::UpdatedInOutlook, detail)
                    .await?;
            }
        }
        let mut salesforce_after = salesforce.clone();
        if let Some(id) = &link.salesforce_event_id
            && !plan.to_salesforce.0.is_empty()
        {
            let fields = plan.to_salesforce.to_salesforce();
            events::update(self.session, id, &fields).await?;
            salesforce_after = salesforce.with(&plan.to_salesforce);
            let detail =
                json!({ "salesforce_event_id": id, "call": call::UPDATE_ONE, "after": fields });
            self.record(link, Decision::Updated, detail).await?;
        }
        for conflict in &plan.conflicts {
            let detail = json!({
                "because": "changed_on_both_sides",
                "part": conflict.part.as_str(),
                "winner": conflict.winner,
                "outlook": conflict.outlook,
                "salesforce": conflict.salesforce,
                "lost": conflict.loser_value(),
            });
            self.record(link, Decision::Conflict, detail).await?;
        }
        salesforce_side::record_contents(
            db,
            &link.id,
            Some(&outlook_after),
            Some(&salesforce_after),
        )
        .await?;
        Ok(Outcome::Done)
    }

    /// A linked Event deleted in Salesforce: the link is dropped; the Outlook event stays,
    /// unless the policy deletes it and nobody would be mailed.
    async fn deleted(&mut self, change: &Changed, link: &EventLink) -> anyhow::Result<Outcome> {
        let db = &self.state.db;
        let graph = &self.state.graph;
        let detail = json!({ "because": SALESFORCE_DELETED, "salesforce_event_id": change.id });
        let event = graph.event(self.mailbox, &link.outlook_event_id).await?;
        let attendees = event
            .as_ref()
            .and_then(|e| e["attendees"].as_array())
            .is_some_and(|a| !a.is_empty());
        let decision = match (self.policy.deleted_in_salesforce, &event) {
            (_, None) => None,
            (Deletion::Delete, Some(_)) if !attendees => {
                graph
                    .delete_event(self.mailbox, &link.outlook_event_id)
                    .await?;
                Some(Decision::DeletedInOutlook)
            }
            (_, Some(_)) => {
                // The Outlook meeting stays, no longer marked as synced (a write attendees
                // never see).
                let _ = graph
                    .stamp_selection(self.mailbox, &link.outlook_event_id, "", None)
                    .await;
                Some(Decision::KeptInOutlook)
            }
        };
        salesforce_side::unlink(db, &link.id, SALESFORCE_DELETED, storage::now()).await?;
        if let Some(decision) = decision {
            self.record(link, decision, detail).await?;
        }
        Ok(Outcome::Done)
    }

    /// What the Outlook event says, as the sync would write it to Salesforce (the privacy
    /// policy's parts only).
    fn outlook_content(&self, event: &GraphEvent, link: &EventLink) -> Option<Content> {
        let context = Context {
            who_ids: &link.who_ids.0,
            what_id: link.what_id.as_deref(),
            shared_activities: true,
            private: self.policy.private,
        };
        match event_map::map(event, &context).ok()? {
            Mapped::Write(fields) => Some(Content::of_fields(&fields.fields)),
            Mapped::Cancelled | Mapped::Skipped(_) => None,
        }
    }

    async fn record(
        &self,
        link: &EventLink,
        decision: Decision,
        detail: Value,
    ) -> anyhow::Result<()> {
        let cause = Cause::SalesforceChange;
        super::decision::record(self.state, link, cause, decision, detail).await
    }
}

/// The parts as the history shows them: Salesforce's fields.
fn event_fields(content: &Content) -> Value {
    Value::Object(content.to_salesforce())
}
