//! The REST API of one org at its `instance_url`, under `/services/data/v{version}`. Every
//! response's `Sforce-Limit-Info` is recorded for the org; an error array becomes a typed
//! [`SalesforceError::Api`].

use reqwest::Method;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::codes::{ApiFault, first_fault};
use super::error::SalesforceError;
use super::limits::{ApiUsage, OrgLimits};
use crate::ids::OrgId;

pub struct Rest<'a> {
    pub(super) http: &'a reqwest::Client,
    pub(super) instance_url: &'a str,
    /// `64.0`, from configuration.
    pub(super) api_version: &'a str,
    pub(super) org_id: &'a OrgId,
    pub(super) limits: &'a OrgLimits,
}

/// A successful answer: its status and body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, SalesforceError> {
        serde_json::from_slice(&self.body).map_err(SalesforceError::Decode)
    }
}

/// The records of a query's first page.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    pub records: Vec<T>,
}

/// The path of a SOQL query, `query?q=…`, encoded.
pub fn query_path(soql: &str) -> Result<String, SalesforceError> {
    path_of("query", soql)
}

/// The path of a SOQL query that deleted records answer too, `queryAll?q=…`, encoded.
pub fn query_all_path(soql: &str) -> Result<String, SalesforceError> {
    path_of("queryAll", soql)
}

fn path_of(endpoint: &str, soql: &str) -> Result<String, SalesforceError> {
    serde_urlencoded::to_string([("q", soql)])
        .map(|q| format!("{endpoint}?{q}"))
        .map_err(SalesforceError::Encode)
}

/// A SOQL string literal's content: backslashes and quotes escaped.
pub fn soql_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\'', "\\'")
}

impl Rest<'_> {
    /// `path` below the versioned root (`query?q=…`, `sobjects/Event/…`), or a path Salesforce
    /// handed back whole (`/services/data/v64.0/query/01g…-2000`), which is used as is.
    pub fn url(&self, path: &str) -> String {
        let instance = self.instance_url.trim_end_matches('/');
        if path.starts_with("/services/") {
            format!("{instance}{path}")
        } else {
            format!(
                "{instance}/services/data/v{}/{}",
                self.api_version,
                path.trim_start_matches('/')
            )
        }
    }

    pub async fn send(
        &self,
        token: &SecretString,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, SalesforceError> {
        let mut request = self
            .http
            .request(method, self.url(path))
            .bearer_auth(token.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(SalesforceError::Transport)?;
        if let Some(usage) = response
            .headers()
            .get("sforce-limit-info")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| ApiUsage::parse(v, chrono::Utc::now()))
        {
            self.limits.record(self.org_id, usage);
        }
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(SalesforceError::Transport)?
            .to_vec();
        if (200..300).contains(&status) {
            return Ok(Reply { status, body });
        }
        Err(match first_fault(&body) {
            Some(ApiFault {
                duplicate_result: Some(result),
                ..
            }) => SalesforceError::Duplicate {
                existing: result.existing_id().map(str::to_string),
                rule: result.duplicate_rule,
            },
            Some(fault) => SalesforceError::Api {
                status,
                code: fault.error_code,
                message: fault.message,
            },
            None => SalesforceError::Status(status),
        })
    }
}
