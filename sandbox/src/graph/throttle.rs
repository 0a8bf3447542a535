//! Outlook's limits per application and mailbox: a request budget over a sliding window
//! (10,000 per 10 minutes) and at most 4 requests at once; beyond either, 429 with a
//! `Retry-After` in (possibly fractional) seconds. Scripted faults come on top.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt as _, SeedableRng as _};
use serde_json::Value;

use super::api::Reply;
use super::errors;

pub struct Limits {
    pub budget: usize,
    pub window: Duration,
    pub concurrency: usize,
    /// How long every mailbox request takes, so that concurrency can be seen.
    pub latency: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            budget: 10_000,
            window: Duration::from_secs(600),
            concurrency: 4,
            latency: Duration::ZERO,
        }
    }
}

#[derive(Default)]
pub struct Throttle {
    pub limits: Limits,
    spent: HashMap<(String, String), VecDeque<Instant>>,
    in_flight: HashMap<String, usize>,
}

pub fn too_many(retry_after: f64) -> Reply {
    let mut reply = Reply::with(
        429,
        errors::throttled("TooManyRequests", "Please retry again later."),
    );
    reply
        .headers
        .push(("Retry-After".into(), format_seconds(retry_after)));
    reply
}

pub fn over_concurrency() -> Reply {
    let body: Value = errors::throttled(
        "ApplicationThrottled",
        "Application is over its MailboxConcurrency limit.",
    );
    let mut reply = Reply::with(429, body);
    reply.headers.push(("Retry-After".into(), "1".into()));
    reply
}

fn format_seconds(seconds: f64) -> String {
    let text = format!("{seconds:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Throttle {
    /// Spends one request of the app's budget on the mailbox, or says how long to wait.
    pub fn spend(&mut self, app: &str, mailbox: &str) -> Result<(), Reply> {
        let now = Instant::now();
        let window = self.limits.window;
        let spent = self
            .spent
            .entry((app.to_string(), mailbox.to_string()))
            .or_default();
        while spent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            spent.pop_front();
        }
        if spent.len() >= self.limits.budget {
            let oldest = spent.front().copied().unwrap_or(now);
            let wait = window.saturating_sub(now.duration_since(oldest));
            return Err(too_many(wait.as_secs_f64().max(0.001)));
        }
        spent.push_back(now);
        Ok(())
    }

    /// Starts a request on a mailbox, unless 4 are already running.
    pub fn enter(&mut self, mailbox: &str) -> Result<(), Reply> {
        let running = self.in_flight.entry(mailbox.to_string()).or_default();
        if *running >= self.limits.concurrency {
            return Err(over_concurrency());
        }
        *running += 1;
        Ok(())
    }

    pub fn leave(&mut self, mailbox: &str) {
        if let Some(running) = self.in_flight.get_mut(mailbox) {
            *running = running.saturating_sub(1);
        }
    }

    pub fn running(&self, mailbox: &str) -> usize {
        self.in_flight.get(mailbox).copied().unwrap_or(0)
    }
}

/// A scripted failure for the next calls to a path.
#[derive(Debug, Clone, PartialEq)]
pub enum GraphFault {
    /// 429 `TooManyRequests` with this `Retry-After` (seconds, may be fractional).
    Throttled(f64),
    /// 503 `ServiceUnavailable`.
    Unavailable,
    /// 500 `InternalServerError`.
    InternalError,
    /// 401 `InvalidAuthenticationToken`: the token was revoked.
    TokenRevoked,
    /// 200 with a resource of a shape no Graph client expects (an event whose `isAllDay` is a
    /// word and whose `start` is a number): what a change on Graph's side, or a bug, looks like.
    Malformed,
}

impl GraphFault {
    pub fn reply(&self) -> Reply {
        match self {
            Self::Throttled(seconds) => too_many(*seconds),
            Self::Unavailable => Reply::error(
                503,
                "ServiceUnavailable",
                "The service is temporarily unavailable. Please retry later.",
            )
            .header("Retry-After", "2"),
            Self::InternalError => Reply::error(
                500,
                "InternalServerError",
                "An internal server error occurred.",
            ),
            Self::TokenRevoked => Reply::error(
                401,
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid.",
            ),
            Self::Malformed => Reply::ok(serde_json::json!({
                "id": "AAMkAGI2-malformed",
                "subject": ["not", "text"],
                "isAllDay": "sometimes",
                "start": 42,
            })),
        }
    }
}

/// Faults for the next calls to a path (scripted), or drawn at random for any call from a
/// seeded generator: the same seed gives the same faults in the same order.
#[derive(Default)]
pub struct Faults {
    scripted: Vec<(String, VecDeque<GraphFault>)>,
    random: Option<(Xoshiro256PlusPlus, f64, Vec<GraphFault>)>,
}

impl Faults {
    pub fn script(&mut self, path_prefix: &str, faults: Vec<GraphFault>) {
        self.scripted.push((path_prefix.to_string(), faults.into()));
    }

    /// Each later call fails with probability `rate`, with one of `faults`.
    pub fn randomize(&mut self, seed: u64, rate: f64, faults: Vec<GraphFault>) {
        let rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        self.random = Some((rng, rate.clamp(0.0, 1.0), faults));
    }

    /// The fault for a call to `path`, if any. Scripted faults come first.
    pub fn next(&mut self, path: &str) -> Option<GraphFault> {
        let scripted = self
            .scripted
            .iter_mut()
            .find(|(prefix, faults)| path.starts_with(prefix.as_str()) && !faults.is_empty())
            .and_then(|(_, faults)| faults.pop_front());
        if scripted.is_some() {
            return scripted;
        }
        let (rng, rate, faults) = self.random.as_mut()?;
        if faults.is_empty() || !rng.random_bool(*rate) {
            return None;
        }
        let index = rng.random_range(0..faults.len());
        Some(faults[index].clone())
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_may_be_fractional() {
        assert_eq!(format_seconds(2.128), "2.128");
        assert_eq!(format_seconds(3.0), "3");
    }

    #[test]
    fn the_budget_refuses_with_the_time_left_and_concurrency_stops_at_four() {
        let mut throttle = Throttle {
            limits: Limits {
                budget: 2,
                ..Limits::default()
            },
            ..Throttle::default()
        };
        assert!(throttle.spend("app", "m").is_ok());
        assert!(throttle.spend("app", "m").is_ok());
        let refused = throttle.spend("app", "m").unwrap_err();
        assert_eq!(refused.status, 429);
        let wait: f64 = refused.headers[0].1.parse().unwrap();
        assert!(wait > 590.0 && wait <= 600.0, "{wait}");
        assert!(
            throttle.spend("other-app", "m").is_ok(),
            "the budget is per app and mailbox"
        );
        for _ in 0..4 {
            throttle.enter("m").unwrap();
        }
        assert_eq!(throttle.enter("m").unwrap_err().status, 429);
        throttle.leave("m");
        assert!(throttle.enter("m").is_ok());
    }
}
