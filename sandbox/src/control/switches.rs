//! The switches that shape how the emulators behave, as one JSON document: what the control
//! API's `POST /switches` takes and what a demo-data file's `switches` section holds. Each
//! field is optional; only what is present is applied, in the order the fields are listed.

use std::time::Duration;

use anyhow::Context as _;
use serde::Deserialize;

mod entra;
mod graph;

pub use entra::EntraSwitches;
pub use graph::GraphSwitches;

use crate::Sandbox;
use crate::salesforce::faults::Fault;
use crate::salesforce::schema::{Field, Kind, TextFlavor};
use crate::salesforce::{DuplicateRule, LoginPage};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Switches {
    #[serde(default)]
    pub salesforce: SalesforceSwitches,
    #[serde(default)]
    pub graph: GraphSwitches,
    #[serde(default)]
    pub entra: EntraSwitches,
    /// Moves every emulator's clock forward (sessions, tokens, search lag, delta windows).
    pub advance_clock_seconds: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesforceSwitches {
    /// The org the switches apply to; the first org when absent.
    pub org: Option<String>,
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
    #[serde(default)]
    pub duplicate_rules: Vec<DuplicateRuleSpec>,
    pub faults: Option<FaultSwitches<SalesforceFault>>,
    pub search_lag_seconds: Option<u64>,
    pub api_remaining: Option<u64>,
    pub session_timeout_seconds: Option<u64>,
    pub shared_activities: Option<bool>,
    /// What the next browser at the login page does: a user's Id approves as them, `deny` denies.
    pub login_page: Option<String>,
    /// Users whose access tokens end now (refresh tokens live on).
    #[serde(default)]
    pub expire_sessions_of: Vec<String>,
    /// Users whose refresh tokens an admin revokes.
    #[serde(default)]
    pub revoke_refresh_tokens_of: Vec<String>,
}

/// A custom field, as an admin adds it in Setup.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomField {
    pub sobject: String,
    /// Ends in `__c`.
    pub name: String,
    pub label: Option<String>,
    /// `text` (default), `email`, `phone`, `url`, `textarea`, `checkbox`, `number`, `date`,
    /// `datetime`.
    #[serde(default = "text")]
    pub r#type: String,
    pub length: Option<u32>,
    #[serde(default)]
    pub external_id: bool,
    #[serde(default)]
    pub unique: bool,
}

fn text() -> String {
    "text".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateRuleSpec {
    pub name: Option<String>,
    pub sobject: String,
    pub fields: Vec<String>,
}

/// Scripted faults (the next calls under a path prefix, one each, in order), random faults
/// drawn from a seeded generator, or `clear` to remove every fault first.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSwitches<F> {
    #[serde(default)]
    pub clear: bool,
    #[serde(default = "Vec::new")]
    pub script: Vec<Script<F>>,
    pub random: Option<RandomFaults<F>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script<F> {
    pub path_prefix: String,
    pub faults: Vec<F>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RandomFaults<F> {
    pub seed: u64,
    pub rate: f64,
    pub faults: Vec<F>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SalesforceFault {
    Latency {
        ms: u64,
    },
    InternalError,
    Unavailable,
    UnableToLockRow,
    InvalidSession,
    DuplicatesDetected,
    DroppedConnection,
    /// The call is carried out, then the connection drops before the answer: the client cannot
    /// tell that Salesforce committed it.
    LostAnswer,
}

impl From<&SalesforceFault> for Fault {
    fn from(fault: &SalesforceFault) -> Self {
        match fault {
            SalesforceFault::Latency { ms } => Fault::Latency(Duration::from_millis(*ms)),
            SalesforceFault::InternalError => Fault::InternalError,
            SalesforceFault::Unavailable => Fault::Unavailable,
            SalesforceFault::UnableToLockRow => Fault::UnableToLockRow,
            SalesforceFault::InvalidSession => Fault::InvalidSession,
            SalesforceFault::DuplicatesDetected => Fault::DuplicatesDetected,
            SalesforceFault::DroppedConnection => Fault::DroppedConnection,
            SalesforceFault::LostAnswer => Fault::LostAnswer,
        }
    }
}

impl Switches {
    pub fn apply(&self, sandbox: &Sandbox) -> anyhow::Result<()> {
        self.salesforce.apply(sandbox)?;
        self.graph.apply(sandbox)?;
        self.entra.apply(sandbox)?;
        if let Some(seconds) = self.advance_clock_seconds {
            let by = Duration::from_secs(seconds);
            sandbox.salesforce.advance_clock(by);
            sandbox.graph.advance_clock(by);
            sandbox.entra.advance_clock(by);
        }
        Ok(())
    }
}

impl SalesforceSwitches {
    fn apply(&self, sandbox: &Sandbox) -> anyhow::Result<()> {
        let sf = &sandbox.salesforce;
        let org = match &self.org {
            Some(org) => org.clone(),
            None => match sf.orgs().first() {
                Some(org) => org.id.clone(),
                None if self.needs_org() => anyhow::bail!("no Salesforce org is seeded"),
                None => String::new(),
            },
        };
        for field in &self.custom_fields {
            sf.add_field(&org, &field.sobject, field.to_field()?)
                .with_context(|| format!("custom field {}", field.name))?;
        }
        for rule in &self.duplicate_rules {
            let name = rule
                .name
                .clone()
                .unwrap_or_else(|| format!("Standard_{}_Duplicate_Rule", rule.sobject));
            sf.add_duplicate_rule(
                &org,
                DuplicateRule {
                    name,
                    sobject: rule.sobject.clone(),
                    fields: rule.fields.clone(),
                },
            )?;
        }
        if let Some(faults) = &self.faults {
            if faults.clear {
                sf.clear_faults();
            }
            for script in &faults.script {
                sf.script_faults(
                    &script.path_prefix,
                    script.faults.iter().map(Fault::from).collect(),
                );
            }
            if let Some(random) = &faults.random {
                sf.randomize_faults(
                    random.seed,
                    random.rate,
                    random.faults.iter().map(Fault::from).collect(),
                );
            }
        }
        if let Some(seconds) = self.search_lag_seconds {
            sf.set_search_lag(&org, Duration::from_secs(seconds));
        }
        if let Some(remaining) = self.api_remaining {
            sf.set_api_remaining(&org, remaining);
        }
        if let Some(seconds) = self.session_timeout_seconds {
            sf.set_session_timeout(Duration::from_secs(seconds));
        }
        if let Some(on) = self.shared_activities {
            sf.set_shared_activities(&org, on);
        }
        match self.login_page.as_deref() {
            Some("deny") => sf.set_login_page(LoginPage::Deny),
            Some(user) => sf.set_login_page(LoginPage::Approve(user.to_string())),
            None => {}
        }
        for user in &self.expire_sessions_of {
            sf.expire_sessions(user);
        }
        for user in &self.revoke_refresh_tokens_of {
            sf.revoke_refresh_tokens(user);
        }
        Ok(())
    }

    fn needs_org(&self) -> bool {
        !self.custom_fields.is_empty()
            || !self.duplicate_rules.is_empty()
            || self.search_lag_seconds.is_some()
            || self.api_remaining.is_some()
            || self.shared_activities.is_some()
    }
}

impl CustomField {
    fn to_field(&self) -> anyhow::Result<Field> {
        let text = |flavor, default| Kind::Text {
            flavor,
            length: self.length.unwrap_or(default),
        };
        let kind = match self.r#type.as_str() {
            "text" => text(TextFlavor::String, 255),
            "email" => text(TextFlavor::Email, 80),
            "phone" => text(TextFlavor::Phone, 40),
            "url" => text(TextFlavor::Url, 255),
            "textarea" => text(TextFlavor::TextArea, 32_768),
            "checkbox" => Kind::Boolean,
            "number" => Kind::Double,
            "date" => Kind::Date,
            "datetime" => Kind::DateTime,
            other => anyhow::bail!("unknown field type {other}"),
        };
        let label = self
            .label
            .clone()
            .unwrap_or_else(|| self.name.trim_end_matches("__c").replace('_', " "));
        let mut field = Field::new(&self.name, &label, kind);
        if self.external_id {
            field = field.external_id();
        }
        field.unique = self.unique;
        Ok(field)
    }
}
