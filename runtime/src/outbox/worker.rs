//! The delivery worker: sends what is due, 50 to a `batch`, and keeps the outbox up to date.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};
use tracing::Instrument;

use super::{Delivery, Outbox, OutboxError, Settlement, Stats, now_ms};
use crate::client::{Client, Error, ErrorCode};

/// The most commands one `batch` request may carry.
const BATCH_LIMIT: usize = 50;

/// Finds the client of a portal: `(member_id, client_endpoint)` to a [`Client`], or why there
/// is none (the delivery is then tried again later).
///
/// ```
/// use std::sync::Arc;
/// use bizproc::client::Client;
/// use bizproc::outbox::ClientSource;
///
/// let client = Client::webhook("https://acme.bitrix24.com/rest/1/abcdef123456/").unwrap();
/// let clients: ClientSource = Arc::new(move |_member_id: &str, _endpoint: &str| Ok(client.clone()));
/// assert!(clients("m1", "").is_ok());
/// ```
pub type ClientSource = Arc<dyn Fn(&str, &str) -> Result<Client, String> + Send + Sync>;

/// How the worker delivers.
///
/// ```
/// use std::time::Duration;
/// use bizproc::outbox::DeliveryPolicy;
///
/// let policy = DeliveryPolicy { base_delay: Duration::from_millis(50), ..DeliveryPolicy::default() };
/// assert_eq!(policy.batch_size, 50);
/// assert!(policy.retry_delay(1) <= Duration::from_millis(75));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// Results per `batch` call, at most 50 (a single due result goes as `bizproc.event.send`).
    pub batch_size: usize,
    /// Results taken from the outbox per pass.
    pub fetch_limit: usize,
    /// The delay after the first failed attempt; each further one doubles, with ±50% jitter.
    pub base_delay: Duration,
    /// The longest delay between attempts.
    pub max_delay: Duration,
    /// How often the outbox is looked at when nothing wakes the worker.
    pub poll_interval: Duration,
    /// Failed attempts after which a result is dead-lettered even before its deadline (a run
    /// without a deadline is otherwise tried until delivered); `None` for no such limit.
    pub max_attempts: Option<u32>,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            batch_size: BATCH_LIMIT,
            fetch_limit: 500,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(300),
            poll_interval: Duration::from_secs(1),
            max_attempts: None,
        }
    }
}

impl DeliveryPolicy {
    /// The delay after failed attempt number `attempts` (1 for the first).
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = bizproc::outbox::DeliveryPolicy::default();
    /// let third = policy.retry_delay(3);
    /// assert!(third >= Duration::from_secs(2) && third <= Duration::from_secs(6));
    /// assert!(policy.retry_delay(100) <= policy.max_delay.mul_f64(1.5));
    /// ```
    #[must_use]
    pub fn retry_delay(&self, attempts: u32) -> Duration {
        let exponential = self.base_delay.saturating_mul(2u32.saturating_pow(attempts.saturating_sub(1).min(20)));
        exponential.min(self.max_delay).mul_f64(0.5 + fastrand::f64())
    }
}

/// What the worker and its handles share.
#[derive(Default)]
struct Control {
    stopping: AtomicBool,
    wake: Notify,
    task: Mutex<Option<JoinHandle<()>>>,
}

/// Delivers the results of an [`Outbox`]: takes what is due, groups it by portal, sends each
/// portal's results with its [`Client`] (50 to a `batch` of `bizproc.event.send`), marks them
/// delivered, schedules failed ones again with exponential backoff and jitter, and
/// dead-letters a result whose deadline has passed, one the portal refused (`ACCESS_DENIED`,
/// a workflow that is gone) or, if the policy says so, one out of attempts. It starts with
/// whatever is already pending, so a restart loses nothing.
///
/// Portals are served in parallel; each portal's client keeps to its own rate limit.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use bizproc::client::Client;
/// use bizproc::outbox::{OutboxWorker, SqliteOutbox};
///
/// let outbox = Arc::new(SqliteOutbox::open("outbox.db")?);
/// let client = Client::webhook("https://acme.bitrix24.com/rest/1/abcdef123456/")?;
/// let handle = OutboxWorker::new(outbox, Arc::new(move |_: &str, _: &str| Ok(client.clone()))).spawn();
/// println!("{:?}", handle.stats()?);
/// handle.stop().await;
/// # Ok(())
/// # }
/// ```
#[must_use]
pub struct OutboxWorker {
    outbox: Arc<dyn Outbox>,
    clients: ClientSource,
    policy: DeliveryPolicy,
    control: Arc<Control>,
}

/// Reads the counters of a worker's outbox, wakes it, replays dead letters, and stops it.
/// Cheap to clone.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::sync::Arc;
/// use bizproc::outbox::{MemoryOutbox, OutboxWorker};
///
/// let worker = OutboxWorker::new(Arc::new(MemoryOutbox::default()), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
/// let handle = worker.spawn();
/// assert_eq!(handle.stats().unwrap().pending, 0);
/// handle.stop().await;
/// # }
/// ```
#[derive(Clone)]
pub struct OutboxHandle {
    outbox: Arc<dyn Outbox>,
    control: Arc<Control>,
}

impl OutboxWorker {
    /// A worker for `outbox`, finding each portal's client with `clients`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, OutboxWorker};
    ///
    /// let outbox = Arc::new(MemoryOutbox::default());
    /// let worker = OutboxWorker::new(outbox.clone(), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
    /// assert!(!worker.handle().is_stopped());
    /// ```
    pub fn new(outbox: Arc<dyn Outbox>, clients: ClientSource) -> Self {
        Self { outbox, clients, policy: DeliveryPolicy::default(), control: Arc::default() }
    }

    /// How it delivers; the batch size is capped at 50.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use bizproc::outbox::{DeliveryPolicy, MemoryOutbox, OutboxWorker};
    ///
    /// let policy = DeliveryPolicy { batch_size: 500, ..DeliveryPolicy::default() };
    /// let worker = OutboxWorker::new(Arc::new(MemoryOutbox::default()), Arc::new(|_: &str, _: &str| Err(String::new())))
    ///     .policy(policy);
    /// assert!(format!("{worker:?}").contains("batch_size: 50,"));
    /// ```
    pub fn policy(mut self, policy: DeliveryPolicy) -> Self {
        self.policy = DeliveryPolicy { batch_size: policy.batch_size.clamp(1, BATCH_LIMIT), ..policy };
        self
    }

    /// A handle, usable before and after the worker starts.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, OutboxWorker};
    ///
    /// let outbox = Arc::new(MemoryOutbox::default());
    /// let worker = OutboxWorker::new(outbox.clone(), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
    /// let handle = worker.handle();
    /// outbox.enqueue(&NewDelivery::new("m1", "https://a.example.com/rest/", "t1", serde_json::json!({}))).unwrap();
    /// assert_eq!(handle.stats().unwrap().pending, 1);
    /// ```
    #[must_use]
    pub fn handle(&self) -> OutboxHandle {
        OutboxHandle { outbox: Arc::clone(&self.outbox), control: Arc::clone(&self.control) }
    }

    /// Runs the worker on the current Tokio runtime; stop it with [`OutboxHandle::stop`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::sync::Arc;
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, OutboxWorker};
    ///
    /// let outbox = Arc::new(MemoryOutbox::default());
    /// let worker = OutboxWorker::new(outbox.clone(), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
    /// let handle = worker.spawn();
    /// handle.stop().await;
    /// assert!(handle.is_stopped());
    /// # }
    /// ```
    ///
    /// # Panics
    /// Outside a Tokio runtime.
    pub fn spawn(self) -> OutboxHandle {
        let handle = self.handle();
        let control = Arc::clone(&self.control);
        let task = tokio::spawn(self.run());
        *control.task.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(task);
        handle
    }

    /// Delivers until stopped: a pass over what is due, then a wait for a wake-up (a result
    /// recorded by the app, a replay, a stop) or the poll interval, whichever comes first; a
    /// retry is due at its time and taken by the first pass after it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::sync::Arc;
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, OutboxWorker};
    ///
    /// let outbox = Arc::new(MemoryOutbox::default());
    /// let worker = OutboxWorker::new(outbox.clone(), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
    /// let handle = worker.handle();
    /// let task = tokio::spawn(worker.run());
    /// handle.stop().await; // the worker sees the stop at its next wait
    /// task.await.unwrap();
    /// # }
    /// ```
    pub async fn run(self) {
        tracing::info!(stats = ?self.outbox.stats().ok(), "outbox worker started");
        while !self.control.stopping.load(Ordering::SeqCst) {
            let wait = match self.deliver_due().await {
                Ok(n) if n >= self.policy.fetch_limit => continue, // more is due at once
                Ok(_) => self.policy.poll_interval,
                Err(error) => {
                    tracing::error!(%error, "outbox unreadable");
                    self.policy.poll_interval
                }
            };
            if self.control.stopping.load(Ordering::SeqCst) {
                break;
            }
            let _ = tokio::time::timeout(wait, self.control.wake.notified()).await;
        }
        tracing::info!("outbox worker stopped");
    }

    /// One pass: every result due now is delivered, retried later or dead-lettered. Answers
    /// how many were due.
    ///
    /// # Errors
    /// When the outbox cannot be read or written.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::sync::Arc;
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, OutboxWorker};
    ///
    /// let outbox = Arc::new(MemoryOutbox::default());
    /// let worker = OutboxWorker::new(outbox.clone(), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
    /// outbox.enqueue(&NewDelivery::new("m1", "https://a.example.com/rest/", "t1", serde_json::json!({}))).unwrap();
    /// assert_eq!(worker.deliver_due().await.unwrap(), 1);
    /// let stats = outbox.stats().unwrap();
    /// assert_eq!((stats.pending, stats.retried), (1, 1), "no client: tried again later");
    /// # }
    /// ```
    pub async fn deliver_due(&self) -> Result<usize, OutboxError> {
        let now = now_ms();
        let limit = self.policy.fetch_limit;
        let due = off_runtime(&self.outbox, move |outbox| outbox.due(now, limit)).await?;
        let count = due.len();
        let mut by_portal: BTreeMap<String, Vec<Delivery>> = BTreeMap::new();
        let mut expired = Vec::new();
        for delivery in due {
            if delivery.is_expired(now) {
                expired.push(delivery);
            } else {
                by_portal.entry(delivery.member_id.clone()).or_default().push(delivery);
            }
        }
        if !expired.is_empty() {
            let reason = "the run's deadline passed before the result was delivered";
            let settlements: Vec<Settlement> = expired
                .iter()
                .map(|delivery| {
                    tracing::error!(
                        workflow = delivery.workflow_id(),
                        attempts = delivery.attempts,
                        reason,
                        "result dead-lettered"
                    );
                    Settlement::DeadLetter { event_token: delivery.event_token.clone(), reason: reason.to_owned() }
                })
                .collect();
            off_runtime(&self.outbox, move |outbox| outbox.settle(&settlements, now)).await?;
        }
        let mut portals = JoinSet::new();
        for (member_id, deliveries) in by_portal {
            let portal =
                Portal { outbox: Arc::clone(&self.outbox), clients: Arc::clone(&self.clients), policy: self.policy };
            let span = tracing::info_span!("outbox.deliver", portal = %member_id, count = deliveries.len());
            portals.spawn(async move { portal.deliver(&member_id, deliveries).await }.instrument(span));
        }
        let mut result = Ok(count);
        while let Some(joined) = portals.join_next().await {
            match joined {
                Ok(Ok(())) => {}
                Ok(Err(error)) => result = Err(error),
                Err(panicked) => result = Err(OutboxError(format!("a delivery task failed: {panicked}"))),
            }
        }
        result
    }
}

/// Runs `op` on the outbox off the async runtime: an outbox on disk answers once its write is
/// committed, and the runtime's threads serve every request of the app meanwhile.
async fn off_runtime<T: Send + 'static>(
    outbox: &Arc<dyn Outbox>,
    op: impl FnOnce(&dyn Outbox) -> Result<T, OutboxError> + Send + 'static,
) -> Result<T, OutboxError> {
    let outbox = Arc::clone(outbox);
    // What it logs belongs to the pass or portal it was called for.
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(|| op(outbox.as_ref())))
        .await
        .map_err(|failed| OutboxError(format!("an outbox task failed: {failed}")))?
}

/// One portal's share of a pass.
struct Portal {
    outbox: Arc<dyn Outbox>,
    clients: ClientSource,
    policy: DeliveryPolicy,
}

/// What became of one result.
enum Outcome {
    Delivered,
    Failed(String),
    Refused(String),
}

impl Portal {
    async fn deliver(&self, member_id: &str, deliveries: Vec<Delivery>) -> Result<(), OutboxError> {
        let endpoint = deliveries.first().map(|d| d.client_endpoint.clone()).unwrap_or_default();
        let client = match (self.clients)(member_id, &endpoint) {
            Ok(client) => client,
            Err(reason) => {
                let outcomes = deliveries.iter().map(|_| Outcome::Failed(format!("no client: {reason}"))).collect();
                return self.record(&deliveries, outcomes).await;
            }
        };
        for chunk in deliveries.chunks(self.policy.batch_size) {
            let outcomes = send(&client, chunk).await;
            self.record(chunk, outcomes).await?;
        }
        Ok(())
    }

    /// Writes what became of each delivery, in one write, off the runtime.
    async fn record(&self, deliveries: &[Delivery], outcomes: Vec<Outcome>) -> Result<(), OutboxError> {
        let now = now_ms();
        let settlements: Vec<Settlement> = deliveries
            .iter()
            .zip(outcomes)
            .map(|(delivery, outcome)| settle(self.policy, delivery, outcome, now))
            .collect();
        off_runtime(&self.outbox, move |outbox| outbox.settle(&settlements, now)).await
    }
}

/// What the outbox keeps of one attempt, logged as it is decided.
fn settle(policy: DeliveryPolicy, delivery: &Delivery, outcome: Outcome, now: i64) -> Settlement {
    let workflow = delivery.workflow_id();
    let event_token = delivery.event_token.clone();
    match outcome {
        Outcome::Delivered => {
            tracing::debug!(workflow, attempts = delivery.attempts, "result delivered");
            Settlement::Delivered { event_token }
        }
        Outcome::Refused(reason) => {
            tracing::error!(workflow, %reason, "result refused by the portal; dead-lettered");
            Settlement::DeadLetter { event_token, reason: format!("refused: {reason}") }
        }
        Outcome::Failed(reason) => {
            let attempts = delivery.attempts.saturating_add(1);
            if policy.max_attempts.is_some_and(|max| attempts >= max) {
                tracing::error!(workflow, attempts, %reason, "result out of attempts; dead-lettered");
                return Settlement::DeadLetter {
                    event_token,
                    reason: format!("gave up after {attempts} attempts: {reason}"),
                };
            }
            let delay = i64::try_from(policy.retry_delay(attempts).as_millis()).unwrap_or(i64::MAX);
            let mut next = now.saturating_add(delay);
            // Never later than the deadline: there it is dead-lettered, not left waiting.
            if let Some(deadline) = delivery.deadline {
                next = next.min(deadline.saturating_mul(1000));
            }
            tracing::warn!(workflow, attempts, %reason, retry_in_ms = next - now, "delivery failed; will retry");
            Settlement::Retry { event_token, error: reason, next_attempt_ms: next }
        }
    }
}

fn params(delivery: &Delivery) -> Map<String, Value> {
    let mut params = Map::new();
    params.insert("EVENT_TOKEN".to_owned(), Value::String(delivery.event_token.clone()));
    params.insert("RETURN_VALUES".to_owned(), delivery.return_values.clone());
    if let Some(message) = &delivery.log_message {
        params.insert("LOG_MESSAGE".to_owned(), Value::String(message.clone()));
    }
    params
}

/// Whether retrying cannot help: the token is not the portal's, or the workflow is gone.
fn refused(error: &Error) -> bool {
    match error.code() {
        Some(ErrorCode::AccessDenied | ErrorCode::PortalDeleted) => matches!(error, Error::Api { .. }),
        Some(ErrorCode::Other(code)) => code == "ERROR_WORKFLOW_NOT_FOUND",
        _ => false,
    }
}

fn outcome(answer: Result<Value, Error>) -> Outcome {
    match answer {
        Ok(Value::Bool(true)) => Outcome::Delivered,
        Ok(other) => Outcome::Failed(format!("bizproc.event.send answered {other}")),
        Err(error) if refused(&error) => Outcome::Refused(error.to_string()),
        Err(error) => Outcome::Failed(error.to_string()),
    }
}

/// Sends up to 50 results: one `bizproc.event.send`, or a `batch` of them.
async fn send(client: &Client, chunk: &[Delivery]) -> Vec<Outcome> {
    if let [delivery] = chunk {
        return vec![outcome(client.call_idempotent::<Value>("bizproc.event.send", params(delivery)).await)];
    }
    let mut batch = client.batch();
    for delivery in chunk {
        // A map of parameters is always an object: `push` cannot fail here.
        let _ = batch.push_idempotent("bizproc.event.send", params(delivery));
    }
    match batch.send().await {
        Ok(results) => results.into_results().into_iter().map(outcome).collect(),
        // The request as a whole failed: every result is tried again, whatever the error.
        Err(error) => chunk.iter().map(|_| Outcome::Failed(error.to_string())).collect(),
    }
}

impl OutboxHandle {
    /// The outbox's counters.
    ///
    /// # Errors
    /// When the outbox cannot be read.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, OutboxWorker};
    ///
    /// let outbox = Arc::new(MemoryOutbox::default());
    /// let worker = OutboxWorker::new(outbox.clone(), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
    /// let handle = worker.handle();
    /// assert_eq!(handle.stats().unwrap(), bizproc::outbox::Stats::default());
    /// ```
    pub fn stats(&self) -> Result<Stats, OutboxError> {
        self.outbox.stats()
    }

    /// The outbox.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, OutboxWorker};
    ///
    /// let outbox = Arc::new(MemoryOutbox::default());
    /// let worker = OutboxWorker::new(outbox.clone(), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
    /// let handle = worker.handle();
    /// assert!(handle.outbox().get("t1").unwrap().is_none());
    /// ```
    #[must_use]
    pub fn outbox(&self) -> &Arc<dyn Outbox> {
        &self.outbox
    }

    /// Makes the worker look at the outbox now.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, OutboxWorker};
    ///
    /// let outbox = Arc::new(MemoryOutbox::default());
    /// let worker = OutboxWorker::new(outbox.clone(), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
    /// let handle = worker.handle();
    /// handle.wake(); // remembered until the worker next waits
    /// ```
    pub fn wake(&self) {
        self.control.wake.notify_one();
    }

    /// Up to `limit` dead letters, oldest first.
    ///
    /// # Errors
    /// When the outbox cannot be read.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, OutboxWorker};
    ///
    /// let outbox = Arc::new(MemoryOutbox::default());
    /// let worker = OutboxWorker::new(outbox.clone(), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
    /// let handle = worker.handle();
    /// outbox.enqueue(&NewDelivery::new("m1", "https://a.example.com/rest/", "t1", serde_json::json!({}))).unwrap();
    /// outbox.dead_letter("t1", "refused", 0).unwrap();
    /// assert_eq!(handle.dead_letters(10).unwrap()[0].last_error.as_deref(), Some("refused"));
    /// ```
    pub fn dead_letters(&self, limit: usize) -> Result<Vec<Delivery>, OutboxError> {
        self.outbox.dead_letters(limit)
    }

    /// Makes a dead letter pending again, to be tried until delivered or until `within` has
    /// passed (`None`: no deadline), and wakes the worker. Answers whether there was such a
    /// dead letter.
    ///
    /// # Errors
    /// When the outbox cannot be written.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, OutboxWorker};
    ///
    /// let outbox = Arc::new(MemoryOutbox::default());
    /// let worker = OutboxWorker::new(outbox.clone(), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
    /// let handle = worker.handle();
    /// outbox.enqueue(&NewDelivery::new("m1", "https://a.example.com/rest/", "t1", serde_json::json!({}))).unwrap();
    /// outbox.dead_letter("t1", "the run's deadline passed", 0).unwrap();
    /// assert!(handle.replay("t1", Some(std::time::Duration::from_secs(3600))).unwrap());
    /// assert_eq!(handle.stats().unwrap().pending, 1);
    /// ```
    pub fn replay(&self, event_token: &str, within: Option<Duration>) -> Result<bool, OutboxError> {
        let now = now_ms();
        let deadline = within.map(|d| (now / 1000).saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)));
        let replayed = self.outbox.replay(event_token, deadline, now)?;
        self.wake();
        Ok(replayed)
    }

    /// Stops the worker: the pass under way finishes (what it sent is recorded), then the
    /// worker returns. What is still pending stays in the outbox for the next worker.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::sync::Arc;
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, OutboxWorker};
    ///
    /// let outbox = Arc::new(MemoryOutbox::default());
    /// let worker = OutboxWorker::new(outbox.clone(), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
    /// let handle = worker.spawn();
    /// handle.stop().await;
    /// # }
    /// ```
    pub async fn stop(&self) {
        self.control.stopping.store(true, Ordering::SeqCst);
        self.control.wake.notify_one();
        let task = self.control.task.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }

    /// Whether [`stop`](Self::stop) was called.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use bizproc::outbox::{MemoryOutbox, NewDelivery, Outbox, OutboxWorker};
    ///
    /// let outbox = Arc::new(MemoryOutbox::default());
    /// let worker = OutboxWorker::new(outbox.clone(), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
    /// let handle = worker.handle();
    /// assert!(!handle.is_stopped());
    /// ```
    #[must_use]
    pub fn is_stopped(&self) -> bool {
        self.control.stopping.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for OutboxWorker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxWorker").field("policy", &self.policy).finish_non_exhaustive()
    }
}

impl fmt::Debug for OutboxHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxHandle").field("stopped", &self.is_stopped()).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;
    use crate::outbox::{AcceptedCall, MemoryOutbox, NewDelivery};

    /// An outbox whose reads of due results wait until a task of the runtime lets them go:
    /// a stand-in for a disk that answers only once its write is committed.
    struct GatedOutbox {
        inner: MemoryOutbox,
        gate: Mutex<mpsc::Receiver<()>>,
    }

    impl Outbox for GatedOutbox {
        fn enqueue(&self, delivery: &NewDelivery) -> Result<bool, OutboxError> {
            self.inner.enqueue(delivery)
        }
        fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<Delivery>, OutboxError> {
            let gate = self.gate.lock().expect("the gate");
            gate.recv_timeout(Duration::from_secs(10))
                .map_err(|_| OutboxError("never let go: the worker held up the runtime".to_owned()))?;
            self.inner.due(now_ms, limit)
        }
        fn mark_delivered(&self, event_tokens: &[&str], now_ms: i64) -> Result<(), OutboxError> {
            self.inner.mark_delivered(event_tokens, now_ms)
        }
        fn record_failure(&self, event_token: &str, error: &str, next_attempt_ms: i64) -> Result<(), OutboxError> {
            self.inner.record_failure(event_token, error, next_attempt_ms)
        }
        fn dead_letter(&self, event_token: &str, reason: &str, now_ms: i64) -> Result<(), OutboxError> {
            self.inner.dead_letter(event_token, reason, now_ms)
        }
        fn dead_letters(&self, limit: usize) -> Result<Vec<Delivery>, OutboxError> {
            self.inner.dead_letters(limit)
        }
        fn replay(&self, event_token: &str, deadline: Option<i64>, now_ms: i64) -> Result<bool, OutboxError> {
            self.inner.replay(event_token, deadline, now_ms)
        }
        fn get(&self, event_token: &str) -> Result<Option<Delivery>, OutboxError> {
            self.inner.get(event_token)
        }
        fn stats(&self) -> Result<Stats, OutboxError> {
            self.inner.stats()
        }
        fn record_call(
            &self,
            event_token: &str,
            robot: &str,
            body: &[u8],
            content_type: Option<&str>,
            received_at_ms: i64,
        ) -> Result<bool, OutboxError> {
            self.inner.record_call(event_token, robot, body, content_type, received_at_ms)
        }
        fn finish_call(&self, event_token: &str) -> Result<(), OutboxError> {
            self.inner.finish_call(event_token)
        }
        fn pending_calls(&self) -> Result<Vec<AcceptedCall>, OutboxError> {
            self.inner.pending_calls()
        }
    }

    /// On a runtime of one thread, the task that opens the gate runs only if the worker waits
    /// for the outbox elsewhere; were it to wait on the runtime's thread, the read would time out.
    #[tokio::test(flavor = "current_thread")]
    async fn the_worker_waits_for_its_outbox_off_the_runtime() {
        let (open, gate) = mpsc::channel();
        let outbox = Arc::new(GatedOutbox { inner: MemoryOutbox::default(), gate: Mutex::new(gate) });
        outbox.enqueue(&NewDelivery::new("m1", "https://a.example.com/rest/", "t1", serde_json::json!({}))).unwrap();
        let worker = OutboxWorker::new(outbox.clone(), Arc::new(|_: &str, _: &str| Err("no portals".to_owned())));
        let opener = tokio::spawn(async move {
            tokio::task::yield_now().await;
            open.send(()).expect("the outbox waits at its gate");
        });
        assert_eq!(worker.deliver_due().await, Ok(1), "the due result is read once the gate opens");
        opener.await.unwrap();
        assert_eq!(outbox.stats().unwrap().retried, 1, "no client: tried again later");
    }

    #[test]
    fn only_a_refusal_dead_letters_at_once() {
        let gone = Error::api("bizproc.event.send", 400, "ERROR_WORKFLOW_NOT_FOUND", "Workflow instance not found");
        assert!(matches!(outcome(Err(gone)), Outcome::Refused(_)));
        let denied = Error::api("bizproc.event.send", 403, "ACCESS_DENIED", "Access denied!");
        assert!(matches!(outcome(Err(denied)), Outcome::Refused(_)));
        for (status, code) in [
            (503, "QUERY_LIMIT_EXCEEDED"),
            (500, "INTERNAL_SERVER_ERROR"),
            (400, "INTERNAL_SERVER_ERROR"),
            (401, "expired_token"),
            (503, "OVERLOAD_LIMIT"),
        ] {
            let error = Error::api("batch", status, code, "");
            assert!(matches!(outcome(Err(error)), Outcome::Failed(_)), "{code} is tried again");
        }
        assert!(matches!(outcome(Ok(Value::Bool(true))), Outcome::Delivered));
        assert!(matches!(outcome(Ok(Value::Bool(false))), Outcome::Failed(_)));
    }

    #[test]
    fn backoff_doubles_within_bounds() {
        let policy = DeliveryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..DeliveryPolicy::default()
        };
        for attempt in 1..30 {
            let nominal =
                Duration::from_millis(100).saturating_mul(1 << (attempt - 1).min(10)).min(Duration::from_secs(1));
            let delay = policy.retry_delay(attempt);
            assert!(delay >= nominal.mul_f64(0.5) && delay <= nominal.mul_f64(1.5), "attempt {attempt}: {delay:?}");
        }
    }
}
