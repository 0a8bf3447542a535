//! Salesforce → Outlook: the `salesforce.poll` job ([`poll`]) reads the rep's Salesforce Events
//! changed since its cursor, and [`apply`] brings each one to their calendar.

pub mod apply;
pub mod poll;
