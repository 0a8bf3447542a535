//! One link brought in step: its meeting (as Graph holds it, with the pane's newer view over
//! it, or as the pane saw it when Graph cannot be asked) written to one Salesforce Event,
//! updated, or removed per the deletion policy, and the Outlook event stamped with the Id.
//!
//! Exactly once (rule 2): the intent is recorded before a create; a retry that finds an intent
//! without an Id looks for the Event the earlier attempt may have written (owner, start and
//! subject) before creating one. An unchanged hash writes nothing, nor does an Outlook event
//! whose change key is the one last synced (rule 3).

use chrono::{DateTime, Utc};
use serde_json::json;

use super::Cause;
use super::content::Content;
use super::decision::{
    DIRECTION_OFF, Decision, NO_MATCHING_ATTENDEE, OUTLOOK_CANCELLED, OUTLOOK_DELETED,
    OUTLOOK_UNREADABLE, REJECTED, call,
};
use super::event_map::{self, Context, GraphEvent, Mapped};
use super::intent::Intent;
use super::policy::Policy;
use crate::graph::access::MailboxToken;
use crate::graph::events::SELECTION_PROPERTY;
use crate::jobs::Permanent;
use crate::salesforce::ErrorCode;
use crate::salesforce::EventShape;
use crate::salesforce::session::Session;
use crate::state::AppState;
use crate::storage;
use crate::storage::event_links::{self, AsWritten, EventLink, LinkState, Written};

/// What the org has for the addresses a run looked up (`sync::attendees`).
pub(super) type Lookups = std::collections::HashMap<
    crate::matching::EmailAddress,
    std::sync::Arc<crate::matching::Found>,
>;

/// One link's part of a sync run.
pub(super) struct Run<'a> {
    pub state: &'a AppState,
    pub link: &'a EventLink,
    pub policy: Policy,
    pub mailbox: Option<&'a MailboxToken>,
    /// What the org's Event offers (Shared Activities, the key field).
    pub shape: &'a EventShape,
    /// What asked for this run, kept with each decision it takes.
    pub cause: Cause,
}

/// What a link's run leaves to the batch's Salesforce calls (sObject Collections), to be
/// finished once Salesforce has answered.
pub(super) enum Step {
    /// Nothing is left to write.
    Done,
    Create(Box<Write>),
    Update(String, Box<Write>),
    Delete(String, Removal),
}

/// An Event's fields to write, and the Outlook event they came from.
pub(super) struct Write {
    pub fields: event_map::EventFields,
    pub source: GraphEvent,
    /// The create an earlier attempt may have made already (its intent was left behind),
    /// to be looked for before creating again.
    pub earlier: Option<Intent>,
}

/// Why an Event is deleted.
#[derive(Clone, Copy)]
pub(super) enum Removal {
    /// The meeting was cancelled or deleted in Outlook (the link's code says which).
    Gone(&'static str),
    Unselected,
}

impl Run<'_> {
    /// Decides what the link's Event needs, doing at once what needs no batched call (a skip,
    /// an Event found again, a kept Event marked, a stamp), and recording the intent before a
    /// create.
    pub async fn plan(
        &self,
        session: &mut Session,
        source: Source,
        found: &Lookups,
    ) -> anyhow::Result<Step> {
        let link = self.link;
        // The configuration sends nothing from Outlook to Salesforce: the Event (if any) stays
        // as it is, and the link says why.
        if !self.policy.outlook_to_salesforce && !matches!(source, Source::Unselected) {
            // A meeting that came from Salesforce, which sends Outlook's edits nowhere: they
            // stay in Outlook, and one deleted there (once a round saw it) leaves the sync, its
            // Event untouched. A meeting the rep chose is refused, and says why.
            if link.from_salesforce {
                if matches!(source, Source::Deleted) && link.removal_seen {
                    let (db, code, now) = (&self.state.db, Some(OUTLOOK_DELETED), storage::now());
                    event_links::set_state(db, &link.id, LinkState::Removed, code, now).await?;
                }
                return Ok(Step::Done);
            }
            return self.skip(DIRECTION_OFF).await;
        }
        // Invited to another rep's Event of the meeting: that rep's sync writes it.
        if link.shared_event_id.is_some() {
            return match source {
                Source::Unselected => self.leave_shared(session, None).await,
                Source::Deleted if link.removal_seen => {
                    self.leave_shared(session, Some(OUTLOOK_DELETED)).await
                }
                Source::Found(event) if event.is_cancelled => {
                    self.leave_shared(session, Some(OUTLOOK_CANCELLED)).await
                }
                _ => Ok(Step::Done),
            };
        }
        let source = match source {
            Source::Unselected => return self.unselect(session).await,
            Source::Found(event) if event.is_series_master() => return self.expand(&event).await,
            // Outlook holds what we last synced, and the rep changed nothing since (a notice of
            // our own stamp, a poll that overlapped the sync): nothing to do (rule 3).
            Source::Found(event)
                if link.state == LinkState::Synced
                    && self.cause != Cause::Configuration
                    && event.change_key.is_some()
                    && event.change_key == link.outlook_change_key =>
            {
                return Ok(Step::Done);
            }
            Source::Found(event) => event,
            // Only a delta round, past the deletion circuit breaker, decides that a meeting is
            // gone: a sync that finds it missing on its own asks for a round.
            Source::Deleted if !link.removal_seen => return self.ask_for_round().await,
            Source::Deleted => return self.gone(session, OUTLOOK_DELETED).await,
            // Nothing to write from: the link says so (and the error report what to check);
            // the rep's next change, or opening the pane on the meeting, syncs it again.
            Source::Unknown => return self.skip(OUTLOOK_UNREADABLE).await,
        };
        let who_ids = self.follow_attendees(&source, found).await?;
        // Selected only because every meeting is synced (`scope: all`): one with no attendee
        // who matches (internal only, or only ambiguous addresses) stays out of Salesforce.
        if link.by_scope && who_ids.is_empty() && link.salesforce_event_id.is_none() {
            let db = &self.state.db;
            let code = NO_MATCHING_ATTENDEE;
            event_links::set_state(db, &link.id, LinkState::Removed, Some(code), storage::now())
                .await?;
            if let Some(seen) = &source.change_key {
                event_links::record_outlook_seen(db, &link.id, seen).await?;
            }
            return Ok(Step::Done);
        }
        let context = Context {
            who_ids: &who_ids,
            what_id: link.what_id.as_deref(),
            shared_activities: self.shape.shared_activities,
            private: self.policy.private,
        };
        match event_map::map(&source, &context).map_err(|e| Permanent(e.to_string()))? {
            Mapped::Write(fields) => {
                let write = Box::new(Write {
                    fields,
                    source: *source,
                    earlier: None,
                });
                self.write(session, write).await
            }
            Mapped::Cancelled => self.gone(session, OUTLOOK_CANCELLED).await,
            Mapped::Skipped(code) => self.skip(code).await,
        }
    }

    /// Leaves the link's meeting out of Salesforce this time: the link fails with `code`, and
    /// the history says why.
    async fn skip(&self, code: &'static str) -> anyhow::Result<Step> {
        let (db, link) = (&self.state.db, self.link);
        event_links::set_state(db, &link.id, LinkState::Failed, Some(code), storage::now()).await?;
        self.record(Decision::Skipped, json!({ "because": code }))
            .await?;
        Ok(Step::Done)
    }

    /// What the run needs to know of the meeting: nothing once it is unselected, else
    /// [`Run::source_event`].
    pub async fn read(&self) -> anyhow::Result<Source> {
        if !self.link.selected {
            return Ok(Source::Unselected);
        }
        self.source_event().await
    }

    /// The meeting to write: the event as Graph has it (body, sensitivity, show-as), with what
    /// the pane saw laid over it when the pane's view is the newer (an organizer's unsaved
    /// edits, a meeting Graph has not caught up with); the pane's view alone when the sync has
    /// no way into the mailbox or Graph refuses it. Graph throttling or failing in passing
    /// makes the run wait and read again: the pane's view lacks the body, the privacy and the
    /// free/busy, so writing it instead could leak a private meeting or blank a description.
    /// Graph not knowing an event it has shown us before means the rep deleted it.
    async fn source_event(&self) -> anyhow::Result<Source> {
        let link = self.link;
        let snapshot = link.meeting.as_ref().map(|m| event_map::from_pane(&m.0));
        let from_graph = match &self.mailbox {
            Some(mailbox) => match self
                .state
                .graph
                .event(mailbox, &link.outlook_event_id)
                .await
            {
                Ok(None) if link.outlook_change_key.is_some() => return Ok(Source::Deleted),
                Ok(found) => found,
                Err(error) if error.is_transient() => return Err(error.into()),
                Err(_) => None,
            },
            None => None,
        };
        let Some(mut event) = from_graph.and_then(|e| serde_json::from_value::<GraphEvent>(e).ok())
        else {
            return Ok(snapshot.map_or(Source::Unknown, |s| Source::Found(Box::new(s))));
        };
        let graph_changed = event
            .last_modified_date_time
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        let pane_newer = link.state == LinkState::Pending
            && graph_changed.is_none_or(|changed| link.updated_at > changed);
        if let (Some(seen), true) = (snapshot, pane_newer) {
            event.subject = seen.subject;
            event.start = seen.start;
            event.end = seen.end;
            event.is_all_day = seen.is_all_day;
            event.location = seen.location;
        }
        Ok(Source::Found(Box::new(event)))
    }

    async fn write(&self, session: &mut Session, write: Box<Write>) -> anyhow::Result<Step> {
        let link = self.link;
        let hash = write.fields.hash.as_str();
        match &link.salesforce_event_id {
            Some(id) if link.salesforce_hash.as_deref() == Some(hash) => {
                self.written(&write, id, None).await?;
                Ok(Step::Done)
            }
            Some(id) => Ok(Step::Update(id.clone(), write)),
            None => {
                // Another rep of the org syncs this meeting: one Event for all of them.
                let mut write = match self.join_shared(session, write).await? {
                    Ok(step) => return Ok(step),
                    Err(write) => write,
                };
                // An intent left by an earlier attempt: that attempt may have written the Event
                // before it could record the Id. With a key field the create is an upsert by
                // the link's key and finds it by itself; without, the batch looks for the
                // Event that intent describes first, and records this create's intent only
                // once it is sure to send it (so the earlier one is never lost).
                write.earlier = match (&link.write_intent, &self.shape.key_field) {
                    (Some(recorded), None) => Some(Intent::read(recorded, &write.fields)),
                    _ => None,
                };
                if write.earlier.is_none() {
                    self.intend(&write).await?;
                }
                Ok(Step::Create(write))
            }
        }
    }

    /// Records, before a create is sent, what finds its Event again.
    pub async fn intend(&self, write: &Write) -> anyhow::Result<()> {
        let intent = Intent::of(&write.fields).to_text();
        let db = &self.state.db;
        event_links::record_write_intent(db, &self.link.id, &intent, storage::now()).await?;
        Ok(())
    }

    /// Finishes a create an earlier attempt had made, found again by the batch.
    pub async fn found_again(&self, write: &Write, id: &str) -> anyhow::Result<()> {
        self.written(write, id, Some(Decision::FoundAgain)).await
    }

    /// Finishes a create the batch's call made.
    pub async fn created(&self, write: &Write, id: &str) -> anyhow::Result<()> {
        self.written(write, id, Some(Decision::Created)).await
    }

    /// Finishes an update the batch's call made.
    pub async fn updated(&self, write: &Write, id: &str) -> anyhow::Result<()> {
        self.written(write, id, Some(Decision::Updated)).await
    }

    /// Records the Event as written (and the decision, when Salesforce was changed) and stamps
    /// the Outlook event with its Id.
    async fn written(
        &self,
        write: &Write,
        id: &str,
        decision: Option<Decision>,
    ) -> anyhow::Result<()> {
        let (db, link, source) = (&self.state.db, self.link, &write.source);
        let (start, end) = write.fields.span;
        let content = Content::of_fields(&write.fields.fields);
        let done = Written::Salesforce {
            event_id: id,
            hash: &write.fields.hash,
            modstamp: "",
            meeting: AsWritten {
                start,
                end,
                who_ids_left_out: i64::try_from(write.fields.who_ids_dropped).unwrap_or(0),
            },
            // Both sides now hold what Outlook holds (rule 4 compares later changes with it).
            content: Some(&content),
        };
        event_links::record_written(db, &link.id, done, storage::now()).await?;
        if let Some(decision) = decision {
            let call = match (decision, &self.shape.key_field) {
                (Decision::FoundAgain, _) => call::FIND_WRITTEN,
                (Decision::Created, Some(_)) => call::UPSERT,
                (Decision::Created, None) => call::CREATE,
                _ => call::UPDATE,
            };
            let detail =
                json!({ "salesforce_event_id": id, "call": call, "after": &write.fields.fields });
            self.record(decision, detail).await?;
        }
        if let Some(seen) = &source.change_key {
            event_links::record_outlook_seen(db, &link.id, seen).await?;
        }
        let stamped = source
            .single_value_extended_properties
            .iter()
            .any(|p| p.id.eq_ignore_ascii_case(SELECTION_PROPERTY) && p.value == id);
        if !stamped && source.kind.as_deref() != Some("occurrence") {
            self.stamp(id, source.change_key.as_deref()).await?;
        }
        Ok(())
    }

    /// Salesforce refused the link's Event for a reason no retry fixes (a related record gone, a
    /// validation rule): the link fails with `salesforce_rejected`, the history keeps
    /// Salesforce's code, and the job is not retried; the rep's next change to the meeting or
    /// its relations tries again.
    pub async fn rejected(&self, code: &ErrorCode, call: &str) -> anyhow::Result<()> {
        let (db, link) = (&self.state.db, self.link);
        event_links::set_state(
            db,
            &link.id,
            LinkState::Failed,
            Some(REJECTED),
            storage::now(),
        )
        .await?;
        let detail = json!({ "because": REJECTED, "salesforce_code": code.as_str(), "call": call });
        self.record(Decision::Rejected, detail).await?;
        Err(Permanent(format!("Salesforce refused the Event: {code}")).into())
    }

    /// Keeps a decision about the link in its history ([`super::decision::record`]).
    pub(super) async fn record(
        &self,
        decision: Decision,
        detail: serde_json::Value,
    ) -> anyhow::Result<()> {
        super::decision::record(self.state, self.link, self.cause, decision, detail).await
    }

    /// Marks the Outlook event with its Salesforce Id (empty once unselected), so the selection
    /// shows on every device, and remembers the change key our write gave it (so that the
    /// notification of it is known for our own echo). Best effort: the Salesforce side is
    /// already right, and the next sync stamps again.
    pub(super) async fn stamp(
        &self,
        value: &str,
        if_unchanged_since: Option<&str>,
    ) -> anyhow::Result<()> {
        let Some(mailbox) = &self.mailbox else {
            return Ok(());
        };
        // An occurrence of a selected series shows its series' mark; a write to the occurrence
        // itself would make it an exception, cut off from later edits of the series.
        if self.link.from_series {
            return Ok(());
        }
        let link = self.link;
        let stamped = self
            .state
            .graph
            .stamp_selection(mailbox, &link.outlook_event_id, value, if_unchanged_since)
            .await;
        match stamped {
            Ok(Some(change_key)) => {
                event_links::record_outlook_seen(&self.state.db, &link.id, &change_key).await?;
            }
            Ok(None) => {}
            Err(error) => {
                tracing::info!(link = %link.id, error = %error, "the Outlook event was not marked");
            }
        }
        Ok(())
    }
}

/// Where the meeting to write comes from.
pub(super) enum Source {
    /// The rep stopped syncing it: nothing is read.
    Unselected,
    Found(Box<GraphEvent>),
    /// Graph showed it before and knows it no more.
    Deleted,
    /// Neither Graph nor the pane.
    Unknown,
}
