//! How a sync fails, decided once where the outside world answered (the Salesforce and Graph
//! clients' errors become a [`SyncError`] by `From`), and carried out once
//! (`to_salesforce::settle` for a meeting's link; the polls for a rep's watch). Nothing
//! downcasts an error to decide what to do.

use std::time::Duration;

use super::model::codes::LinkCode;
use crate::graph::delta::DeltaError;
use crate::graph::error::GraphError;
use crate::graph::events::ReadError;
use crate::salesforce::session::SessionError;
use crate::salesforce::{ErrorCode, SalesforceError};
use crate::storage::StorageError;

/// How long a sync waits before it tries again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delay {
    /// As long as the other side asked (Graph's `Retry-After`), or as the sync chose.
    For(Duration),
    /// The server's wait after a failure in passing (`sync.transient_retry_secs`).
    Transient,
    /// Until the org's API allowance is read again (`sync.paused_recheck_secs`).
    Allowance,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Not now: the same work runs again after the delay, and the link waits with the code.
    /// It uses up none of the job's attempts: an outage of any length is waited out.
    #[error("waiting ({1})")]
    Wait(Delay, LinkCode),
    /// The rep's Salesforce connection is missing or dead: parked until they connect again.
    #[error("the rep's Salesforce connection is missing or refused")]
    Park,
    /// The sync cannot decide alone (which of several alike Events an interrupted create made):
    /// the link fails with the code, and the history and the admin's report say what to do.
    #[error("the sync cannot go on ({0})")]
    Undecided(LinkCode),
    /// Salesforce refused the record for good: the link fails, the history keeps the code.
    #[error("Salesforce refused the Event: {0}")]
    Rejected(ErrorCode),
    /// Something retrying may mend (the database, an answer nobody expected): the job's own
    /// retries, with backoff; once they are used up the link says the sync gave up.
    #[error(transparent)]
    Failed(anyhow::Error),
    /// Nothing retrying can mend: the job stops at once and the link says so.
    #[error("{0}")]
    Fatal(String),
}

impl SyncError {
    /// The same failure, for another link that shared the call that met it.
    pub fn again(&self) -> Self {
        match self {
            Self::Wait(delay, code) => Self::Wait(*delay, *code),
            Self::Park => Self::Park,
            Self::Undecided(code) => Self::Undecided(*code),
            Self::Rejected(code) => Self::Rejected(code.clone()),
            Self::Failed(error) => Self::Failed(anyhow::anyhow!("{error:#}")),
            Self::Fatal(message) => Self::Fatal(message.clone()),
        }
    }

    /// Waits as Graph failing in passing asks.
    pub fn graph_unavailable() -> Self {
        Self::Wait(Delay::Transient, LinkCode::GraphUnavailable)
    }
}

impl From<SessionError> for SyncError {
    fn from(error: SessionError) -> Self {
        match error {
            SessionError::NotConnected | SessionError::ReconnectNeeded => Self::Park,
            SessionError::Salesforce(error) => error.into(),
            other => Self::Failed(other.into()),
        }
    }
}

impl From<SalesforceError> for SyncError {
    fn from(error: SalesforceError) -> Self {
        match error {
            // The org ran out of API calls between our reading and this call: wait, as paused.
            SalesforceError::Api {
                code: ErrorCode::RequestLimitExceeded,
                ..
            } => Self::Wait(Delay::Allowance, LinkCode::SalesforceApiBudgetPaused),
            error if error.is_transient() => {
                Self::Wait(Delay::Transient, LinkCode::SalesforceUnavailable)
            }
            // A record refused inside a Collections call is `Rejected` where its SaveResult is
            // read; a call refused as a whole (a query, a describe) is a failure to retry.
            other => Self::Failed(other.into()),
        }
    }
}

impl From<ReadError> for SyncError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::Throttled(wait) => Self::Wait(Delay::For(wait), LinkCode::GraphThrottled),
            error if error.is_transient() => Self::graph_unavailable(),
            other => Self::Failed(other.into()),
        }
    }
}

impl From<DeltaError> for SyncError {
    fn from(error: DeltaError) -> Self {
        match error {
            DeltaError::Read(read) => read.into(),
            other => Self::Failed(other.into()),
        }
    }
}

impl From<GraphError> for SyncError {
    /// Entra (or the store of the rep's grant) failing while the mailbox's token is fetched.
    fn from(error: GraphError) -> Self {
        if error.is_transient() {
            Self::graph_unavailable()
        } else {
            Self::Failed(error.into())
        }
    }
}

impl From<StorageError> for SyncError {
    fn from(error: StorageError) -> Self {
        Self::Failed(error.into())
    }
}
