//! Durable delivery of robot results: an outbox written before the first delivery attempt, and
//! a worker that delivers it at least once.
//!
//! Bitrix24 never calls a robot twice and answers `true` to a `bizproc.event.send` it ignored,
//! so a result lost between the robot and the portal leaves its workflow waiting until its
//! timeout. Results are therefore written to an [`Outbox`] first (one row per event token, so
//! recording a result twice keeps one), and an [`OutboxWorker`] sends them, 50 to a `batch`,
//! retries failures with exponential backoff and jitter, and moves a result whose run has timed
//! out to a dead-letter state, where it can be listed and replayed. `bizproc.event.send` is safe
//! to repeat: a second send of the same values to a closed run is ignored by the portal.
//!
//! The store is a trait: [`MemoryOutbox`] for tests, [`SqliteOutbox`] (feature `sqlite`) for a
//! single process, or a shared store of your own.
//!
//! ```
//! use bizproc::outbox::{DeliveryState, MemoryOutbox, NewDelivery, Outbox};
//!
//! let outbox = MemoryOutbox::default();
//! let result = NewDelivery::new("a223c6b3", "https://acme.bitrix24.com/rest/", "wf.1|A1|e.sig", serde_json::json!({"score": 87}));
//! assert!(outbox.enqueue(&result).unwrap());
//! assert!(!outbox.enqueue(&result).unwrap(), "one row per event token");
//! let due = outbox.due(i64::MAX, 10).unwrap();
//! assert_eq!(due.len(), 1);
//! outbox.mark_delivered(&[due[0].event_token.as_str()], 0).unwrap();
//! assert_eq!(outbox.get("wf.1|A1|e.sig").unwrap().unwrap().state, DeliveryState::Delivered);
//! assert_eq!(outbox.stats().unwrap().delivered, 1);
//! ```

mod memory;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "client")]
mod worker;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

pub use memory::MemoryOutbox;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteOutbox;
#[cfg(feature = "client")]
pub use worker::{ClientSource, DeliveryPolicy, OutboxHandle, OutboxWorker};

/// A result to deliver: what `bizproc.event.send` will carry, where to, and until when.
///
/// `Debug` shows the workflow id, not the whole event token.
///
/// ```
/// use bizproc::outbox::NewDelivery;
///
/// let result = NewDelivery::new("m1", "https://a.example.com/rest/", "wf.1|A1|e.sig", serde_json::json!({}))
///     .log_message("robot failed: no reviewer")
///     .deadline(Some(1_900_000_000));
/// assert_eq!(result.deadline, Some(1_900_000_000));
/// assert!(!format!("{result:?}").contains("e.sig"));
/// ```
#[derive(Clone, PartialEq)]
pub struct NewDelivery {
    /// The portal's `member_id`.
    pub member_id: String,
    /// The REST base to answer through (the robot call's `auth[client_endpoint]`).
    pub client_endpoint: String,
    /// `EVENT_TOKEN`: identifies the run, and the delivery.
    pub event_token: String,
    /// `RETURN_VALUES`, a JSON object.
    pub return_values: Value,
    /// `LOG_MESSAGE`, if any.
    pub log_message: Option<String>,
    /// When the run stops waiting (Unix seconds); `None` when it waits without limit.
    pub deadline: Option<i64>,
    /// When the result was recorded (Unix seconds).
    pub created_at: i64,
}

impl NewDelivery {
    /// A result with no log message and no deadline, recorded now.
    ///
    /// ```
    /// let result = bizproc::outbox::NewDelivery::new("m", "https://a.example.com/rest/", "t", serde_json::json!({"x": 1}));
    /// assert_eq!((result.log_message, result.deadline), (None, None));
    /// ```
    pub fn new(
        member_id: impl Into<String>,
        client_endpoint: impl Into<String>,
        event_token: impl Into<String>,
        return_values: Value,
    ) -> Self {
        Self {
            member_id: member_id.into(),
            client_endpoint: client_endpoint.into(),
            event_token: event_token.into(),
            return_values,
            log_message: None,
            deadline: None,
            created_at: now_ms() / 1000,
        }
    }

    /// With a line for the workflow log.
    ///
    /// ```
    /// let result = bizproc::outbox::NewDelivery::new("m", "e", "t", serde_json::json!({})).log_message("done");
    /// assert_eq!(result.log_message.as_deref(), Some("done"));
    /// ```
    #[must_use]
    pub fn log_message(mut self, message: impl Into<String>) -> Self {
        self.log_message = Some(message.into());
        self
    }

    /// With the run's deadline (Unix seconds).
    ///
    /// ```
    /// let result = bizproc::outbox::NewDelivery::new("m", "e", "t", serde_json::json!({})).deadline(Some(60));
    /// assert_eq!(result.deadline, Some(60));
    /// ```
    #[must_use]
    pub fn deadline(mut self, deadline: Option<i64>) -> Self {
        self.deadline = deadline;
        self
    }
}

/// Where a delivery stands.
///
/// ```
/// use bizproc::outbox::DeliveryState;
/// assert_eq!(DeliveryState::from_code(DeliveryState::DeadLetter.code()), Some(DeliveryState::DeadLetter));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// The portal accepted it.
    Delivered,
    /// Given up on: its deadline passed, the portal refused it, or it ran out of attempts.
    /// [`Outbox::replay`] makes it pending again.
    DeadLetter,
}

impl DeliveryState {
    /// The number a store may keep: 0, 1, 2.
    ///
    /// ```
    /// assert_eq!(bizproc::outbox::DeliveryState::Delivered.code(), 1);
    /// ```
    #[must_use]
    pub fn code(self) -> i64 {
        match self {
            Self::Pending => 0,
            Self::Delivered => 1,
            Self::DeadLetter => 2,
        }
    }

    /// The state kept as `code`.
    ///
    /// ```
    /// assert_eq!(bizproc::outbox::DeliveryState::from_code(7), None);
    /// ```
    #[must_use]
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Self::Pending),
            1 => Some(Self::Delivered),
            2 => Some(Self::DeadLetter),
            _ => None,
        }
    }
}

/// A recorded result and what became of it.
///
/// ```
/// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox};
///
/// let outbox = MemoryOutbox::default();
/// outbox.enqueue(&NewDelivery::new("m1", "https://a.example.com/rest/", "wf.1|A1|e", serde_json::json!({}))).unwrap();
/// let delivery = outbox.get("wf.1|A1|e").unwrap().unwrap();
/// assert_eq!(delivery.workflow_id(), "wf.1");
/// assert_eq!(delivery.attempts, 0);
/// ```
#[derive(Clone, PartialEq)]
pub struct Delivery {
    /// The store's id, increasing in the order results were recorded.
    pub id: i64,
    /// The portal's `member_id`.
    pub member_id: String,
    /// The REST base to answer through.
    pub client_endpoint: String,
    /// `EVENT_TOKEN`.
    pub event_token: String,
    /// `RETURN_VALUES`.
    pub return_values: Value,
    /// `LOG_MESSAGE`, if any.
    pub log_message: Option<String>,
    /// When the run stops waiting (Unix seconds).
    pub deadline: Option<i64>,
    /// When the result was recorded (Unix seconds).
    pub created_at: i64,
    /// Where it stands.
    pub state: DeliveryState,
    /// Failed attempts since it was recorded (or replayed).
    pub attempts: u32,
    /// When it is next due (Unix milliseconds).
    pub next_attempt_ms: i64,
    /// Why the last attempt failed, or why it was dead-lettered.
    pub last_error: Option<String>,
}

impl Delivery {
    /// The workflow id, the event token's first part.
    ///
    /// ```
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox};
    ///
    /// let outbox = MemoryOutbox::default();
    /// outbox.enqueue(&NewDelivery::new("m", "e", "wf.9|A2|e.sig", serde_json::json!({}))).unwrap();
    /// assert_eq!(outbox.get("wf.9|A2|e.sig").unwrap().unwrap().workflow_id(), "wf.9");
    /// ```
    #[must_use]
    pub fn workflow_id(&self) -> &str {
        workflow_id(&self.event_token)
    }

    /// Whether its deadline has passed at `now_ms`.
    ///
    /// ```
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox};
    ///
    /// let outbox = MemoryOutbox::default();
    /// outbox.enqueue(&NewDelivery::new("m", "e", "t", serde_json::json!({})).deadline(Some(10))).unwrap();
    /// let delivery = outbox.get("t").unwrap().unwrap();
    /// assert!(!delivery.is_expired(9_999));
    /// assert!(delivery.is_expired(10_000));
    /// ```
    #[must_use]
    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.deadline.is_some_and(|deadline| deadline.saturating_mul(1000) <= now_ms)
    }
}

fn workflow_id(token: &str) -> &str {
    token.split('|').next().unwrap_or_default()
}

impl fmt::Debug for NewDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewDelivery")
            .field("member_id", &self.member_id)
            .field("workflow_id", &workflow_id(&self.event_token))
            .field("deadline", &self.deadline)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("id", &self.id)
            .field("member_id", &self.member_id)
            .field("workflow_id", &self.workflow_id())
            .field("state", &self.state)
            .field("attempts", &self.attempts)
            .field("deadline", &self.deadline)
            .field("next_attempt_ms", &self.next_attempt_ms)
            .field("last_error", &self.last_error)
            .finish_non_exhaustive()
    }
}

/// A robot call the app acknowledged, kept until its result is in the outbox, so that a call
/// accepted before a crash is run again after the restart.
///
/// `Debug` shows the workflow id and the robot, not the token or the body.
///
/// ```
/// use bizproc::outbox::{MemoryOutbox, Outbox};
///
/// let outbox = MemoryOutbox::default();
/// outbox.record_call("wf.1|A1|e.sig", "shout", b"event_token=...", Some("application/x-www-form-urlencoded"), 1).unwrap();
/// let call = &outbox.pending_calls().unwrap()[0];
/// assert_eq!((call.robot.as_str(), call.body.as_slice(), call.received_at_ms), ("shout", &b"event_token=..."[..], 1));
/// assert!(!format!("{call:?}").contains("e.sig"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AcceptedCall {
    /// `EVENT_TOKEN` of the run.
    pub event_token: String,
    /// The robot's code (its route).
    pub robot: String,
    /// The request body as received.
    pub body: Vec<u8>,
    /// The request's `Content-Type`, if any.
    pub content_type: Option<String>,
    /// When it was received (Unix milliseconds).
    pub received_at_ms: i64,
}

impl fmt::Debug for AcceptedCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcceptedCall")
            .field("workflow_id", &workflow_id(&self.event_token))
            .field("robot", &self.robot)
            .field("received_at_ms", &self.received_at_ms)
            .finish_non_exhaustive()
    }
}

/// A write of an [`Outbox`] in progress, as [`Outbox::accept`] and [`Outbox::complete`]
/// answer it: ready once the write is durable.
pub type PendingWrite<T> = Pin<Box<dyn Future<Output = Result<T, OutboxError>> + Send>>;

/// Counters of an outbox.
///
/// ```
/// use bizproc::outbox::{MemoryOutbox, Outbox, Stats};
/// assert_eq!(MemoryOutbox::default().stats().unwrap(), Stats::default());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Results waiting for delivery.
    pub pending: u64,
    /// Results the portal accepted.
    pub delivered: u64,
    /// Failed attempts that were scheduled to be tried again.
    pub retried: u64,
    /// Results given up on (until replayed).
    pub dead_lettered: u64,
}

/// Why an outbox could not be read or written.
///
/// ```
/// let error = bizproc::outbox::OutboxError::new("disk full");
/// assert_eq!(error.to_string(), "outbox: disk full");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("outbox: {0}")]
pub struct OutboxError(pub String);

impl OutboxError {
    /// An error with this text.
    ///
    /// ```
    /// assert_eq!(bizproc::outbox::OutboxError::new("x").0, "x");
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// What became of one result the worker tried to deliver, as [`Outbox::settle`] records it.
///
/// ```
/// use bizproc::outbox::Settlement;
///
/// let settled = Settlement::Retry { event_token: "wf.1|A1|e.sig".into(), error: "HTTP 503".into(), next_attempt_ms: 60_000 };
/// assert_eq!(settled.event_token(), "wf.1|A1|e.sig");
/// assert!(!format!("{settled:?}").contains("e.sig"), "the token's signature stays out of logs");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum Settlement {
    /// The portal took it.
    Delivered {
        /// Whose result.
        event_token: String,
    },
    /// The attempt failed; it is tried again at `next_attempt_ms`.
    Retry {
        /// Whose result.
        event_token: String,
        /// Why the attempt failed.
        error: String,
        /// When to try again, in Unix milliseconds.
        next_attempt_ms: i64,
    },
    /// Given up on: kept as a dead letter, to be read and perhaps replayed.
    DeadLetter {
        /// Whose result.
        event_token: String,
        /// Why it was given up on.
        reason: String,
    },
}

impl Settlement {
    /// The event token of the result settled.
    #[must_use]
    pub fn event_token(&self) -> &str {
        match self {
            Settlement::Delivered { event_token }
            | Settlement::Retry { event_token, .. }
            | Settlement::DeadLetter { event_token, .. } => event_token,
        }
    }
}

impl fmt::Debug for Settlement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let workflow = workflow_id(self.event_token());
        match self {
            Settlement::Delivered { .. } => f.debug_struct("Delivered").field("workflow_id", &workflow).finish(),
            Settlement::Retry { error, next_attempt_ms, .. } => f
                .debug_struct("Retry")
                .field("workflow_id", &workflow)
                .field("error", error)
                .field("next_attempt_ms", next_attempt_ms)
                .finish(),
            Settlement::DeadLetter { reason, .. } => {
                f.debug_struct("DeadLetter").field("workflow_id", &workflow).field("reason", reason).finish()
            }
        }
    }
}

/// Where results wait for delivery. Every write is durable when it returns (as durable as the
/// store is), and a result is kept once per event token.
///
/// Times are Unix milliseconds (`now_ms`, `next_attempt_ms`) except the run's deadline and
/// `created_at`, which are Unix seconds.
///
/// ```
/// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, now_ms};
///
/// let outbox = MemoryOutbox::default();
/// outbox.enqueue(&NewDelivery::new("m1", "https://a.example.com/rest/", "t1", serde_json::json!({})).deadline(Some(1))).unwrap();
/// let now = now_ms();
/// let due = outbox.due(now, 10).unwrap();
/// assert!(due[0].is_expired(now));
/// outbox.dead_letter("t1", "the run timed out", now).unwrap();
/// assert_eq!(outbox.dead_letters(10).unwrap().len(), 1);
/// assert!(outbox.replay("t1", None, now).unwrap());
/// assert_eq!(outbox.due(now, 10).unwrap().len(), 1);
/// ```
pub trait Outbox: Send + Sync {
    /// Records a pending result, due at once. Answers whether it was new: a second result for
    /// the same event token is not recorded.
    ///
    /// # Errors
    /// When the store cannot be written.
    fn enqueue(&self, delivery: &NewDelivery) -> Result<bool, OutboxError>;

    /// Up to `limit` pending results due at `now_ms`, the longest due first.
    ///
    /// # Errors
    /// When the store cannot be read.
    fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<Delivery>, OutboxError>;

    /// Marks these pending results delivered.
    ///
    /// # Errors
    /// When the store cannot be written.
    fn mark_delivered(&self, event_tokens: &[&str], now_ms: i64) -> Result<(), OutboxError>;

    /// Records a failed attempt of a pending result and when to try again.
    ///
    /// # Errors
    /// When the store cannot be written.
    fn record_failure(&self, event_token: &str, error: &str, next_attempt_ms: i64) -> Result<(), OutboxError>;

    /// Gives up on a pending result, with the reason.
    ///
    /// # Errors
    /// When the store cannot be written.
    fn dead_letter(&self, event_token: &str, reason: &str, now_ms: i64) -> Result<(), OutboxError>;

    /// Up to `limit` dead letters, oldest first.
    ///
    /// # Errors
    /// When the store cannot be read.
    fn dead_letters(&self, limit: usize) -> Result<Vec<Delivery>, OutboxError>;

    /// Makes a dead letter pending again, due at `now_ms`, with no failed attempts and the new
    /// `deadline` (Unix seconds; `None` for none). Answers whether there was such a dead letter.
    ///
    /// # Errors
    /// When the store cannot be written.
    fn replay(&self, event_token: &str, deadline: Option<i64>, now_ms: i64) -> Result<bool, OutboxError>;

    /// The result recorded for this event token, in whatever state.
    ///
    /// # Errors
    /// When the store cannot be read.
    fn get(&self, event_token: &str) -> Result<Option<Delivery>, OutboxError>;

    /// The counters.
    ///
    /// # Errors
    /// When the store cannot be read.
    fn stats(&self) -> Result<Stats, OutboxError>;

    /// Records a robot call the app is about to acknowledge, durably, before it answers.
    /// Answers whether it was new: a second call with the same event token is not recorded.
    ///
    /// # Errors
    /// When the store cannot be written.
    fn record_call(
        &self,
        event_token: &str,
        robot: &str,
        body: &[u8],
        content_type: Option<&str>,
        received_at_ms: i64,
    ) -> Result<bool, OutboxError>;

    /// Forgets a recorded call: its result (or its failure) is in the outbox, or there is none
    /// to give.
    ///
    /// # Errors
    /// When the store cannot be written.
    fn finish_call(&self, event_token: &str) -> Result<(), OutboxError>;

    /// The calls recorded and not finished, oldest first: to run again after a restart.
    ///
    /// # Errors
    /// When the store cannot be read.
    fn pending_calls(&self) -> Result<Vec<AcceptedCall>, OutboxError>;

    /// Records what became of the results of one delivery attempt, together: a durable store
    /// writes them in one transaction rather than one each.
    ///
    /// The default [`mark_delivered`](Self::mark_delivered)s, [`record_failure`](Self::record_failure)s
    /// and [`dead_letter`](Self::dead_letter)s them one by one.
    ///
    /// # Errors
    /// When the store cannot be written.
    ///
    /// ```
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, Settlement};
    ///
    /// let outbox = MemoryOutbox::default();
    /// for token in ["w1|A|e1", "w2|A|e2"] {
    ///     outbox.enqueue(&NewDelivery::new("m1", "https://a.example.com/rest/", token, serde_json::json!({}))).unwrap();
    /// }
    /// outbox.settle(&[
    ///     Settlement::Delivered { event_token: "w1|A|e1".into() },
    ///     Settlement::DeadLetter { event_token: "w2|A|e2".into(), reason: "refused".into() },
    /// ], 1).unwrap();
    /// let stats = outbox.stats().unwrap();
    /// assert_eq!((stats.delivered, stats.dead_lettered), (1, 1));
    /// ```
    fn settle(&self, settlements: &[Settlement], now_ms: i64) -> Result<(), OutboxError> {
        let delivered: Vec<&str> = settlements
            .iter()
            .filter_map(|settled| match settled {
                Settlement::Delivered { event_token } => Some(event_token.as_str()),
                _ => None,
            })
            .collect();
        if !delivered.is_empty() {
            self.mark_delivered(&delivered, now_ms)?;
        }
        for settled in settlements {
            match settled {
                Settlement::Delivered { .. } => {}
                Settlement::Retry { event_token, error, next_attempt_ms } => {
                    self.record_failure(event_token, error, *next_attempt_ms)?;
                }
                Settlement::DeadLetter { event_token, reason } => self.dead_letter(event_token, reason, now_ms)?,
            }
        }
        Ok(())
    }

    /// [`record_call`](Self::record_call) for an async server: a future that is ready once
    /// the call is recorded, without holding up the thread that polls it meanwhile.
    ///
    /// The default records at once, which suits a store that does not wait on a disk; a
    /// durable store overrides it ([`SqliteOutbox`] hands the write to its writer thread,
    /// which commits the writes of concurrent calls together).
    ///
    /// ```
    /// use bizproc::outbox::{AcceptedCall, MemoryOutbox, Outbox};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let outbox = MemoryOutbox::default();
    /// let call = AcceptedCall {
    ///     event_token: "wf.1|A1|e.sig".into(),
    ///     robot: "shout".into(),
    ///     body: b"event_token=...".to_vec(),
    ///     content_type: None,
    ///     received_at_ms: 1,
    /// };
    /// assert!(outbox.accept(call.clone()).await.unwrap());
    /// assert!(!outbox.accept(call).await.unwrap(), "one record per event token");
    /// # }
    /// ```
    fn accept(&self, call: AcceptedCall) -> PendingWrite<bool> {
        let recorded = self.record_call(
            &call.event_token,
            &call.robot,
            &call.body,
            call.content_type.as_deref(),
            call.received_at_ms,
        );
        Box::pin(std::future::ready(recorded))
    }

    /// [`enqueue`](Self::enqueue) for an async server: records a result whose call was never
    /// recorded (a robot that finished while its call was being answered), as a future ready
    /// once the result is durable. Answers whether the result was new.
    ///
    /// The default enqueues at once; a durable store overrides it, as it does
    /// [`complete`](Self::complete), to write off the async runtime's threads.
    ///
    /// ```
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let outbox = MemoryOutbox::default();
    /// let result = NewDelivery::new("m1", "https://a.example.com/rest/", "wf.1|A1|e.sig", serde_json::json!({}));
    /// assert!(outbox.record(result.clone()).await.unwrap());
    /// assert!(!outbox.record(result).await.unwrap(), "one result per event token");
    /// # }
    /// ```
    fn record(&self, result: NewDelivery) -> PendingWrite<bool> {
        Box::pin(std::future::ready(self.enqueue(&result)))
    }

    /// Records the result of a recorded call, if it has one to deliver, and forgets the call,
    /// as one write: a future ready once both are durable. Answers whether the result was new.
    ///
    /// The default [`enqueue`](Self::enqueue)s, then [`finish_call`](Self::finish_call)s, at
    /// once; a durable store overrides it to do both in one transaction off the async
    /// runtime's threads.
    ///
    /// ```
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let outbox = MemoryOutbox::default();
    /// outbox.record_call("wf.1|A1|e.sig", "shout", b"...", None, 1).unwrap();
    /// let result = NewDelivery::new("m1", "https://a.example.com/rest/", "wf.1|A1|e.sig", serde_json::json!({}));
    /// assert!(outbox.complete("wf.1|A1|e.sig", Some(result)).await.unwrap());
    /// assert!(outbox.pending_calls().unwrap().is_empty());
    /// assert_eq!(outbox.stats().unwrap().pending, 1);
    /// # }
    /// ```
    fn complete(&self, event_token: &str, result: Option<NewDelivery>) -> PendingWrite<bool> {
        let recorded = result.map_or(Ok(false), |result| self.enqueue(&result));
        let finished = recorded.and_then(|new| self.finish_call(event_token).map(|()| new));
        Box::pin(std::future::ready(finished))
    }
}

/// Now, in Unix milliseconds.
///
/// ```
/// assert!(bizproc::outbox::now_ms() > 1_700_000_000_000);
/// ```
#[must_use]
pub fn now_ms() -> i64 {
    let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
}

/// What every store must do; run against each store by its tests.
#[cfg(test)]
pub(crate) fn exercise(outbox: &dyn Outbox) {
    use serde_json::json;

    let first = NewDelivery::new("m1", "https://a.example.com/rest/", "w1|A|e1", json!({"a": 1, "b": [1, 2]}))
        .log_message("hello")
        .deadline(Some(100));
    let second = NewDelivery::new("m2", "https://b.example.com/rest/", "w2|A|e2", json!({}));
    let third = NewDelivery::new("m1", "https://a.example.com/rest/", "w3|A|e3", json!({"z": "y"}));
    assert!(outbox.enqueue(&first).unwrap());
    assert!(outbox.enqueue(&second).unwrap());
    assert!(outbox.enqueue(&third).unwrap());
    let mut changed = first.clone();
    changed.return_values = json!({"a": 2});
    assert!(!outbox.enqueue(&changed).unwrap(), "a second result for a token is not recorded");
    assert_eq!(outbox.stats().unwrap(), Stats { pending: 3, ..Stats::default() });

    let due = outbox.due(i64::MAX, 10).unwrap();
    assert_eq!(due.iter().map(Delivery::workflow_id).collect::<Vec<_>>(), ["w1", "w2", "w3"]);
    let got = &due[0];
    assert_eq!(
        (got.member_id.as_str(), got.client_endpoint.as_str(), &got.return_values),
        ("m1", "https://a.example.com/rest/", &json!({"a": 1, "b": [1, 2]}))
    );
    assert_eq!(
        (got.log_message.as_deref(), got.deadline, got.state),
        (Some("hello"), Some(100), DeliveryState::Pending)
    );
    assert_eq!(outbox.due(i64::MAX, 2).unwrap().len(), 2, "the limit holds");

    // A failure pushes the result back; it is not due until then.
    let later = due[1].next_attempt_ms + 60_000;
    outbox.record_failure("w2|A|e2", "HTTP 503", later).unwrap();
    let now = later - 1;
    assert_eq!(outbox.due(now, 10).unwrap().iter().map(Delivery::workflow_id).collect::<Vec<_>>(), ["w1", "w3"]);
    let failed = outbox.get("w2|A|e2").unwrap().unwrap();
    assert_eq!((failed.attempts, failed.last_error.as_deref()), (1, Some("HTTP 503")));
    assert_eq!(outbox.due(later, 10).unwrap().len(), 3, "due again at its time");

    outbox.mark_delivered(&["w1|A|e1", "w3|A|e3"], now).unwrap();
    outbox.record_failure("w1|A|e1", "late", now).unwrap(); // a delivered result stays delivered
    assert_eq!(outbox.get("w1|A|e1").unwrap().unwrap().state, DeliveryState::Delivered);
    outbox.dead_letter("w2|A|e2", "deadline passed", now).unwrap();
    assert_eq!(outbox.stats().unwrap(), Stats { pending: 0, delivered: 2, retried: 1, dead_lettered: 1 });
    let dead = outbox.dead_letters(10).unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].workflow_id(), dead[0].last_error.as_deref()), ("w2", Some("deadline passed")));
    assert!(outbox.due(i64::MAX, 10).unwrap().is_empty());

    assert!(!outbox.replay("w1|A|e1", None, now).unwrap(), "only dead letters are replayed");
    assert!(outbox.replay("w2|A|e2", Some(500), now).unwrap());
    let replayed = outbox.due(now, 10).unwrap();
    assert_eq!(replayed.len(), 1);
    assert_eq!((replayed[0].attempts, replayed[0].deadline), (0, Some(500)));
    assert_eq!(outbox.stats().unwrap(), Stats { pending: 1, delivered: 2, retried: 1, dead_lettered: 0 });
    assert!(outbox.get("nope").unwrap().is_none());

    // One settlement of each kind, written together.
    for token in ["w4|A|e4", "w5|A|e5", "w6|A|e6"] {
        assert!(outbox.enqueue(&NewDelivery::new("m3", "https://c.example.com/rest/", token, json!({}))).unwrap());
    }
    outbox
        .settle(
            &[
                Settlement::Delivered { event_token: "w4|A|e4".into() },
                Settlement::Retry { event_token: "w5|A|e5".into(), error: "HTTP 500".into(), next_attempt_ms: later },
                Settlement::DeadLetter { event_token: "w6|A|e6".into(), reason: "refused".into() },
            ],
            now,
        )
        .unwrap();
    let states: Vec<_> = ["w4|A|e4", "w5|A|e5", "w6|A|e6"]
        .iter()
        .map(|token| outbox.get(token).unwrap().map(|d| (d.state, d.attempts, d.last_error)))
        .collect();
    assert_eq!(
        states,
        [
            Some((DeliveryState::Delivered, 0, None)),
            Some((DeliveryState::Pending, 1, Some("HTTP 500".to_owned()))),
            Some((DeliveryState::DeadLetter, 0, Some("refused".to_owned()))),
        ]
    );
    assert_eq!(outbox.stats().unwrap(), Stats { pending: 2, delivered: 3, retried: 2, dead_lettered: 1 });

    assert!(outbox.record_call("w7|A|e7", "count", b"n=1", Some("text/plain"), 5).unwrap());
    assert!(!outbox.record_call("w7|A|e7", "count", b"n=2", None, 6).unwrap(), "one call per token");
    assert!(outbox.record_call("w8|A|e8", "other", b"", None, 7).unwrap());
    let calls = outbox.pending_calls().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (calls[0].event_token.as_str(), calls[0].robot.as_str(), calls[0].body.as_slice()),
        ("w7|A|e7", "count", &b"n=1"[..])
    );
    assert_eq!((calls[0].content_type.as_deref(), calls[0].received_at_ms), (Some("text/plain"), 5));
    outbox.finish_call("w7|A|e7").unwrap();
    outbox.finish_call("nope").unwrap();
    let calls = outbox.pending_calls().unwrap();
    assert_eq!((calls.len(), calls[0].event_token.as_str(), calls[0].content_type.as_deref()), (1, "w8|A|e8", None));
}
