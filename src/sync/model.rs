//! The sync's vocabulary, pure and below storage (which keeps these types as they are): a sync
//! configuration's [`settings`], the [`codes`] a link or a watch carries, a meeting's
//! [`history`], what a meeting says part by part ([`content`]), both sides brought in step
//! ([`reconcile`]) and written to Outlook ([`to_graph`]), an Outlook event mapped to its
//! Salesforce Event ([`event_map`]) and Outlook's time zones ([`zones`]). Nothing here does I/O.

pub mod codes;
pub mod content;
pub mod event_map;
pub mod history;
pub mod reconcile;
pub mod settings;
pub mod to_graph;
pub mod zones;
