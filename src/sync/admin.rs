//! What admins (and the rep's own status) read and do: the dry run of a configuration for a
//! rep ([`preview`], the very plan the run would carry out), and a rep's status, release of a
//! held sync and reset ([`status`]).

pub mod preview;
pub mod status;
