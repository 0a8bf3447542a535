//! What a run over a rep's meetings shares ([`Rep`]), and each of its links ([`Item`]), as
//! the phases pass them on.

use crate::salesforce::EventShape;
use crate::salesforce::session::Session;
use crate::state::AppState;
use crate::storage::event_links::EventLink;
use crate::storage::users;
use crate::sync::context::Mailbox;
use crate::sync::jobs::SyncEvent;
use crate::sync::model::settings::SyncSettings;

/// A rep's run: what every link of it shares.
pub struct Rep<'s> {
    pub state: &'s AppState,
    pub user: users::User,
    pub settings: SyncSettings,
    pub shape: EventShape,
    pub mailbox: Mailbox,
    pub session: Session,
}

/// A link of the run and the job that asked for it.
pub struct Item<'j> {
    pub job: &'j SyncEvent,
    pub link: EventLink,
}
