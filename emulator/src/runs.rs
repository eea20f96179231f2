//! Robot runs: the handler request the portal sends, signed event tokens, and what became
//! of each run.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use bizproc::PortalLocale;
use hmac::{Hmac, Mac};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::config::random_hex;
use crate::convert;
use crate::emulator::Emulator;
use crate::limits::unix_now;
use crate::registration::Kind;
use crate::state::{Shared, State};

/// The longest `timeout_duration` the server keeps: five years of 365 days, in seconds.
pub const MAX_TIMEOUT_DURATION: u64 = 157_680_000;

/// The log line `bizproc.event.send` writes when it carries no `LOG_MESSAGE`.
pub const DEFAULT_LOG_MESSAGE: &str = "Response received";

/// How much of the handler's answer a run keeps.
const RESPONSE_LIMIT: usize = 4096;

/// The id of one robot run, counting from 1 across all portals of an emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub u64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The document a workflow runs on: its id and its document type, three parts each, as the
/// handler receives them in `document_id[0..2]` and `document_type[0..2]`.
///
/// ```
/// use bizproc_emulator::Document;
/// let deal = Document::deal(123);
/// assert_eq!(deal.id, ["crm", "CCrmDocumentDeal", "DEAL_123"]);
/// assert_eq!(deal.document_type, ["crm", "CCrmDocumentDeal", "DEAL"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// `[module, entity, id]`, e.g. `["crm", "CCrmDocumentDeal", "DEAL_123"]`.
    pub id: [String; 3],
    /// `[module, entity, type]`, e.g. `["crm", "CCrmDocumentDeal", "DEAL"]`.
    #[serde(rename = "type")]
    pub document_type: [String; 3],
}

impl Document {
    /// Any document.
    ///
    /// ```
    /// let doc = bizproc_emulator::Document::new(["lists", "BizprocDocument", "42"], ["lists", "BizprocDocument", "iblock_164"]);
    /// assert_eq!(doc.id[2], "42");
    /// ```
    #[must_use]
    pub fn new(id: [&str; 3], document_type: [&str; 3]) -> Self {
        Self { id: id.map(str::to_owned), document_type: document_type.map(str::to_owned) }
    }

    /// A CRM deal: `["crm", "CCrmDocumentDeal", "DEAL_<id>"]`.
    #[must_use]
    pub fn deal(id: u64) -> Self {
        Self::new(["crm", "CCrmDocumentDeal", &format!("DEAL_{id}")], ["crm", "CCrmDocumentDeal", "DEAL"])
    }

    /// A CRM lead: `["crm", "CCrmDocumentLead", "LEAD_<id>"]`.
    ///
    /// ```
    /// assert_eq!(bizproc_emulator::Document::lead(456).id[2], "LEAD_456");
    /// ```
    #[must_use]
    pub fn lead(id: u64) -> Self {
        Self::new(["crm", "CCrmDocumentLead", &format!("LEAD_{id}")], ["crm", "CCrmDocumentLead", "LEAD"])
    }
}

/// What the workflow designer sets on a placed robot besides its properties.
///
/// ```
/// use bizproc_emulator::RunOptions;
/// let options = RunOptions::default().timeout_duration(3600).use_subscription(true).run_as(7);
/// assert_eq!(options.timeout_duration, 3600);
/// assert_eq!(options.use_subscription, Some(true));
/// assert_eq!(options.run_as, Some(7));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[must_use]
pub struct RunOptions {
    /// Seconds until the run times out; 0 (the default) means never. Capped at
    /// [`MAX_TIMEOUT_DURATION`].
    pub timeout_duration: u64,
    /// Whether the run waits for `bizproc.event.send`; by default the registration's
    /// `USE_SUBSCRIPTION` decides (only `Y` waits: an empty value does not).
    pub use_subscription: Option<bool>,
    /// The "run as" user; by default the registration's `AUTH_USER_ID`, or the administrator
    /// when that is 0 or missing.
    pub run_as: Option<u32>,
}

impl RunOptions {
    /// Sets the timeout in seconds (0 = none).
    pub fn timeout_duration(mut self, seconds: u64) -> Self {
        self.timeout_duration = seconds;
        self
    }

    /// Overrides `USE_SUBSCRIPTION`.
    pub fn use_subscription(mut self, wait: bool) -> Self {
        self.use_subscription = Some(wait);
        self
    }

    /// Runs as this user: the handler gets that user's tokens and `auth[user_id]`.
    pub fn run_as(mut self, user_id: u32) -> Self {
        self.run_as = Some(user_id);
        self
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Waiting for `bizproc.event.send`.
    Waiting,
    /// Closed by `bizproc.event.send`.
    Completed,
    /// Closed by its timeout; its outputs hold `IsTimeout = 1`.
    TimedOut,
    /// The robot does not wait (`USE_SUBSCRIPTION` not `Y`): closed as soon as it started.
    NotWaiting,
    /// The handler could not be reached or answered with an error status. The queue server
    /// does not retry; a waiting robot still accepts `bizproc.event.send` until its timeout.
    HandlerFailed,
    /// The workflow was ended ([`Emulator::end_workflow`]): `bizproc.event.send` and
    /// `bizproc.activity.log` fail with the workflow engine's error.
    Terminated,
}

/// Why a call about a run was answered `true` and did nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnoreReason {
    /// The run was already closed by an earlier `bizproc.event.send` with other content.
    Completed,
    /// The run was already closed by a `bizproc.event.send` with the same `RETURN_VALUES` and
    /// `LOG_MESSAGE`: a repeated send.
    Duplicate,
    /// The run had timed out.
    TimedOut,
    /// The robot did not wait for an answer.
    NotWaiting,
    /// The token's event id is not the run's current one.
    StaleEvent,
}

/// A `bizproc.event.send` or `bizproc.activity.log` that was answered `true` and ignored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IgnoredCall {
    /// `bizproc.event.send` or `bizproc.activity.log`.
    pub method: String,
    /// Why it was ignored.
    pub reason: IgnoreReason,
    /// The `RETURN_VALUES` it carried, if any.
    pub return_values: Option<Value>,
    /// The `LOG_MESSAGE` it carried, if any.
    pub log_message: Option<Value>,
}

/// A returned value that did not fit its property's type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueMisfit {
    /// The return property's id.
    pub id: String,
    /// For a multiple property, the element that did not fit.
    pub index: Option<usize>,
    /// The value as sent (the whole value of the property).
    pub sent: Value,
    /// What the server stored instead (the whole value of the property).
    pub stored: Value,
    /// What the type expected.
    pub expected: String,
}

/// Everything about one robot run: what was sent to the handler, what the handler answered,
/// and what came back through `bizproc.event.send` and `bizproc.activity.log`, including what
/// the real server would silently drop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    /// The run's id.
    pub id: RunId,
    /// The portal.
    pub member_id: String,
    /// The robot's (or activity's) `CODE`.
    pub code: String,
    /// Robot or activity.
    pub kind: Kind,
    /// `workflow_id`.
    pub workflow_id: String,
    /// The activity's name inside the workflow (the token's second part).
    pub activity_name: String,
    /// `event_token`, as sent to the handler.
    pub event_token: String,
    /// The document the workflow runs on.
    pub document: Document,
    /// The handler URL the request went to.
    pub handler: String,
    /// `properties[...]` as sent: strings, arrays of strings for multiple properties.
    pub properties: Map<String, Value>,
    /// The exact form body sent.
    pub body: String,
    /// `use_subscription`: whether the run waits.
    pub use_subscription: bool,
    /// `timeout_duration` in seconds (0 = none).
    pub timeout_duration: u64,
    /// `auth[user_id]`: the user the run acts as.
    pub user_id: u32,
    /// The handler's HTTP status, once it answered.
    pub handler_status: Option<u16>,
    /// Why the handler could not be reached, if it could not.
    pub handler_error: Option<String>,
    /// The start of the handler's answer (up to 4 KiB).
    pub handler_response: Option<String>,
    /// Where the run stands.
    pub state: RunState,
    /// The outputs as the server stored them, by declared id (`IsTimeout = 1` on timeout).
    pub return_values: Map<String, Value>,
    /// Workflow log lines written by `bizproc.event.send` and `bizproc.activity.log`.
    pub log: Vec<String>,
    /// Calls answered `true` that did nothing.
    pub ignored: Vec<IgnoredCall>,
    /// `RETURN_VALUES` keys that named no return property and were dropped.
    pub dropped_keys: Vec<String>,
    /// Returned values that did not fit their type.
    pub misfits: Vec<ValueMisfit>,
    /// When the run started.
    #[serde(with = "unix_seconds")]
    pub started_at: SystemTime,
    /// When it was closed (completed, timed out, ended), if it was.
    #[serde(with = "unix_seconds_opt")]
    pub closed_at: Option<SystemTime>,
}

/// Why a run could not be started, found or waited for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunError {
    /// No portal has this member id.
    #[error("no portal has member id `{member_id}`")]
    UnknownPortal {
        /// The member id asked for.
        member_id: String,
    },
    /// The portal has no robot or activity with this code (never registered, deleted, or
    /// wiped by an app update).
    #[error("portal `{member_id}` has no robot or activity `{code}`")]
    UnknownRobot {
        /// The portal.
        member_id: String,
        /// The code asked for.
        code: String,
    },
    /// The properties are not a JSON object (or null).
    #[error("the properties must be a JSON object")]
    InvalidProperties,
    /// A property id the robot does not declare.
    #[error("robot `{code}` has no property `{id}`")]
    UnknownProperty {
        /// The robot.
        code: String,
        /// The id given.
        id: String,
    },
    /// A property value that has no form representation.
    #[error("property `{id}` cannot be sent: {reason}")]
    InvalidProperty {
        /// The property.
        id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No run has this id.
    #[error("no run has id {id}")]
    UnknownRun {
        /// The id asked for.
        id: RunId,
    },
    /// The run was still waiting (or its handler had not answered) when the wait ended.
    #[error("run {id} was still waiting")]
    StillWaiting {
        /// The run.
        id: RunId,
    },
}

/// One run and what the emulator needs to keep it going.
#[derive(Debug)]
pub(crate) struct Run {
    pub record: RunRecord,
    /// The current event id; a token with another one is stale.
    pub event_id: String,
    /// `RETURN_PROPERTIES` when the run started (an app update wipes the store).
    pub return_properties: Map<String, Value>,
    pub deadline: Option<Instant>,
    /// Whether the handler request is still under way.
    pub delivering: bool,
    /// The `RETURN_VALUES` and `LOG_MESSAGE` of the send that completed the run.
    pub completed_by: Option<(Option<Value>, Option<Value>)>,
}

impl Run {
    /// Whether `bizproc.event.send` can still close the run.
    pub fn is_open(&self) -> bool {
        self.record.use_subscription && matches!(self.record.state, RunState::Waiting | RunState::HandlerFailed)
    }

    /// Closes the run if it is open and past its deadline.
    pub fn time_out_if_due(&mut self, now: Instant) {
        if self.is_open() && self.deadline.is_some_and(|deadline| now >= deadline) {
            self.record.state = RunState::TimedOut;
            self.record.return_values.insert("IsTimeout".to_owned(), Value::from(1));
            self.record.closed_at = Some(SystemTime::now());
        }
    }

    /// Why a call for this run would be ignored, if it would.
    pub fn ignore_reason(&self, return_values: Option<&Value>, log_message: Option<&Value>) -> Option<IgnoreReason> {
        if self.is_open() {
            return None;
        }
        Some(match self.record.state {
            RunState::Completed => {
                let same = self.completed_by.as_ref().is_some_and(|(values, message)| {
                    values.as_ref() == return_values && message.as_ref() == log_message
                });
                if same { IgnoreReason::Duplicate } else { IgnoreReason::Completed }
            }
            RunState::TimedOut => IgnoreReason::TimedOut,
            _ => IgnoreReason::NotWaiting,
        })
    }
}

/// Every run of every portal.
#[derive(Debug, Default)]
pub(crate) struct Runs {
    list: Vec<Run>,
}

impl Runs {
    fn index(id: RunId) -> Option<usize> {
        usize::try_from(id.0).ok()?.checked_sub(1)
    }

    /// Times out every run past its deadline.
    pub fn expire(&mut self, now: Instant) {
        for run in &mut self.list {
            run.time_out_if_due(now);
        }
    }

    /// The run with this id, timed out first if due.
    pub fn get_mut(&mut self, id: RunId) -> Option<&mut Run> {
        let run = self.list.get_mut(Self::index(id)?)?;
        run.time_out_if_due(Instant::now());
        Some(run)
    }

    /// The run of this workflow, timed out first if due.
    pub fn by_workflow_mut(&mut self, workflow_id: &str) -> Option<&mut Run> {
        let run = self.list.iter_mut().find(|run| run.record.workflow_id == workflow_id)?;
        run.time_out_if_due(Instant::now());
        Some(run)
    }

    /// A copy of every record, oldest first.
    pub fn records(&mut self) -> Vec<RunRecord> {
        self.expire(Instant::now());
        self.list.iter().map(|run| run.record.clone()).collect()
    }

    fn next_id(&self) -> RunId {
        RunId(self.list.len() as u64 + 1)
    }

    fn push(&mut self, run: Run) {
        self.list.push(run);
    }
}

// ---------------------------------------------------------------------------------------------
// Event tokens
// ---------------------------------------------------------------------------------------------

/// The three signed parts of an event token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub workflow_id: String,
    pub activity_name: String,
    pub event_id: String,
}

fn mac(key: &[u8], payload: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(payload.as_bytes());
    mac
}

/// `<workflow_id>|<activity_name>|<event_id>.<hex HMAC-SHA256 of the first three parts>`.
pub(crate) fn sign(key: &[u8], workflow_id: &str, activity_name: &str, event_id: &str) -> String {
    let payload = format!("{workflow_id}|{activity_name}|{event_id}");
    let signature = hex::encode(mac(key, &payload).finalize().into_bytes());
    format!("{payload}.{signature}")
}

/// The token's parts, when its signature is this emulator's.
pub(crate) fn verify(key: &[u8], token: &str) -> Option<Token> {
    let (payload, signature) = token.rsplit_once('.')?;
    let signature = hex::decode(signature).ok()?;
    mac(key, payload).verify_slice(&signature).ok()?;
    let mut parts = payload.split('|');
    let (workflow_id, activity_name, event_id) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || [workflow_id, activity_name, event_id].iter().any(|part| part.is_empty()) {
        return None;
    }
    Some(Token {
        workflow_id: workflow_id.to_owned(),
        activity_name: activity_name.to_owned(),
        event_id: event_id.to_owned(),
    })
}

/// A workflow id shaped like PHP's `uniqid('', true)`: `55c1dc1c3f0d75.78875596`.
fn workflow_id() -> String {
    format!("{}.{:08}", random_hex(7), rand::rng().random_range(0..100_000_000u32))
}

/// An activity name shaped like the designer's: `A51601_82584_96831_81132`.
fn activity_name() -> String {
    let mut rng = rand::rng();
    let mut part = || format!("{:05}", rng.random_range(0..100_000u32));
    format!("A{}_{}_{}_{}", part(), part(), part(), part())
}

/// 32 letters and digits.
fn event_id() -> String {
    rand::rng().sample_iter(rand::distr::Alphanumeric).take(32).map(char::from).collect()
}

// ---------------------------------------------------------------------------------------------
// Starting runs
// ---------------------------------------------------------------------------------------------

/// What `prepare` hands to the request.
struct Prepared {
    id: RunId,
    handler: String,
    body: String,
}

fn user_id_of(value: Option<&Value>) -> u32 {
    match value {
        Some(Value::Number(number)) => number.as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
        Some(Value::String(text)) => text.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

fn text<T: ToString + ?Sized>(value: &T) -> Value {
    Value::String(value.to_string())
}

/// Records the run and builds its handler request, under the lock.
#[allow(clippy::too_many_lines)] // one request, field by field in the server's order
fn prepare(
    state: &mut State,
    member_id: &str,
    code: &str,
    document: Document,
    properties: &Value,
    options: &RunOptions,
) -> Result<Prepared, RunError> {
    let lifetime = state.settings.token_lifetime;
    let client_endpoint = state.client_endpoint();
    let server_endpoint = state.server_endpoint();
    let id = state.runs.next_id();
    let portal =
        state.portals.get_mut(member_id).ok_or_else(|| RunError::UnknownPortal { member_id: member_id.to_owned() })?;
    let record = portal
        .store
        .get(code)
        .cloned()
        .ok_or_else(|| RunError::UnknownRobot { member_id: member_id.to_owned(), code: code.to_owned() })?;
    let fields = &record.fields;
    let locale: PortalLocale = portal.config.locale;

    let given = match properties {
        Value::Null => Map::new(),
        Value::Object(map) => map.clone(),
        _ => return Err(RunError::InvalidProperties),
    };
    let declared = fields.get("PROPERTIES").and_then(Value::as_object).cloned().unwrap_or_default();
    if let Some(unknown) = given.keys().find(|id| !declared.contains_key(*id)) {
        return Err(RunError::UnknownProperty { code: code.to_owned(), id: unknown.clone() });
    }
    let mut sent = Map::new();
    for (property, descriptor) in &declared {
        let value = convert::input_form_value(given.get(property), descriptor, &locale)
            .map_err(|reason| RunError::InvalidProperty { id: property.clone(), reason })?;
        if let Some(value) = value {
            sent.insert(property.clone(), value);
        }
    }

    let use_subscription =
        options.use_subscription.unwrap_or_else(|| fields.get("USE_SUBSCRIPTION").and_then(Value::as_str) == Some("Y"));
    let timeout_duration = options.timeout_duration.min(MAX_TIMEOUT_DURATION);
    let auth_user = user_id_of(fields.get("AUTH_USER_ID"));
    let user_id = options.run_as.unwrap_or(if auth_user > 0 { auth_user } else { portal.config.admin_user_id });
    let (access_token, refresh_token) = portal.issue_tokens(user_id, lifetime);
    let handler = fields.get("HANDLER").and_then(Value::as_str).unwrap_or_default().to_owned();

    let (workflow_id, activity_name, event_id) = (workflow_id(), activity_name(), event_id());
    let event_token = sign(&state.signing_key, &workflow_id, &activity_name, &event_id);
    let portal = &state.portals[member_id];
    let now = unix_now();

    let mut body = Map::new();
    body.insert("workflow_id".into(), text(&workflow_id));
    body.insert("code".into(), text(&code));
    body.insert("document_id".into(), document.id.iter().map(text::<String>).collect());
    body.insert("document_type".into(), document.document_type.iter().map(text::<String>).collect());
    body.insert("event_token".into(), text(&event_token));
    if !sent.is_empty() {
        body.insert("properties".into(), Value::Object(sent.clone()));
    }
    body.insert("use_subscription".into(), text(&if use_subscription { "Y" } else { "N" }));
    body.insert("timeout_duration".into(), text(&timeout_duration));
    body.insert("ts".into(), text(&now));
    let mut auth = Map::new();
    auth.insert("access_token".into(), text(&access_token));
    auth.insert("expires".into(), text(&(now + lifetime.as_secs())));
    auth.insert("expires_in".into(), text(&lifetime.as_secs()));
    auth.insert("scope".into(), text("bizproc,crm"));
    auth.insert("domain".into(), text(&portal.config.domain));
    auth.insert("server_endpoint".into(), text(&server_endpoint));
    auth.insert("status".into(), text(&portal.config.app_status));
    auth.insert("client_endpoint".into(), text(&client_endpoint));
    auth.insert("member_id".into(), text(&member_id));
    auth.insert("user_id".into(), text(&user_id));
    auth.insert("refresh_token".into(), text(&refresh_token));
    auth.insert("application_token".into(), text(&portal.application_token));
    body.insert("auth".into(), Value::Object(auth));
    let body = bizproc::form::encode(&Value::Object(body));

    let deadline = (use_subscription && timeout_duration > 0)
        .then(|| Instant::now().checked_add(Duration::from_secs(timeout_duration)))
        .flatten();
    state.runs.push(Run {
        record: RunRecord {
            id,
            member_id: member_id.to_owned(),
            code: code.to_owned(),
            kind: record.kind,
            workflow_id,
            activity_name,
            event_token,
            document,
            handler: handler.clone(),
            properties: sent,
            body: body.clone(),
            use_subscription,
            timeout_duration,
            user_id,
            handler_status: None,
            handler_error: None,
            handler_response: None,
            state: if use_subscription { RunState::Waiting } else { RunState::NotWaiting },
            return_values: Map::new(),
            log: Vec::new(),
            ignored: Vec::new(),
            dropped_keys: Vec::new(),
            misfits: Vec::new(),
            started_at: SystemTime::now(),
            closed_at: (!use_subscription).then(SystemTime::now),
        },
        event_id,
        return_properties: fields.get("RETURN_PROPERTIES").and_then(Value::as_object).cloned().unwrap_or_default(),
        deadline,
        delivering: true,
        completed_by: None,
    });
    Ok(Prepared { id, handler, body })
}

/// Cuts `text` to at most `limit` bytes on a character boundary.
fn truncate(mut text: String, limit: usize) -> String {
    if text.len() > limit {
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Starts a run of robot (or activity) `code` on portal `member_id`: records it, POSTs the
/// handler request (spec §6) and records the handler's answer. A handler that cannot be reached
/// or answers with an error status makes the run [`RunState::HandlerFailed`], not an error.
///
/// The lock is never held across the request, so the handler may call back at once.
pub(crate) async fn start_run(
    shared: &Shared,
    member_id: &str,
    code: &str,
    document: Document,
    properties: Value,
    options: RunOptions,
) -> Result<RunId, RunError> {
    let Prepared { id, handler, body } = prepare(&mut shared.lock(), member_id, code, document, &properties, &options)?;
    let answer = shared
        .http
        .post(&handler)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    let (status, error, response) = match answer {
        Ok(response) => {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (Some(status), None, Some(truncate(text, RESPONSE_LIMIT)))
        }
        Err(error) => (None, Some(error.to_string()), None),
    };
    let mut state = shared.lock();
    if let Some(run) = state.runs.get_mut(id) {
        run.delivering = false;
        run.record.handler_status = status;
        run.record.handler_error = error;
        run.record.handler_response = response;
        let failed = !status.is_some_and(|status| (200..300).contains(&status));
        if failed && matches!(run.record.state, RunState::Waiting | RunState::NotWaiting) {
            run.record.state = RunState::HandlerFailed;
        }
    }
    Ok(id)
}

/// The run with this id, timed out first if due.
pub(crate) fn run_record(shared: &Shared, id: RunId) -> Option<RunRecord> {
    shared.lock().runs.get_mut(id).map(|run| run.record.clone())
}

/// Every run, oldest first.
pub(crate) fn run_records(shared: &Shared) -> Vec<RunRecord> {
    shared.lock().runs.records()
}

/// Polls until the run is no longer [`RunState::Waiting`] and its handler request is over.
pub(crate) async fn wait_for_run(shared: &Shared, id: RunId, timeout: Duration) -> Result<RunRecord, RunError> {
    let deadline = Instant::now() + timeout;
    loop {
        {
            let mut state = shared.lock();
            let run = state.runs.get_mut(id).ok_or(RunError::UnknownRun { id })?;
            if run.record.state != RunState::Waiting && !run.delivering {
                return Ok(run.record.clone());
            }
        }
        if Instant::now() >= deadline {
            return Err(RunError::StillWaiting { id });
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Ends the run's workflow, as deleting or terminating it in the portal would.
pub(crate) fn end_workflow(shared: &Shared, id: RunId) -> Result<RunRecord, RunError> {
    let mut state = shared.lock();
    let run = state.runs.get_mut(id).ok_or(RunError::UnknownRun { id })?;
    if run.record.state != RunState::Terminated {
        run.record.state = RunState::Terminated;
        run.record.closed_at = Some(SystemTime::now());
    }
    Ok(run.record.clone())
}

impl Emulator {
    /// Runs robot (or activity) `code` of portal `member_id` on `document`, as a workflow
    /// reaching it would: POSTs the form-encoded handler request (spec §6) to its `HANDLER` and
    /// returns once the handler has answered.
    ///
    /// `properties` is a JSON object by property id. Values are sent as the portal sends them:
    /// dates and date-times given as ISO-8601 (or Unix timestamps) in the portal's format and
    /// time, user ids as `user_<n>`, booleans as `Y`/`N`, multiple values as lists. Declared
    /// properties left out arrive as empty strings (multiple ones not at all).
    ///
    /// # Errors
    /// When the portal, the robot or a property is unknown, or a value cannot be sent. A
    /// failing handler is not an error: the run records it.
    pub async fn run_robot(
        &self,
        member_id: &str,
        code: &str,
        document: Document,
        properties: Value,
    ) -> Result<RunId, RunError> {
        start_run(&self.shared, member_id, code, document, properties, RunOptions::default()).await
    }

    /// [`run_robot`](Self::run_robot) with a timeout, a `USE_SUBSCRIPTION` override or a
    /// "run as" user.
    ///
    /// # Errors
    /// As [`run_robot`](Self::run_robot).
    pub async fn run_robot_with(
        &self,
        member_id: &str,
        code: &str,
        document: Document,
        properties: Value,
        options: RunOptions,
    ) -> Result<RunId, RunError> {
        start_run(&self.shared, member_id, code, document, properties, options).await
    }

    /// Waits until the run is no longer [`RunState::Waiting`] and its handler has answered.
    ///
    /// # Errors
    /// [`RunError::UnknownRun`], or [`RunError::StillWaiting`] after `timeout`.
    pub async fn wait_for_run(&self, id: RunId, timeout: Duration) -> Result<RunRecord, RunError> {
        wait_for_run(&self.shared, id, timeout).await
    }

    /// The run with this id; a run past its timeout is timed out first.
    #[must_use]
    pub fn run(&self, id: RunId) -> Option<RunRecord> {
        run_record(&self.shared, id)
    }

    /// Every run of every portal, oldest first.
    #[must_use]
    pub fn runs(&self) -> Vec<RunRecord> {
        run_records(&self.shared)
    }

    /// Ends the run's workflow, as deleting it in the portal would: later `bizproc.event.send`
    /// and `bizproc.activity.log` calls for it fail with the workflow engine's error (400).
    ///
    /// # Errors
    /// [`RunError::UnknownRun`].
    pub fn end_workflow(&self, id: RunId) -> Result<RunRecord, RunError> {
        end_workflow(&self.shared, id)
    }
}

mod unix_seconds {
    use std::time::{SystemTime, UNIX_EPOCH};

    use serde::Serializer;

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` hands fields by reference
    pub(crate) fn serialize<S: Serializer>(at: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(at.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64()))
    }
}

mod unix_seconds_opt {
    use std::time::SystemTime;

    use serde::Serializer;

    #[allow(clippy::ref_option)] // serde's `with` hands fields by reference
    pub(crate) fn serialize<S: Serializer>(at: &Option<SystemTime>, serializer: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => super::unix_seconds::serialize(at, serializer),
            None => serializer.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_with_their_key_and_content() {
        let key = b"secret";
        let token =
            sign(key, "55c1dc1c3f0d75.78875596", "A51601_82584_96831_81132", "hsyUws1j4XiwqPqN45eH66CcQtEvpUIP");
        let parts = verify(key, &token).expect("own token");
        assert_eq!(parts.workflow_id, "55c1dc1c3f0d75.78875596");
        assert_eq!(parts.activity_name, "A51601_82584_96831_81132");
        assert_eq!(parts.event_id, "hsyUws1j4XiwqPqN45eH66CcQtEvpUIP");
        assert!(verify(b"other", &token).is_none());
        assert!(verify(key, &token.replace("A51601", "A51602")).is_none());
        assert!(verify(key, "").is_none());
        assert!(verify(key, "a|b|c").is_none());
        let (payload, _) = token.rsplit_once('.').unwrap();
        assert!(verify(key, &format!("{payload}.zz")).is_none());
        assert!(verify(key, &sign(key, "w", "a", "")).is_none());
    }

    #[test]
    fn generated_ids_have_the_server_shapes() {
        let workflow = workflow_id();
        let (head, tail) = workflow.split_once('.').unwrap();
        assert_eq!((head.len(), tail.len()), (14, 8));
        let activity = activity_name();
        assert_eq!(activity.len(), 24);
        assert!(activity.starts_with('A'));
        assert_eq!(event_id().len(), 32);
    }

    #[test]
    fn documents() {
        let deal = Document::deal(123);
        assert_eq!(deal.id, ["crm", "CCrmDocumentDeal", "DEAL_123"].map(str::to_owned));
        assert_eq!(
            serde_json::to_value(&deal).unwrap(),
            serde_json::json!({"id": ["crm", "CCrmDocumentDeal", "DEAL_123"], "type": ["crm", "CCrmDocumentDeal", "DEAL"]})
        );
        assert_eq!(Document::lead(4).document_type[2], "LEAD");
    }
}
