//! The Salesforce Event of a link that leaves the sync: the meeting cancelled or deleted in
//! Outlook (a deletion only once a delta round saw it, past the deletion circuit breaker), or
//! unselected by the rep; the Event deleted or kept per the deletion policy (rule 5).

use serde_json::json;

use super::decision::{CANCELED, Decision, UNSELECTED, call};
use super::event_map;
use super::link::{Removal, Run, Step};
use super::policy::Deletion;
use crate::salesforce::events;
use crate::salesforce::session::Session;
use crate::storage;
use crate::storage::event_links::{self, LinkState};

impl Run<'_> {
    /// Cancelled or deleted in Outlook (`code` says which), per the deletion policy: the
    /// Event is deleted (by the batch), or kept with "Canceled: " before its subject as
    /// Salesforce holds it (as Outlook shows a cancelled meeting). The link stays, `removed`,
    /// and says why.
    pub(super) async fn gone(
        &self,
        session: &mut Session,
        code: &'static str,
    ) -> anyhow::Result<Step> {
        let (db, link) = (&self.state.db, self.link);
        // Already done (a later notice of the same deletion): the decision is not taken twice.
        if link.state == LinkState::Removed && link.last_error_code.as_deref() == Some(code) {
            return Ok(Step::Done);
        }
        // Others still sync the meeting: its Event passes to one of them.
        if self.hand_over(session, Some(code)).await? {
            return Ok(Step::Done);
        }
        match (self.policy.deleted, &link.salesforce_event_id) {
            (Deletion::Keep, Some(id)) => {
                let subject = events::subject(session, id).await?;
                let mut detail = json!({ "because": code, "salesforce_event_id": id });
                if let Some(subject) = subject.filter(|s| !s.starts_with(CANCELED)) {
                    let marked = event_map::truncated(&format!("{CANCELED}{subject}"), 255);
                    let mut fields = serde_json::Map::new();
                    fields.insert("Subject".into(), marked.into());
                    events::update(session, id, &fields).await?;
                    detail["call"] = call::UPDATE_ONE.into();
                    detail["after"] = fields.into();
                }
                self.record(Decision::Kept, detail).await?;
            }
            (_, Some(id)) => return Ok(Step::Delete(id.clone(), Removal::Gone(code))),
            (_, None) => {}
        }
        event_links::set_state(db, &link.id, LinkState::Removed, Some(code), storage::now())
            .await?;
        Ok(Step::Done)
    }

    /// The meeting is missing from Outlook, and no round has said so yet: a round is queued,
    /// which (unless the breaker holds it) marks the deletion and syncs the link again.
    pub(super) async fn ask_for_round(&self) -> anyhow::Result<Step> {
        let poll = super::PollMailbox {
            user_id: self.link.user_id.to_string(),
        };
        self.state.queue.enqueue(&poll).await?;
        Ok(Step::Done)
    }

    /// Unselected, per the deletion policy. Delete: the Event goes (by the batch) and the link
    /// is kept, `removed`, so that selecting the meeting again writes one Event anew. Keep: the
    /// Event stays and the link keeps its Id, so that selecting again updates that Event.
    pub(super) async fn unselect(&self, session: &mut Session) -> anyhow::Result<Step> {
        let (db, link) = (&self.state.db, self.link);
        self.release_series().await?;
        if self.hand_over(session, None).await? {
            return Ok(Step::Done);
        }
        match (self.policy.deleted, &link.salesforce_event_id) {
            (Deletion::Keep, Some(id)) => {
                event_links::set_state(db, &link.id, LinkState::Removed, None, storage::now())
                    .await?;
                let detail = json!({ "because": UNSELECTED, "salesforce_event_id": id });
                self.record(Decision::Kept, detail).await?;
            }
            (_, Some(id)) => return Ok(Step::Delete(id.clone(), Removal::Unselected)),
            (_, None) => {
                event_links::forget_salesforce_event(db, &link.id, storage::now()).await?;
            }
        }
        self.stamp("", None).await?;
        Ok(Step::Done)
    }

    /// Finishes a deletion the batch's call made (or found made already).
    pub async fn deleted(&self, id: &str, removal: Removal) -> anyhow::Result<()> {
        let (db, link) = (&self.state.db, self.link);
        let because = match removal {
            Removal::Gone(code) => code,
            Removal::Unselected => UNSELECTED,
        };
        let detail = json!({ "because": because, "salesforce_event_id": id, "call": call::DELETE });
        self.record(Decision::Deleted, detail).await?;
        event_links::forget_salesforce_event(db, &link.id, storage::now()).await?;
        match removal {
            Removal::Gone(code) => {
                event_links::set_state(
                    db,
                    &link.id,
                    LinkState::Removed,
                    Some(code),
                    storage::now(),
                )
                .await?;
            }
            Removal::Unselected => self.stamp("", None).await?,
        }
        Ok(())
    }
}
