//! Injected faults: scripted per method, or random at a rate from a seed.
//!
//! A fault replaces one REST call of a method: the call is answered with an error, answered
//! late, or its connection is cut. Faults are checked after authentication and before the
//! rate limit, so a call answered with an injected error or cut off does not count against
//! the request-rate bucket (a delayed call runs, and counts, after its delay).
//!
//! Inside a `batch`, a command takes a scripted [`Fault::Error`] queued for its method and
//! fails with it (the batch itself still answers 200). Delays and dropped connections concern
//! HTTP requests only: a batch command leaves them queued for the next request of that method,
//! and random faults are not drawn for batch commands.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use axum::http::StatusCode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::emulator::Emulator;
use crate::error::ApiError;

/// What an injected fault does to one call.
///
/// ```
/// use std::time::Duration;
/// use bizproc_emulator::Fault;
///
/// let limited = Fault::status(503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
/// assert_eq!(limited, Fault::query_limit());
/// let slow = Fault::delay(Duration::from_millis(200));
/// assert_eq!(slow, Fault::Delay(Duration::from_millis(200)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answer with this error instead of running the method.
    Error(ApiError),
    /// Wait this long, then run the method.
    Delay(Duration),
    /// Cut the connection before answering.
    Drop,
}

impl Fault {
    /// An error answer with any HTTP status, `error` code and `error_description`.
    ///
    /// # Panics
    /// When `status` is not a valid HTTP status code (100–999).
    #[must_use]
    pub fn status(status: u16, code: &str, description: &str) -> Self {
        let status = StatusCode::from_u16(status).expect("an HTTP status code between 100 and 999");
        Self::Error(ApiError::new(status, code, description))
    }

    /// `503 QUERY_LIMIT_EXCEEDED` / `Too many requests`, as the rate limit answers.
    #[must_use]
    pub fn query_limit() -> Self {
        Self::Error(ApiError::query_limit())
    }

    /// `500 INTERNAL_SERVER_ERROR` / `Internal server error`.
    #[must_use]
    pub fn internal_error() -> Self {
        Self::status(500, "INTERNAL_SERVER_ERROR", "Internal server error")
    }

    /// `503 OVERLOAD_LIMIT` / `REST API is blocked due to overload`.
    #[must_use]
    pub fn overload() -> Self {
        Self::status(503, "OVERLOAD_LIMIT", "REST API is blocked due to overload")
    }

    /// `401 expired_token`, as an access token past its lifetime gets.
    #[must_use]
    pub fn expired_token() -> Self {
        Self::Error(ApiError::expired_token())
    }

    /// `429 OPERATION_TIME_LIMIT`, as a method over its execution-time budget gets.
    #[must_use]
    pub fn operation_time_limit() -> Self {
        Self::status(429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit")
    }

    /// Answer after `delay`.
    #[must_use]
    pub fn delay(delay: Duration) -> Self {
        Self::Delay(delay)
    }
}

/// Random faults: each call of a chosen method fails with probability `rate`, the fault picked
/// from `faults`. The same seed and the same sequence of calls give the same faults.
///
/// ```
/// use bizproc_emulator::{Fault, RandomFaults};
///
/// let config = RandomFaults::new(0.2, 42)
///     .methods(["bizproc.event.send"])
///     .faults([Fault::query_limit(), Fault::Drop]);
/// assert_eq!(config.methods, ["bizproc.event.send"]);
/// assert_eq!(config.faults.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RandomFaults {
    /// The chance of a fault per call, from 0.0 (never) to 1.0 (always); clamped to that range.
    pub rate: f64,
    /// Seeds the random sequence.
    pub seed: u64,
    /// The methods that may fail, lower-case; empty means every method.
    pub methods: Vec<String>,
    /// The faults to pick from, each equally likely; empty means no faults.
    pub faults: Vec<Fault>,
}

impl RandomFaults {
    /// Faults at `rate` from `seed` over every method, picked from
    /// [`Fault::query_limit`] and [`Fault::internal_error`].
    #[must_use]
    pub fn new(rate: f64, seed: u64) -> Self {
        Self { rate, seed, methods: Vec::new(), faults: vec![Fault::query_limit(), Fault::internal_error()] }
    }

    /// Only these methods fail.
    #[must_use]
    pub fn methods<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.methods = methods.into_iter().map(|m| m.into().to_lowercase()).collect();
        self
    }

    /// The faults to pick from.
    #[must_use]
    pub fn faults(mut self, faults: impl IntoIterator<Item = Fault>) -> Self {
        self.faults = faults.into_iter().collect();
        self
    }
}

/// Random faults as configured, with their generator.
#[derive(Debug)]
struct Random {
    config: RandomFaults,
    rng: StdRng,
}

/// The faults waiting to happen.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// Per lower-case method, the faults of its next calls, in order.
    scripted: HashMap<String, VecDeque<Fault>>,
    random: Option<Random>,
}

impl Faults {
    /// The fault for this HTTP call of `method`, if any: a scripted one first, else a random draw.
    pub fn take(&mut self, method: &str) -> Option<Fault> {
        if let Some(fault) = self.scripted.get_mut(method).and_then(VecDeque::pop_front) {
            return Some(fault);
        }
        let random = self.random.as_mut()?;
        let config = &random.config;
        if config.faults.is_empty() || !(config.methods.is_empty() || config.methods.iter().any(|m| m == method)) {
            return None;
        }
        let rate = config.rate.clamp(0.0, 1.0);
        if random.rng.random::<f64>() >= rate {
            return None;
        }
        let index = random.rng.random_range(0..config.faults.len());
        Some(config.faults[index].clone())
    }

    /// The error for this batch command of `method`: the next scripted fault, if it is an error.
    pub fn take_error(&mut self, method: &str) -> Option<ApiError> {
        let queue = self.scripted.get_mut(method)?;
        match queue.front() {
            Some(Fault::Error(_)) => match queue.pop_front() {
                Some(Fault::Error(error)) => Some(error),
                _ => None,
            },
            _ => None,
        }
    }

    /// Queues `fault` for the next `count` calls of `method`, after those already queued.
    pub fn script(&mut self, method: &str, count: usize, fault: Fault) {
        let queue = self.scripted.entry(method.to_lowercase()).or_default();
        queue.extend(std::iter::repeat_n(fault, count));
    }

    /// Replaces the random faults.
    pub fn set_random(&mut self, config: RandomFaults) {
        let rng = StdRng::seed_from_u64(config.seed);
        self.random = Some(Random { config, rng });
    }

    /// Forgets every scripted and random fault.
    pub fn clear(&mut self) {
        self.scripted.clear();
        self.random = None;
    }

    /// How many scripted faults are still queued, per method.
    pub fn pending(&self) -> impl Iterator<Item = (&str, usize)> {
        self.scripted
            .iter()
            .filter(|(_, queue)| !queue.is_empty())
            .map(|(method, queue)| (method.as_str(), queue.len()))
    }

    /// The random faults in force, if any.
    pub fn random(&self) -> Option<&RandomFaults> {
        self.random.as_ref().map(|random| &random.config)
    }
}

impl Emulator {
    /// Makes the next `count` calls of `method` fail with `fault` (after any faults already
    /// queued for it). `method` is matched case-insensitively, e.g. `bizproc.event.send`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use bizproc_emulator::{Emulator, Fault};
    ///
    /// let emulator = Emulator::builder().start().await?;
    /// emulator.fail_next("app.info", 2, Fault::status(503, "QUERY_LIMIT_EXCEEDED", "Too many requests"));
    /// emulator.clear_faults();
    /// # Ok(())
    /// # }
    /// ```
    pub fn fail_next(&self, method: &str, count: usize, fault: Fault) {
        self.shared.lock().faults.script(method, count, fault);
    }

    /// Switches on random faults, replacing any earlier random configuration. Scripted faults
    /// still come first.
    pub fn random_faults(&self, config: RandomFaults) {
        self.shared.lock().faults.set_random(config);
    }

    /// Forgets every scripted and random fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_faults_come_in_order_then_stop() {
        let mut faults = Faults::default();
        faults.script("App.Info", 2, Fault::query_limit());
        faults.script("app.info", 1, Fault::Drop);
        assert_eq!(faults.take("app.info"), Some(Fault::query_limit()));
        assert_eq!(faults.take("app.info"), Some(Fault::query_limit()));
        assert_eq!(faults.take("app.info"), Some(Fault::Drop));
        assert_eq!(faults.take("app.info"), None);
        assert_eq!(faults.take("other"), None);
    }

    #[test]
    fn batch_commands_take_only_errors() {
        let mut faults = Faults::default();
        faults.script("m", 1, Fault::Drop);
        faults.script("m", 1, Fault::internal_error());
        assert_eq!(faults.take_error("m"), None, "a drop stays for the next HTTP call");
        assert_eq!(faults.take("m"), Some(Fault::Drop));
        assert!(faults.take_error("m").is_some());
    }

    #[test]
    fn random_faults_repeat_with_the_seed() {
        let draw = |seed| {
            let mut faults = Faults::default();
            faults.set_random(RandomFaults::new(0.5, seed).methods(["m"]));
            (0..64).map(|_| faults.take("m")).collect::<Vec<_>>()
        };
        let first = draw(7);
        assert_eq!(first, draw(7));
        let hits = first.iter().filter(|f| f.is_some()).count();
        assert!((10..=54).contains(&hits), "{hits} faults of 64 at rate 0.5");
        let mut faults = Faults::default();
        faults.set_random(RandomFaults::new(1.0, 1).methods(["m"]));
        assert_eq!(faults.take("n"), None, "other methods are spared");
    }
}
