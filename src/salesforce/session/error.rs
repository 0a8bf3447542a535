//! Why a rep's Salesforce session could not be opened or renewed.

use crate::connections::StoreError;
use crate::salesforce::NotConfigured;
use crate::salesforce::error::SalesforceError;
use crate::salesforce::org_wide::OrgWideError;
use crate::secrets::SecretsError;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    NotConfigured(#[from] NotConfigured),
    #[error("the rep has not connected Salesforce")]
    NotConnected,
    #[error("the rep's Salesforce connection must be made again")]
    ReconnectNeeded,
    #[error(transparent)]
    OrgWide(#[from] OrgWideError),
    #[error(transparent)]
    Salesforce(#[from] SalesforceError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Secrets(#[from] SecretsError),
}

impl From<StoreError> for SessionError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Storage(cause) => Self::Storage(cause),
            StoreError::Secrets(cause) => Self::Secrets(cause),
        }
    }
}
