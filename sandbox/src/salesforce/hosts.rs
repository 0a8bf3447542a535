//! Salesforce's hosts: the production login host (login.salesforce.com), the sandbox login host
//! (test.salesforce.com) and the org's own My Domain, which is also its instance. Each is its own
//! listener here; a user logs in at the login host of their org's kind or at My Domain, and the
//! REST API answers only on the instance.

use actix_web::HttpRequest;

use super::{Org, State};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// `login.salesforce.com`: production and Developer Edition orgs.
    Production,
    /// `test.salesforce.com`: sandbox orgs.
    Sandbox,
    /// My Domain and the instance (`instance_url`): any org.
    Instance,
}

impl Host {
    /// Whether users of `org` log in here.
    pub fn admits(self, org: &Org) -> bool {
        match self {
            Self::Production => !org.sandbox,
            Self::Sandbox => org.sandbox,
            Self::Instance => true,
        }
    }
}

/// The host a request arrived at, by its port.
pub fn of(req: &HttpRequest, state: &State) -> Host {
    let port = req
        .connection_info()
        .host()
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse::<u16>().ok());
    port.and_then(|p| state.hosts.get(&p).copied())
        .unwrap_or(Host::Instance)
}

/// Whether the org `org_id` logs in at the request's host.
pub fn admits(req: &HttpRequest, state: &State, org_id: &str) -> bool {
    state
        .orgs
        .get(org_id)
        .is_some_and(|org| of(req, state).admits(org))
}
