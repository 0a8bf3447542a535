//! One Salesforce Event's change brought to Outlook (Salesforce → Outlook):
//!
//! - a new Event of the rep in the window becomes an Outlook event in their calendar, marked
//!   with its Salesforce Id, inviting nobody (its relations are named in its body): rule 7;
//! - a linked Event changed since both sides last agreed is merged with its Outlook event part
//!   by part, a part both changed settled by the conflict policy (rule 4), the loser kept in the
//!   history; a meeting with attendees is never changed from here (Exchange would mail them an
//!   update): what Outlook holds then becomes the agreed content of Outlook's side, and the
//!   history says so;
//! - a deleted Event drops its link (rule 5); its Outlook event is deleted only when the
//!   policy says so and nobody would be mailed a cancellation;
//! - what we wrote ourselves comes back equal to what the link holds, and is left (rule 3).
//!
//! Each write's history entry says what the side held before it and what the write left.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::graph::access::MailboxToken;
use crate::graph::events::SELECTION_PROPERTY;
use crate::ids::UserId;
use crate::salesforce::changes::Changed;
use crate::salesforce::events;
use crate::salesforce::session::Session;
use crate::state::AppState;
use crate::storage::event_links::{self, EventLink, LinkState, salesforce_side};
use crate::storage::history::{self, Actor, NewEntry};
use crate::storage::{self, StorageError};
use crate::sync::error::{Delay, SyncError};
use crate::sync::model::codes::LinkCode;
use crate::sync::model::content::Content;
use crate::sync::model::event_map::{self, Context, GraphEvent, Mapped};
use crate::sync::model::history::{Action, Call, Cause, Detail, Rule, Side};
use crate::sync::model::reconcile::{self, Merge, Sides};
use crate::sync::model::settings::{ConflictPolicy, Deletion, SyncSettings};
use crate::sync::model::to_graph::to_graph;
use crate::sync::to_salesforce::intent::Intent;

/// The intents of the rep's creates sent and not yet recorded. Read them before the links of
/// a round's Events: a create that finishes in between records its Id and ends its intent
/// together, so it is then in one or the other, never in neither (which would bring our own
/// Event back to Outlook as a new meeting).
pub async fn creates_in_flight(
    state: &AppState,
    user_id: &UserId,
) -> Result<Vec<Intent>, StorageError> {
    Ok(salesforce_side::in_flight(&state.db, user_id)
        .await?
        .iter()
        .filter_map(|(_, text)| serde_json::from_str::<Intent>(text).ok())
        .collect())
}

/// What became of one change.
pub enum Outcome {
    Done,
    /// Not now (Graph asked us to wait, or the rep changed the Outlook event meanwhile): the
    /// read stops before this change.
    Later(Duration),
}

/// One read's way of carrying its changes to the rep's Outlook.
pub struct ToOutlook<'a> {
    state: &'a AppState,
    user_id: &'a UserId,
    settings: &'a SyncSettings,
    mailbox: &'a MailboxToken,
    session: &'a mut Session,
    /// The creates our Outlook → Salesforce sync has sent and not yet recorded: an Event they
    /// made is theirs to link, never a new meeting to bring to Outlook.
    in_flight: Vec<Intent>,
    window: (DateTime<Utc>, DateTime<Utc>),
}

impl<'a> ToOutlook<'a> {
    pub fn new(
        state: &'a AppState,
        user_id: &'a UserId,
        settings: &'a SyncSettings,
        mailbox: &'a MailboxToken,
        session: &'a mut Session,
        in_flight: Vec<Intent>,
    ) -> Self {
        Self {
            state,
            user_id,
            settings,
            mailbox,
            session,
            in_flight,
            window: settings.window(storage::now()),
        }
    }

    /// Brings one change to Outlook. Graph asking to wait is [`Outcome::Later`]; any other
    /// failure is an error, and the read's cursor stays before the change.
    pub async fn apply(
        &mut self,
        change: &Changed,
        link: Option<&EventLink>,
    ) -> Result<Outcome, SyncError> {
        let outcome = match (link, change.deleted) {
            (Some(link), true) => self.deleted(change, link).await,
            (None, true) => Ok(Outcome::Done),
            (Some(link), false) => self.changed(change, link).await,
            (None, false) => self.new_event(change).await,
        };
        match outcome {
            Err(SyncError::Wait(Delay::For(wait), _)) => Ok(Outcome::Later(wait)),
            Err(SyncError::Wait(_, _)) => Ok(Outcome::Later(Duration::from_secs(
                self.state.settings.sync.transient_retry_secs,
            ))),
            other => other,
        }
    }

    /// Whether one of our own creates in flight made the Event `fields` describe.
    fn ours(&self, fields: &serde_json::Map<String, Value>) -> bool {
        self.in_flight.iter().any(|intent| intent.describes(fields))
    }

    /// A new Event of the rep: an Outlook event like it, when it falls in the window.
    async fn new_event(&mut self, change: &Changed) -> Result<Outcome, SyncError> {
        let salesforce = Content::of_fields(&change.fields);
        let Some((start, end)) = salesforce.span() else {
            return Ok(Outcome::Done);
        };
        if start >= self.window.1 || end <= self.window.0 || self.ours(&change.fields) {
            return Ok(Outcome::Done);
        }
        let related = change.related_names().join(", ");
        let related = (!related.is_empty()).then_some(related.as_str());
        let mut event = to_graph(&salesforce, related);
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
        let detail = Detail {
            side: Some(Side::Outlook),
            after: Some(salesforce.to_salesforce()),
            ..Detail::event(&change.id)
        };
        self.record(&link, Action::CreatedInOutlook, detail).await?;
        Ok(Outcome::Done)
    }

    /// A linked Event that changed: merged with its Outlook event.
    async fn changed(&mut self, change: &Changed, link: &EventLink) -> Result<Outcome, SyncError> {
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
        // taken as what both last agreed.
        let Some(salesforce_base) = link.salesforce_content.as_ref().map(|c| &c.0) else {
            salesforce_side::record_contents(db, &link.id, None, Some(&salesforce)).await?;
            return Ok(Outcome::Done);
        };
        let Some(found) = self
            .state
            .graph
            .event(self.mailbox, &link.outlook_event_id)
            .await?
        else {
            // Gone from Outlook: a delta round settles it.
            return Ok(Outcome::Done);
        };
        let event: GraphEvent = serde_json::from_value(found).map_err(|error| {
            SyncError::Failed(anyhow::anyhow!(
                "the Outlook event of link {} could not be read: {error}",
                link.id
            ))
        })?;
        // Cancelled, or kept out by the privacy policy: nothing of it is merged.
        let Some(outlook) = self.outlook_content(&event, link)? else {
            return Ok(Outcome::Done);
        };
        let changed_at = event
            .last_modified_date_time
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        // Salesforce is the master of a meeting whose Outlook edits never go to Salesforce.
        let policy = if self.settings.outlook_to_salesforce() {
            self.settings.conflict
        } else {
            ConflictPolicy::SalesforceWins
        };
        let mut merge = reconcile::reconcile(
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
        if !self.settings.outlook_to_salesforce() {
            merge.to_salesforce = Content::default();
        }
        self.carry_out(link, &event, (&outlook, &salesforce), &merge)
            .await
    }

    /// Writes the merge to each side and keeps what each then holds as the new agreed content.
    async fn carry_out(
        &mut self,
        link: &EventLink,
        event: &GraphEvent,
        (outlook, salesforce): (&Content, &Content),
        merge: &Merge,
    ) -> Result<Outcome, SyncError> {
        let db = &self.state.db;
        let mut outlook_after = outlook.clone();
        if !merge.to_outlook.is_empty() {
            if !event.attendees.is_empty() && !link.from_salesforce {
                // Outlook keeps its own: that is now what its side agrees to.
                let detail = Detail {
                    parts: Some(merge.to_outlook.parts()),
                    ..Detail::because(Rule::WouldNotifyAttendees)
                };
                self.record(link, Action::KeptInOutlook, detail).await?;
            } else {
                let changes = to_graph(&merge.to_outlook, None);
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
                    event_links::outcome::record_outlook_seen(db, &link.id, key).await?;
                }
                outlook_after = outlook.with(&merge.to_outlook);
                let parts = merge.to_outlook.parts();
                let detail = Detail {
                    side: Some(Side::Outlook),
                    parts: Some(parts.clone()),
                    before: Some(outlook.only(&parts).to_salesforce()),
                    after: Some(merge.to_outlook.to_salesforce()),
                    ..Detail::default()
                };
                self.record(link, Action::UpdatedInOutlook, detail).await?;
            }
        }
        let mut salesforce_after = salesforce.clone();
        if let Some(id) = &link.salesforce_event_id
            && !merge.to_salesforce.is_empty()
        {
            let fields = merge.to_salesforce.to_salesforce();
            events::update(self.session, id, &fields).await?;
            salesforce_after = salesforce.with(&merge.to_salesforce);
            let parts = merge.to_salesforce.parts();
            let detail = Detail {
                call: Some(Call::UpdateOne),
                side: Some(Side::Salesforce),
                parts: Some(parts.clone()),
                before: Some(salesforce.only(&parts).to_salesforce()),
                after: Some(fields),
                ..Detail::event(id)
            };
            self.record(link, Action::Updated, detail).await?;
        }
        for conflict in &merge.conflicts {
            let detail = Detail {
                part: Some(conflict.part),
                winner: Some(conflict.winner),
                outlook: Some(conflict.outlook.clone()),
                salesforce: Some(conflict.salesforce.clone()),
                lost: Some(conflict.loser_value().clone()),
                ..Detail::because(Rule::ChangedOnBothSides)
            };
            self.record(link, Action::Conflict, detail).await?;
        }
        // Outlook's side keeps the relations the sync last wrote from it.
        if let Some(base) = &link.outlook_content {
            outlook_after = outlook_after.with_relations_of(&base.0);
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
    async fn deleted(&mut self, change: &Changed, link: &EventLink) -> Result<Outcome, SyncError> {
        let graph = &self.state.graph;
        let event = graph.event(self.mailbox, &link.outlook_event_id).await?;
        let attendees = event
            .as_ref()
            .and_then(|e| e["attendees"].as_array())
            .is_some_and(|a| !a.is_empty());
        let action = match (self.settings.deleted_in_salesforce, &event) {
            (_, None) => None,
            (Deletion::Delete, Some(_)) if !attendees => {
                graph
                    .delete_event(self.mailbox, &link.outlook_event_id)
                    .await?;
                Some(Action::DeletedInOutlook)
            }
            (_, Some(_)) => {
                // The Outlook meeting stays, no longer marked as synced (a write attendees
                // never see). Best effort: the link goes either way.
                if let Err(error) = graph
                    .stamp_selection(self.mailbox, &link.outlook_event_id, "", None)
                    .await
                {
                    tracing::warn!(link = %link.id, error = %error, "the kept Outlook event was not unmarked");
                }
                Some(Action::KeptInOutlook)
            }
        };
        let now = storage::now();
        salesforce_side::unlink(&self.state.db, &link.id, LinkCode::SalesforceDeleted, now).await?;
        if let Some(action) = action {
            let detail = Detail {
                salesforce_event_id: Some(change.id.clone()),
                ..Detail::because(LinkCode::SalesforceDeleted)
            };
            self.record(link, action, detail).await?;
        }
        Ok(Outcome::Done)
    }

    /// What the Outlook event says, as the sync would write it to Salesforce (the privacy
    /// policy's parts only). An event that cannot be mapped is an error: the change waits.
    fn outlook_content(
        &self,
        event: &GraphEvent,
        link: &EventLink,
    ) -> Result<Option<Content>, SyncError> {
        let context = Context {
            who_ids: &link.who_ids.0,
            what_id: link.what_id.as_deref(),
            shared_activities: true,
            private: self.settings.private,
        };
        match event_map::map(event, &context) {
            Ok(Mapped::Write(fields)) => Ok(Some(Content::of_fields(&fields.fields))),
            Ok(Mapped::Cancelled | Mapped::Skipped(_)) => Ok(None),
            Err(error) => Err(SyncError::Failed(anyhow::anyhow!(
                "the Outlook event of link {} could not be mapped: {error}",
                link.id
            ))),
        }
    }

    async fn record(
        &self,
        link: &EventLink,
        action: Action,
        detail: Detail,
    ) -> Result<(), SyncError> {
        let detail = Detail {
            seen: Some(Cause::SalesforceChange),
            ..detail
        };
        let entry = NewEntry {
            user_id: &link.user_id,
            link_id: Some(&link.id),
            actor: Actor::System,
            action,
            detail: &detail,
        };
        history::append(&self.state.db, &entry, storage::now()).await?;
        Ok(())
    }
}
