//! The rep's mailbox, watched: the delegated grant taken from the pane's own calls
//! ([`grant`]), the Graph subscription that tells us of changes in seconds
//! ([`subscription`], the `mailbox.watch` job), the notifications it sends ([`notifications`]),
//! the `calendarView/delta` round that catches what they miss ([`poll`], the `mailbox.poll`
//! job), and the sweep that queues the rounds and renewals that are due ([`schedule`]).

pub mod grant;
pub mod notifications;
pub mod poll;
pub mod schedule;
pub mod subscription;

pub use subscription::{LIFECYCLE_PATH, NOTIFICATION_PATH, start_watching, webhooks};
