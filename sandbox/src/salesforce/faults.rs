//! Injected faults, so that tests can show how the product copes with a Salesforce that is
//! slow, failing, locked or out of session. Faults are either scripted (the next N calls to a
//! path) or drawn at random from a seeded generator: the same seed always gives the same faults
//! in the same order.

use std::collections::VecDeque;
use std::time::Duration;

use actix_web::HttpResponse;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt as _, SeedableRng as _};
use serde_json::json;

use super::errors;

/// One thing that can go wrong with a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The answer comes, late.
    Latency(Duration),
    /// 500 `UNKNOWN_EXCEPTION`.
    InternalError,
    /// 503 `SERVER_UNAVAILABLE`.
    Unavailable,
    /// 400 `UNABLE_TO_LOCK_ROW`: another transaction holds the record.
    UnableToLockRow,
    /// 401 `INVALID_SESSION_ID`: the session ended under the caller.
    InvalidSession,
    /// 400 `DUPLICATES_DETECTED`: a duplicate rule blocks the save.
    DuplicatesDetected,
    /// The connection drops after the status line: the body never arrives.
    DroppedConnection,
    /// The call is carried out, then the connection drops before the answer arrives: the
    /// caller cannot tell that Salesforce committed it (a timeout after the save).
    LostAnswer,
}

impl Fault {
    /// The response that replaces the real one, or `None` when the call goes on (latency).
    pub(crate) fn response(&self) -> Option<HttpResponse> {
        Some(match self {
            Self::Latency(_) | Self::LostAnswer => return None,
            Self::InternalError => errors::rest(
                500,
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this ErrorId if you contact support: 1052937524-61848 (-1206212421)",
            ),
            Self::Unavailable => errors::rest(
                503,
                "SERVER_UNAVAILABLE",
                "Server temporarily unavailable. Please try again later.",
            ),
            Self::UnableToLockRow => errors::rest(
                400,
                "UNABLE_TO_LOCK_ROW",
                "unable to obtain exclusive access to this record or 1 records",
            ),
            Self::InvalidSession => errors::invalid_session(),
            Self::DroppedConnection => dropped(),
            Self::DuplicatesDetected => errors::json(
                HttpResponse::BadRequest(),
                json!([{
                    "message": "Use one of these records?",
                    "errorCode": "DUPLICATES_DETECTED",
                    "fields": [],
                    "duplicateResult": {
                        "allowSave": false,
                        "duplicateRule": "Standard_Contact_Duplicate_Rule",
                        "duplicateRuleEntityType": "Contact",
                        "errorMessage": "You're creating a duplicate record. We recommend you use an existing record instead.",
                        "matchResults": [],
                    },
                }]),
            ),
        })
    }
}

/// An answer whose body never arrives: the connection drops after the status line.
pub(crate) fn dropped() -> HttpResponse {
    HttpResponse::Ok().content_type(errors::JSON).body(Dropped)
}

/// A body that promises bytes and fails instead, so the server aborts the connection.
struct Dropped;

impl actix_web::body::MessageBody for Dropped {
    type Error = std::io::Error;

    fn size(&self) -> actix_web::body::BodySize {
        actix_web::body::BodySize::Sized(1024)
    }

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<actix_web::web::Bytes, Self::Error>>> {
        std::task::Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection dropped by fault injection",
        ))))
    }
}

struct Scripted {
    path_prefix: String,
    faults: VecDeque<Fault>,
}

struct Random {
    rng: Xoshiro256PlusPlus,
    rate: f64,
    faults: Vec<Fault>,
}

/// The faults waiting for calls.
#[derive(Default)]
pub struct FaultPlan {
    scripted: Vec<Scripted>,
    random: Option<Random>,
}

impl FaultPlan {
    /// The next calls whose path starts with `path_prefix` meet these faults, one each, in order.
    pub fn script(&mut self, path_prefix: &str, faults: Vec<Fault>) {
        self.scripted.push(Scripted {
            path_prefix: path_prefix.into(),
            faults: faults.into(),
        });
    }

    /// Every call meets a fault with probability `rate`, chosen from `faults`, drawn from a
    /// generator seeded with `seed`.
    pub fn randomize(&mut self, seed: u64, rate: f64, faults: Vec<Fault>) {
        let rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        self.random = Some(Random {
            rng,
            rate: rate.clamp(0.0, 1.0),
            faults,
        });
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// The fault for a call to `path`, if any. Scripted faults come first.
    pub fn next(&mut self, path: &str) -> Option<Fault> {
        if let Some(script) = self
            .scripted
            .iter_mut()
            .find(|s| path.starts_with(&s.path_prefix) && !s.faults.is_empty())
        {
            return script.faults.pop_front();
        }
        let random = self.random.as_mut()?;
        if random.faults.is_empty() || !random.rng.random_bool(random.rate) {
            return None;
        }
        let index = random.rng.random_range(0..random.faults.len());
        Some(random.faults[index].clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(seed: u64) -> Vec<Option<Fault>> {
        let mut plan = FaultPlan::default();
        plan.randomize(
            seed,
            0.3,
            vec![
                Fault::InternalError,
                Fault::UnableToLockRow,
                Fault::Unavailable,
            ],
        );
        (0..200)
            .map(|_| plan.next("/services/data/v62.0/query"))
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
        let hits = draws(7).iter().filter(|f| f.is_some()).count();
        assert!(
            (30..=90).contains(&hits),
            "about 30% of 200 calls fail: {hits}"
        );
    }

    #[test]
    fn scripted_faults_hit_their_path_in_order_then_stop() {
        let mut plan = FaultPlan::default();
        plan.script(
            "/services/data/v62.0/sobjects/Event",
            vec![Fault::UnableToLockRow, Fault::InternalError],
        );
        assert_eq!(plan.next("/services/data/v62.0/query"), None);
        assert_eq!(
            plan.next("/services/data/v62.0/sobjects/Event/00U"),
            Some(Fault::UnableToLockRow)
        );
        assert_eq!(
            plan.next("/services/data/v62.0/sobjects/Event"),
            Some(Fault::InternalError)
        );
        assert_eq!(plan.next("/services/data/v62.0/sobjects/Event"), None);
    }
}
