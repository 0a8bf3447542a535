//! Shared meetings: several reps of one org attend the same meeting (one iCalUId), and
//! Salesforce gets one Event, never one per rep.
//!
//! - The first rep to sync it claims it (once per org, so two at once still make one Event)
//!   and owns the Event; each other rep who syncs it is related to that Event as an invited
//!   user (Salesforce puts a child Event in their calendar).
//! - The organizer's rep, syncing it later, takes the Event over (they own the meeting); the
//!   former owner becomes an invitee.
//! - The owner stopping (unselecting, or the meeting leaving their calendar) hands the Event to
//!   the organizer's rep if they sync it, else to the rep who joined first; the Event is deleted
//!   (per the deletion policy) only when nobody syncs the meeting any more.
//! - An invitee stopping is only uninvited.

use std::time::Duration;

use serde_json::json;

use super::decision::Decision;
use super::link::{Run, Step, Write};
use super::settle::WaitFor;
use crate::salesforce::invitees;
use crate::salesforce::session::Session;
use crate::storage;
use crate::storage::event_links::shared::{self, Former};
use crate::storage::event_links::{self, EventLink};
use crate::storage::users;

/// The code a link waits with while another rep's first write of the meeting lands.
pub const SHARED_PENDING: &str = "shared_meeting_pending";

/// How long a rep joining a meeting whose Event is still being written waits to look again.
const JOIN_WAIT: Duration = Duration::from_secs(2);

impl Run<'_> {
    /// Before a create: the meeting's Event that another rep of the org owns, which this rep
    /// joins (or, as its organizer, takes over). `None`: this rep owns the meeting; create it.
    pub(super) async fn join_shared(
        &self,
        session: &mut Session,
        write: Box<Write>,
    ) -> anyhow::Result<Result<Step, Box<Write>>> {
        let (db, link) = (&self.state.db, self.link);
        let Some(uid) = write.source.ical_uid.clone().filter(|u| !u.is_empty()) else {
            return Ok(Err(write));
        };
        let Some(user) = users::find(db, &link.user_id).await? else {
            return Ok(Err(write));
        };
        let organizer = write.source.is_organizer == Some(true);
        let owner_id = shared::claim(db, &user.tenant_id, &uid, &link.id, organizer).await?;
        if owner_id == link.id {
            return Ok(Err(write));
        }
        let owner = event_links::find(db, &owner_id).await?;
        let owner = match owner {
            Some(owner) if owner.selected => owner,
            // The owner stopped before writing: this rep takes the meeting, unless another rep
            // took it a moment before (then this one joins theirs, on its next look).
            _ => {
                if shared::set_owner(db, &user.tenant_id, &uid, &owner_id, &link.id).await? {
                    return Ok(Err(write));
                }
                return Err(WaitFor(JOIN_WAIT, SHARED_PENDING).into());
            }
        };
        let Some(event_id) = owner.salesforce_event_id.clone() else {
            // The owner's first write has not landed yet: look again in a moment.
            return Err(WaitFor(JOIN_WAIT, SHARED_PENDING).into());
        };
        let me = session.salesforce_user_id().as_str().to_string();
        if organizer && !owner.is_organizer {
            // The organizer's rep owns their meeting: the Event passes to them.
            invitees::set_owner(session, &event_id, &me).await?;
            invitees::uninvite(session, &event_id, &me).await?;
            if let Some(former) = salesforce_user(self, &owner).await? {
                invitees::invite(session, &event_id, &former).await?;
            }
            shared::set_owner(db, &user.tenant_id, &uid, &owner.id, &link.id).await?;
            let now = storage::now();
            shared::transfer(db, &owner.id, &link.id, &event_id, Former::Invitee, now).await?;
            let detail = json!({ "salesforce_event_id": event_id, "because": "organizer" });
            self.record(Decision::TookOver, detail).await?;
            return Ok(Ok(Step::Update(event_id, write)));
        }
        invitees::invite(session, &event_id, &me).await?;
        shared::join(db, &link.id, &event_id, storage::now()).await?;
        let detail = json!({ "salesforce_event_id": event_id, "because": "shared_meeting" });
        self.record(Decision::Invited, detail).await?;
        Ok(Ok(Step::Done))
    }

    /// An invitee's link leaves the meeting (`code`: why, `None` when unselected): uninvited.
    pub(super) async fn leave_shared(
        &self,
        session: &mut Session,
        code: Option<&'static str>,
    ) -> anyhow::Result<Step> {
        let (db, link) = (&self.state.db, self.link);
        if let Some(event_id) = &link.shared_event_id {
            let me = session.salesforce_user_id().as_str().to_string();
            invitees::uninvite(session, event_id, &me).await?;
            let detail = json!({ "salesforce_event_id": event_id, "because": code.unwrap_or(super::decision::UNSELECTED) });
            self.record(Decision::Uninvited, detail).await?;
        }
        shared::leave(db, &link.id, code, storage::now()).await?;
        if code.is_none() {
            self.stamp("", None).await?;
        }
        Ok(Step::Done)
    }

    /// The owner's link leaves the meeting: its Event passes to the organizer's rep if they sync
    /// it, else to the rep who joined first. `false`: nobody else syncs it (the deletion policy
    /// decides).
    pub(super) async fn hand_over(
        &self,
        session: &mut Session,
        code: Option<&'static str>,
    ) -> anyhow::Result<bool> {
        let (db, link) = (&self.state.db, self.link);
        let Some(event_id) = &link.salesforce_event_id else {
            return Ok(false);
        };
        let invited = shared::invitees(db, event_id).await?;
        // The meeting's claim in the org, when it has one.
        let claim = match (&link.ical_uid, users::find(db, &link.user_id).await?) {
            (Some(uid), Some(user)) => Some((uid, user.tenant_id)),
            _ => None,
        };
        let Some(next) = invited
            .iter()
            .find(|l| l.is_organizer)
            .or_else(|| invited.first())
        else {
            if let Some((uid, tenant_id)) = &claim {
                shared::release(db, tenant_id, uid, &link.id).await?;
            }
            return Ok(false);
        };
        let Some(new_owner) = salesforce_user(self, next).await? else {
            return Ok(false);
        };
        invitees::set_owner(session, event_id, &new_owner).await?;
        invitees::uninvite(session, event_id, &new_owner).await?;
        if let Some((uid, tenant_id)) = &claim {
            shared::set_owner(db, tenant_id, uid, &link.id, &next.id).await?;
        }
        let now = storage::now();
        shared::transfer(db, &link.id, &next.id, event_id, Former::Gone(code), now).await?;
        let detail = json!({
            "salesforce_event_id": event_id,
            "because": code.unwrap_or(super::decision::UNSELECTED),
            "handed_to": next.id,
        });
        self.record(Decision::HandedOver, detail).await?;
        if code.is_none() {
            self.stamp("", None).await?;
        }
        Ok(true)
    }
}

/// The Salesforce user of the rep whose link `link` is.
async fn salesforce_user(run: &Run<'_>, link: &EventLink) -> anyhow::Result<Option<String>> {
    Ok(users::find(&run.state.db, &link.user_id)
        .await?
        .and_then(|u| u.salesforce_user_id)
        .map(|id| id.as_str().to_string()))
}
