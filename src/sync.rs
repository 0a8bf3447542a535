//! The sync between a rep's Outlook calendar and their Salesforce Events. By what each part is:
//!
//! - [`jobs`]: the four kinds of background work and their typed payloads, registered in one
//!   place ([`jobs::register`]).
//! - [`to_salesforce`]: Outlook → Salesforce, the `event.sync` job. A run takes a rep's due
//!   meetings through four phases, named in [`to_salesforce::batch`]: read (Outlook's meeting,
//!   the attendees' records, the shared meetings), plan (pure: [`to_salesforce::plan::plan`],
//!   the same one the dry run uses), send (Salesforce calls, 200 records a call) and finish
//!   (each meeting's link and history, written together).
//! - [`to_outlook`]: Salesforce → Outlook, the `salesforce.poll` job: the rep's changed
//!   Salesforce Events brought to their calendar, merged part by part.
//! - [`watch`]: the rep's mailbox watched: the delegated grant taken from the pane's calls, the
//!   Graph subscription (`mailbox.watch`), its notifications, the delta poll (`mailbox.poll`)
//!   and the sweep that queues what is due.
//! - [`admin`]: what admins call: the dry run, the status, reset, release, the error report.
//! - [`model`]: the vocabulary below storage: settings, codes, history, content, the mapping.
//! - [`context`]: what every job looks up about its rep; [`error`]: how a sync fails.

pub mod admin;
pub mod context;
pub mod error;
pub mod jobs;
pub mod model;
pub mod to_outlook;
pub mod to_salesforce;
pub mod watch;
