//! Salesforce. [`Salesforce`] holds what every call shares (the connected app, the REST API at
//! the configured version, the orgs' API usage); [`oauth`] and [`rest`] are its two wire
//! surfaces. A rep's way in is a [`session::Session`], opened by [`session::Sessions`] from the
//! rep's own connection (made through [`sign_in`]) or minted by the org-wide grant
//! ([`org_wide`]), which the session uses and which uses nothing above it.

pub mod changes;
pub mod codes;
pub mod collections;
pub mod composite;
pub mod datetime;
pub mod error;
pub mod events;
pub mod invitees;
pub mod limits;
pub mod login_host;
pub mod lookup;
pub mod oauth;
pub mod org_wide;
pub mod records;
pub mod rest;
pub mod session;
pub mod sign_in;

use anyhow::Context as _;

pub use codes::ErrorCode;
pub use datetime::SfDateTime;
pub use error::SalesforceError;
pub use oauth::Client;

use crate::config::SalesforceSettings;
use crate::ids::OrgId;

/// The server has no connected app (`salesforce.consumer_key` and `consumer_secret`).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("this server has no Salesforce connected app")]
pub struct NotConfigured;

/// What an org's Event offers the sync, from its describe (asked once per org and hour).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventShape {
    /// The org relates an Event to several Contacts (`EventWhoIds`, Shared Activities).
    pub shared_activities: bool,
    /// The External Id field that keys each synced meeting (`salesforce.event_key_field`),
    /// when the org has it and the rep may write it.
    pub key_field: Option<String>,
    /// Why the key field is not used, when it is not.
    pub key_field_problem: Option<KeyFieldProblem>,
}

/// What keeps the sync from keying meetings by `salesforce.event_key_field`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFieldProblem {
    /// The rep's describe of Event does not show it: not created, or hidden from their
    /// profile by field-level security.
    Missing,
    /// It exists but is not marked External ID, so nothing can be upserted by it.
    NotExternalId,
    /// The rep's profile may read it but not edit it.
    ReadOnly,
}

/// What every Salesforce call of this process shares: the outbound client, the settings, the
/// connected app's JWT signing key, and what it learnt of each org (its API usage, what its
/// Event offers). One per process.
pub struct Salesforce {
    http: reqwest::Client,
    settings: SalesforceSettings,
    jwt_key: Option<jsonwebtoken::EncodingKey>,
    pub limits: limits::OrgLimits,
    /// What each org's Event looks like (Shared Activities, the key field), from its describe.
    pub event_shape: moka::future::Cache<OrgId, EventShape>,
}

impl Salesforce {
    pub fn new(settings: &SalesforceSettings, http: reqwest::Client) -> anyhow::Result<Self> {
        let jwt_key = match &settings.jwt_private_key_file {
            Some(path) => {
                let pem = std::fs::read(path).with_context(|| {
                    format!("reading salesforce.jwt_private_key_file {}", path.display())
                })?;
                let key = jsonwebtoken::EncodingKey::from_rsa_pem(&pem).with_context(|| {
                    format!(
                        "salesforce.jwt_private_key_file {} is not an RSA private key in PEM",
                        path.display()
                    )
                })?;
                Some(key)
            }
            None => None,
        };
        Ok(Self {
            http,
            settings: settings.clone(),
            jwt_key,
            limits: limits::OrgLimits::default(),
            // An admin may turn Shared Activities on or add the key field: asked again after an hour.
            event_shape: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(std::time::Duration::from_secs(3600))
                .build(),
        })
    }

    pub fn settings(&self) -> &SalesforceSettings {
        &self.settings
    }

    /// The connected app's OAuth endpoints.
    pub fn oauth(&self) -> Result<Client<'_>, NotConfigured> {
        match (&self.settings.consumer_key, &self.settings.consumer_secret) {
            (Some(consumer_key), Some(consumer_secret)) => Ok(Client {
                http: &self.http,
                consumer_key,
                consumer_secret,
            }),
            _ => Err(NotConfigured),
        }
    }

    /// The key the org-wide JWT bearer grant signs with (`salesforce.jwt_private_key_file`).
    pub fn jwt_key(&self) -> Option<&jsonwebtoken::EncodingKey> {
        self.jwt_key.as_ref()
    }

    /// The REST API of the org at `instance_url`, its usage recorded under `org_id`.
    pub fn rest<'a>(&'a self, instance_url: &'a str, org_id: &'a OrgId) -> rest::Rest<'a> {
        rest::Rest {
            http: &self.http,
            instance_url,
            api_version: &self.settings.api_version,
            org_id,
            limits: &self.limits,
        }
    }
}
