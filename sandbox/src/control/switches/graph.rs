//! The Graph emulator's switches: throttling, latency, scripted faults, webhooks, access
//! policies and delta state.

use std::time::Duration;

use serde::Deserialize;

use super::FaultSwitches;
use crate::Sandbox;
use crate::graph::GraphFault;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphSwitches {
    /// Outlook's request budget per app and mailbox (10,000 per 600 s in Microsoft 365).
    pub throttling: Option<Throttling>,
    pub latency_ms: Option<u64>,
    pub faults: Option<FaultSwitches<GraphFaultSpec>>,
    pub allow_http_webhooks: Option<bool>,
    pub retry_delays_ms: Option<Vec<u64>>,
    /// How long the answer to a subscription's creation takes once it exists and notifies.
    pub subscription_answer_delay_ms: Option<u64>,
    #[serde(default)]
    pub access_policies: Vec<AccessPolicy>,
    /// Mailboxes whose delta tokens are forgotten (the next round answers 410).
    #[serde(default)]
    pub reset_sync_state_of: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throttling {
    pub budget: usize,
    pub window_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessPolicy {
    pub app_id: String,
    pub mailboxes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum GraphFaultSpec {
    Throttled { retry_after_seconds: f64 },
    Unavailable,
    InternalError,
    TokenRevoked,
    Malformed,
}

impl From<&GraphFaultSpec> for GraphFault {
    fn from(fault: &GraphFaultSpec) -> Self {
        match fault {
            GraphFaultSpec::Throttled {
                retry_after_seconds,
            } => GraphFault::Throttled(*retry_after_seconds),
            GraphFaultSpec::Unavailable => GraphFault::Unavailable,
            GraphFaultSpec::InternalError => GraphFault::InternalError,
            GraphFaultSpec::TokenRevoked => GraphFault::TokenRevoked,
            GraphFaultSpec::Malformed => GraphFault::Malformed,
        }
    }
}

impl GraphSwitches {
    pub(super) fn apply(&self, sandbox: &Sandbox) -> anyhow::Result<()> {
        let graph = &sandbox.graph;
        if let Some(throttling) = &self.throttling {
            graph.set_request_budget(
                throttling.budget,
                Duration::from_secs(throttling.window_seconds),
            );
        }
        if let Some(ms) = self.latency_ms {
            graph.set_latency(Duration::from_millis(ms));
        }
        if let Some(faults) = &self.faults {
            if faults.clear {
                graph.clear_faults();
            }
            for script in &faults.script {
                graph.script_faults(
                    &script.path_prefix,
                    script.faults.iter().map(GraphFault::from).collect(),
                );
            }
            if let Some(random) = &faults.random {
                anyhow::ensure!(
                    (0.0..=1.0).contains(&random.rate),
                    "faults.random.rate is a share of calls, from 0 to 1"
                );
                graph.randomize_faults(
                    random.seed,
                    random.rate,
                    random.faults.iter().map(GraphFault::from).collect(),
                );
            }
        }
        if let Some(allow) = self.allow_http_webhooks {
            graph.allow_http_webhooks(allow);
        }
        if let Some(delays) = &self.retry_delays_ms {
            graph.set_retry_delays(delays.iter().map(|ms| Duration::from_millis(*ms)).collect());
        }
        if let Some(ms) = self.subscription_answer_delay_ms {
            graph.delay_subscription_answers(Duration::from_millis(ms));
        }
        for policy in &self.access_policies {
            let mailboxes: Vec<&str> = policy.mailboxes.iter().map(String::as_str).collect();
            graph.set_access_policy(&policy.app_id, &mailboxes);
        }
        for mailbox in &self.reset_sync_state_of {
            graph.reset_sync_state(mailbox);
        }
        Ok(())
    }
}
