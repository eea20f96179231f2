//! An axum app for robots: the lifecycle endpoint, one route per robot, and completion of
//! every run off the request.
//!
//! ```no_run
//! use std::sync::Arc;
//! use bizproc::app::RobotApp;
//! use bizproc::client::AppCredentials;
//! use bizproc::handler::SqlitePortalStore;
//! use bizproc::{BizprocProperties, BizprocReturn};
//!
//! #[derive(BizprocProperties)]
//! struct Input { text: String }
//!
//! #[derive(BizprocReturn)]
//! #[bizproc(code = "shout", name = "Shout", input = Input)]
//! struct Shouted { shouted: String }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let store = Arc::new(SqlitePortalStore::open("portals.db")?);
//! let app = RobotApp::new("https://app.example.com", AppCredentials::new("local.app.1", "secret"), store)
//!     .robot(|input: Input, _run| async move { Ok::<_, std::convert::Infallible>(Shouted { shouted: input.text.to_uppercase() }) });
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app.router()).await?;
//! # Ok(())
//! # }
//! ```

mod extract;

use std::collections::HashMap;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::Poll;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tracing::Instrument;

pub use extract::{HandlerConfig, Rejection, Verified};

use crate::client::{AppCredentials, Client, PortalTokens};
use crate::handler::{
    AppEvent, Lifecycle, LifecycleOutcome, PortalRecord, PortalStore, PortalTokenStore, RequestLimits, Run,
};
use crate::outbox::{
    AcceptedCall, DeliveryPolicy, NewDelivery, Outbox, OutboxError, OutboxHandle, OutboxWorker, PendingWrite, now_ms,
};
use crate::{BizprocReturn, PortalLocale, Registration, ReturnValues};

/// A call's work: runs the robot and, with an outbox, answers the result to record (without
/// one, it sends the result itself).
type BoxFuture = Pin<Box<dyn Future<Output = Option<Completion>> + Send>>;

/// A run's result, ready to be recorded in the outbox.
struct Completion {
    delivery: NewDelivery,
    /// Sends the result directly should the outbox not take it.
    client: Client,
    robot: &'static str,
}
/// Verifies a robot call (`replay`: one recorded before a restart, so not held to the
/// freshness window) and answers its event token and the work that completes it.
type Dispatch =
    Arc<dyn Fn(Arc<Shared>, Bytes, Option<String>, bool) -> Result<(String, BoxFuture), Rejection> + Send + Sync>;

struct RobotRoute {
    code: &'static str,
    registration: fn(String) -> Registration,
    dispatch: Dispatch,
}

/// An app serving robots: build it with [`robot`](Self::robot) for each robot type, then
/// mount [`router`](Self::router).
///
/// - `POST /bitrix/events` takes `ONAPPINSTALL` (records the portal, then registers every
///   robot), `ONAPPUPDATE` (records the new tokens, then registers every robot again, since
///   Bitrix24 deleted them) and `ONAPPUNINSTALL` (verified, then the portal is forgotten).
/// - `POST /robots/<code>` takes robot calls: read, verified against the portal's
///   application token, answered `200` at once; the robot's function then runs off the
///   request, and its result completes the run (`bizproc.event.send`). An `Err` is written to
///   the workflow log and still completes the run with empty values, so a run never waits
///   for its timeout.
///
/// With an [`outbox`](Self::outbox), a result is not sent from the robot's task: it is
/// written to the outbox first, and an [`OutboxWorker`] that [`router`](Self::router) starts
/// delivers it (in batches, retried with backoff, dead-lettered once the run's deadline has
/// passed). Without one, the result is sent directly, with the client's own retries only.
///
/// With an outbox, nothing is answered `200` before it is durable there: a robot whose result
/// is ready at once has that result recorded before the answer (one write per call); a robot
/// still running has its call recorded ([`Outbox::accept`]), then its result and the end of
/// the call written together ([`Outbox::complete`]). What cannot be recorded is answered
/// `503`. [`router`](Self::router) runs again every call still recorded, verified again
/// against the portal store but not the freshness window: work accepted before a crash is
/// done after the restart, and a call run twice leaves one result.
#[must_use]
pub struct RobotApp {
    base_url: String,
    credentials: AppCredentials,
    store: Arc<dyn PortalStore>,
    locale: PortalLocale,
    limits: RequestLimits,
    freshness: Option<Duration>,
    robots: Vec<RobotRoute>,
    configure_client: fn(crate::client::ClientBuilder) -> crate::client::ClientBuilder,
    outbox: Option<AppOutbox>,
}

/// The outbox of an app: its worker, not started until the router is built, and the
/// app's state the worker finds clients in, set then.
struct AppOutbox {
    worker: OutboxWorker,
    handle: OutboxHandle,
    shared: Arc<OnceLock<Arc<Shared>>>,
}

struct Shared {
    config: HandlerConfig,
    lifecycle: Lifecycle,
    credentials: AppCredentials,
    registrations: Vec<Registration>,
    clients: Mutex<HashMap<String, Client>>,
    configure_client: fn(crate::client::ClientBuilder) -> crate::client::ClientBuilder,
    outbox: Option<OutboxHandle>,
}

/// How long a result waits to learn the portal's UTC offset before it is written to the
/// outbox at the app's [`locale`](RobotApp::locale) instead.
const OFFSET_WAIT: Duration = Duration::from_secs(2);

impl RobotApp {
    /// An app reachable at `base_url` (robot handlers are `<base_url>/robots/<code>`), with the
    /// app's OAuth credentials and a portal store.
    pub fn new(base_url: impl Into<String>, credentials: AppCredentials, store: Arc<dyn PortalStore>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            credentials,
            store,
            locale: PortalLocale::default(),
            limits: RequestLimits::default(),
            freshness: None,
            robots: Vec::new(),
            configure_client: |builder| builder,
            outbox: None,
        }
    }

    /// Writes every result to `outbox` before any delivery attempt, and delivers it with an
    /// [`OutboxWorker`] that [`router`](Self::router) starts on the current Tokio runtime (it
    /// first resumes whatever the outbox already holds). Read its counters, list and replay
    /// dead letters, or stop it through [`outbox_handle`](Self::outbox_handle).
    ///
    /// Dates in a result are written at the portal's UTC offset as the app's client knows
    /// it, or, when it cannot be learned within two seconds, at the offset of the app's
    /// [`locale`](Self::locale).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use bizproc::app::RobotApp;
    /// use bizproc::client::AppCredentials;
    /// use bizproc::handler::MemoryPortalStore;
    /// use bizproc::outbox::MemoryOutbox;
    ///
    /// let app = RobotApp::new("https://app.example.com", AppCredentials::new("local.app.1", "secret"), Arc::new(MemoryPortalStore::default()))
    ///     .outbox(Arc::new(MemoryOutbox::default()));
    /// assert_eq!(app.outbox_handle().unwrap().stats().unwrap().pending, 0);
    /// ```
    pub fn outbox(self, outbox: Arc<dyn Outbox>) -> Self {
        self.outbox_with_policy(outbox, DeliveryPolicy::default())
    }

    /// [`outbox`](Self::outbox) with the worker's batch size, backoff and polling set.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use bizproc::app::RobotApp;
    /// use bizproc::client::AppCredentials;
    /// use bizproc::handler::MemoryPortalStore;
    /// use bizproc::outbox::{DeliveryPolicy, MemoryOutbox};
    ///
    /// let policy = DeliveryPolicy { base_delay: Duration::from_millis(100), ..DeliveryPolicy::default() };
    /// let app = RobotApp::new("https://app.example.com", AppCredentials::new("local.app.1", "secret"), Arc::new(MemoryPortalStore::default()))
    ///     .outbox_with_policy(Arc::new(MemoryOutbox::default()), policy);
    /// assert!(app.outbox_handle().is_some());
    /// ```
    pub fn outbox_with_policy(mut self, outbox: Arc<dyn Outbox>, policy: DeliveryPolicy) -> Self {
        let shared: Arc<OnceLock<Arc<Shared>>> = Arc::default();
        let found = Arc::clone(&shared);
        let clients = Arc::new(move |member_id: &str, endpoint: &str| {
            let shared = found.get().ok_or("the app is not serving yet")?;
            let portal =
                shared.config.store.get(member_id)?.ok_or_else(|| format!("portal `{member_id}` is not installed"))?;
            Ok(shared.client_for(&portal, endpoint))
        });
        let worker = OutboxWorker::new(outbox, clients).policy(policy);
        let handle = worker.handle();
        self.outbox = Some(AppOutbox { worker, handle, shared });
        self
    }

    /// The outbox's handle (counters, dead letters, replay, stop), when there is an outbox.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use bizproc::app::RobotApp;
    /// use bizproc::client::AppCredentials;
    /// use bizproc::handler::MemoryPortalStore;
    ///
    /// let app = RobotApp::new("https://app.example.com", AppCredentials::new("local.app.1", "secret"), Arc::new(MemoryPortalStore::default()));
    /// assert!(app.outbox_handle().is_none());
    /// ```
    #[must_use]
    pub fn outbox_handle(&self) -> Option<OutboxHandle> {
        self.outbox.as_ref().map(|outbox| outbox.handle.clone())
    }

    /// Serves robot `R` with `handler`, an async function from the typed input and the run
    /// to `Result<R, E>`.
    pub fn robot<R, E, F, Fut>(mut self, handler: F) -> Self
    where
        R: BizprocReturn + Send + Sync + 'static,
        R::Input: Send + 'static,
        E: Display + Send + 'static,
        F: Fn(R::Input, Run<R>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, E>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let dispatch: Dispatch =
            Arc::new(move |shared: Arc<Shared>, body: Bytes, content_type: Option<String>, replay: bool| {
                let accepted = if replay {
                    let config = HandlerConfig { freshness: None, ..shared.config.clone() };
                    extract::accept::<R>(&config, &body, content_type.as_deref())?
                } else {
                    extract::accept::<R>(&shared.config, &body, content_type.as_deref())?
                };
                Ok(match accepted {
                    Ok(verified) => {
                        let token = verified.invocation.run.event_token.as_str().to_owned();
                        let span =
                            invocation_span(R::CODE, &verified.invocation.run.workflow_id, &verified.portal.member_id);
                        let handler = Arc::clone(&handler);
                        let work: BoxFuture = Box::pin(
                            async move { complete(shared, verified, handler.as_ref()).await }.instrument(span),
                        );
                        (token, work)
                    }
                    Err(bad) => {
                        let token = bad.run.event_token.as_str().to_owned();
                        let span = invocation_span(R::CODE, &bad.run.workflow_id, &bad.portal.member_id);
                        let work: BoxFuture =
                            Box::pin(async move { complete_unreadable(shared, bad).await }.instrument(span));
                        (token, work)
                    }
                })
            });
        self.robots.push(RobotRoute { code: R::CODE, registration: |url| R::registration(url), dispatch });
        self
    }

    /// How dates in robot inputs are read (`DD.MM.YYYY` at UTC unless set).
    pub fn locale(mut self, locale: PortalLocale) -> Self {
        self.locale = locale;
        self
    }

    /// Bounds on request bodies (1 MiB unless set).
    pub fn limits(mut self, limits: RequestLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Refuses robot calls whose `ts` is further than `window` from now.
    pub fn freshness(mut self, window: Duration) -> Self {
        self.freshness = Some(window);
        self
    }

    /// Adjusts the clients the app answers portals with (rate limit, retries, certificates).
    pub fn configure_client(
        mut self,
        configure: fn(crate::client::ClientBuilder) -> crate::client::ClientBuilder,
    ) -> Self {
        self.configure_client = configure;
        self
    }

    /// Every robot's registration, with its handler URL.
    #[must_use]
    pub fn registrations(&self) -> Vec<Registration> {
        self.robots.iter().map(|r| (r.registration)(format!("{}/robots/{}", self.base_url, r.code))).collect()
    }

    /// The axum router. With an [`outbox`](Self::outbox), this also starts its worker.
    ///
    /// # Panics
    /// With an outbox, outside a Tokio runtime.
    pub fn router(self) -> Router {
        let registrations = self.registrations();
        let config = HandlerConfig {
            store: Arc::clone(&self.store),
            locale: self.locale,
            limits: self.limits,
            freshness: self.freshness,
        };
        let shared = Arc::new(Shared {
            lifecycle: Lifecycle::new(Arc::clone(&self.store), self.credentials.clone()),
            config,
            credentials: self.credentials,
            registrations,
            clients: Mutex::new(HashMap::new()),
            configure_client: self.configure_client,
            outbox: self.outbox.as_ref().map(|outbox| outbox.handle.clone()),
        });
        let routes: Arc<HashMap<&'static str, Dispatch>> =
            Arc::new(self.robots.into_iter().map(|r| (r.code, r.dispatch)).collect());
        if let Some(outbox) = self.outbox {
            let _ = outbox.shared.set(Arc::clone(&shared));
            outbox.worker.spawn();
            resume_calls(&shared, &outbox.handle, &routes);
        }
        Router::new()
            .route("/bitrix/events", post(app_event))
            .route(
                "/robots/{code}",
                post(move |state: State<Arc<Shared>>, path: Path<String>, headers: HeaderMap, body: Bytes| {
                    let routes = Arc::clone(&routes);
                    async move { robot_call(state, path, &headers, body, &routes).await }
                }),
            )
            .layer(axum::extract::DefaultBodyLimit::max(shared.config.limits.max_body))
            .with_state(shared)
    }
}

/// The span every event of one robot run is recorded under, from the robot's call to its
/// completion.
fn invocation_span(robot: &'static str, workflow: &str, portal: &str) -> tracing::Span {
    tracing::info_span!("robot_run", robot, workflow = %workflow, portal = %portal)
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

async fn robot_call(
    State(shared): State<Arc<Shared>>,
    Path(code): Path<String>,
    headers: &HeaderMap,
    body: Bytes,
    routes: &HashMap<&'static str, Dispatch>,
) -> Response {
    let Some(dispatch) = routes.get(code.as_str()) else {
        return (StatusCode::NOT_FOUND, format!("no robot `{code}` here")).into_response();
    };
    let content_type = content_type(headers);
    match dispatch(Arc::clone(&shared), body.clone(), content_type.clone(), false) {
        Ok((token, mut work)) => {
            if let Some(outbox) = &shared.outbox {
                // Durable before the acknowledgement: the result when the robot has one at
                // once (a single write), else the call, which is run again should the process
                // die before its result is in the outbox.
                if let Poll::Ready(completion) = std::future::poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx))).await {
                    let Some(completion) = completion else {
                        return StatusCode::OK.into_response(); // the run does not wait
                    };
                    // No call was recorded for this run, so there is none to forget.
                    let write = outbox.outbox().record(completion.delivery);
                    return match recorded(outbox, &token, write, completion.robot).await {
                        Ok(()) => StatusCode::OK.into_response(),
                        Err(error) => {
                            tracing::error!(robot = %code, %error, "robot result not recorded; refused");
                            (StatusCode::SERVICE_UNAVAILABLE, "the result could not be recorded").into_response()
                        }
                    };
                }
                let call = AcceptedCall {
                    event_token: token.clone(),
                    robot: code.clone(),
                    body: body.to_vec(),
                    content_type,
                    received_at_ms: now_ms(),
                };
                let recorded = outbox.outbox().accept(call).await;
                if let Err(error) = recorded {
                    tracing::error!(robot = %code, %error, "robot call not recorded; refused");
                    return (StatusCode::SERVICE_UNAVAILABLE, "the call could not be recorded").into_response();
                }
            }
            spawn_work(&shared, token, work);
            StatusCode::OK.into_response()
        }
        Err(rejection) => {
            tracing::warn!(robot = %code, status = rejection.status.as_u16(), reason = %rejection.message, "robot call refused");
            rejection.into_response()
        }
    }
}

/// Runs a call's work, then (with an outbox) records its result and forgets the recorded
/// call, in one write.
fn spawn_work(shared: &Shared, token: String, work: BoxFuture) {
    let outbox = shared.outbox.clone();
    tokio::spawn(async move {
        let completion = work.await;
        let Some(outbox) = outbox else { return };
        match completion {
            Some(Completion { delivery, client, robot }) => {
                let write = outbox.outbox().complete(&token, Some(delivery.clone()));
                if let Err(error) = recorded(&outbox, &token, write, robot).await {
                    tracing::error!(robot, %error, "result not recorded; sending it directly");
                    send_directly(&client, &delivery, robot).await;
                }
            }
            None => {
                if let Err(error) = outbox.outbox().complete(&token, None).await {
                    tracing::warn!(%error, "robot call not marked finished; it runs again after a restart");
                }
            }
        }
    });
}

/// Runs again every call that was acknowledged and not finished before the app stopped,
/// verified again against the portal store (but not against the freshness window). A run
/// whose result was already recorded changes nothing: the outbox keeps one result per token.
fn resume_calls(shared: &Arc<Shared>, outbox: &OutboxHandle, routes: &HashMap<&'static str, Dispatch>) {
    let calls = match outbox.outbox().pending_calls() {
        Ok(calls) => calls,
        Err(error) => {
            tracing::error!(%error, "accepted robot calls could not be read; they are not resumed");
            return;
        }
    };
    for call in calls {
        let Some(dispatch) = routes.get(call.robot.as_str()) else {
            tracing::warn!(robot = %call.robot, "accepted call for a robot no longer served; left pending");
            continue;
        };
        match dispatch(Arc::clone(shared), Bytes::from(call.body), call.content_type, true) {
            Ok((token, work)) => {
                tracing::info!(robot = %call.robot, "accepted robot call resumed");
                spawn_work(shared, token, work);
            }
            Err(rejection) => {
                tracing::warn!(robot = %call.robot, reason = %rejection.message, "accepted robot call no longer valid; dropped");
                if let Err(error) = outbox.outbox().finish_call(&call.event_token) {
                    tracing::warn!(%error, "robot call not marked finished");
                }
            }
        }
    }
}

/// Runs the robot and completes its run, whatever the robot's outcome: with an outbox, by
/// answering the result to record; without, by sending it.
async fn complete<R, E, F, Fut>(shared: Arc<Shared>, verified: Verified<R>, handler: &F) -> Option<Completion>
where
    R: BizprocReturn + Send + Sync,
    E: Display,
    F: Fn(R::Input, Run<R>) -> Fut,
    Fut: Future<Output = Result<R, E>>,
{
    let Verified { invocation, portal } = verified;
    let token = invocation.run.event_token.clone();
    let waits = invocation.run.use_subscription;
    let endpoint = invocation.run.auth.client_endpoint.clone();
    let deadline = invocation.run.deadline();
    let outcome = handler(invocation.input, invocation.run).await;
    if !waits {
        return None; // nothing to complete: the workflow did not wait
    }
    let client = shared.client_for(&portal, &endpoint);
    if shared.outbox.is_some() {
        let (values, message) = match outcome {
            Ok(result) => (result.return_values_in(&shared.result_locale(&client).await), None),
            Err(error) => (ReturnValues::default(), Some(format!("robot {} failed: {error}", R::CODE))),
        };
        let deadline = deadline.map(|at| at.timestamp());
        let delivery = delivery(&portal, &endpoint, token.as_str(), values, message, deadline);
        return Some(Completion { delivery, client, robot: R::CODE });
    }
    let ok = outcome.is_ok();
    let sent = match outcome.map_err(|error| format!("robot {} failed: {error}", R::CODE)) {
        Ok(result) => result.send_result(&client, &token).await,
        Err(message) => client.event_send(token.as_str(), &ReturnValues::default(), Some(&message)).await,
    };
    match sent {
        Ok(()) => tracing::info!(robot = R::CODE, workflow = token.workflow_id(), ok, "run completed"),
        Err(error) => tracing::error!(robot = R::CODE, workflow = token.workflow_id(), %error, "run not completed"),
    }
    None
}

/// A verified run whose input does not fit the robot: complete it with empty values and the
/// reason in the workflow log, rather than leave it waiting for its timeout. Answers as
/// [`complete`] does.
async fn complete_unreadable<R: BizprocReturn>(shared: Arc<Shared>, bad: extract::BadInput<R>) -> Option<Completion> {
    tracing::warn!(robot = R::CODE, workflow = bad.run.workflow_id, error = %bad.error, "robot input refused");
    if !bad.run.use_subscription {
        return None;
    }
    let client = shared.client_for(&bad.portal, &bad.run.auth.client_endpoint);
    let message = format!("robot {} could not read its input: {}", R::CODE, bad.error);
    if shared.outbox.is_some() {
        let deadline = bad.run.deadline().map(|at| at.timestamp());
        let token = bad.run.event_token.as_str();
        let endpoint = &bad.run.auth.client_endpoint;
        let delivery = delivery(&bad.portal, endpoint, token, ReturnValues::default(), Some(message), deadline);
        return Some(Completion { delivery, client, robot: R::CODE });
    }
    if let Err(error) = client.event_send(bad.run.event_token.as_str(), &ReturnValues::default(), Some(&message)).await
    {
        tracing::error!(robot = R::CODE, workflow = bad.run.workflow_id, %error, "run not completed");
    }
    None
}

/// A result as the outbox keeps it.
fn delivery(
    portal: &PortalRecord,
    endpoint: &str,
    token: &str,
    values: ReturnValues,
    message: Option<String>,
    deadline: Option<i64>,
) -> NewDelivery {
    let endpoint = if endpoint.is_empty() { portal.client_endpoint.as_str() } else { endpoint };
    let mut delivery = NewDelivery::new(&portal.member_id, endpoint, token, values.into_json()).deadline(deadline);
    delivery.log_message = message;
    delivery
}

/// Waits for a result's write to the outbox, then wakes the worker.
async fn recorded(
    outbox: &OutboxHandle,
    token: &str,
    write: PendingWrite<bool>,
    robot: &str,
) -> Result<(), OutboxError> {
    let new = write.await?;
    tracing::info!(robot, workflow = token.split('|').next().unwrap_or_default(), new, "result recorded for delivery");
    outbox.wake();
    Ok(())
}

/// Sends a result the outbox did not take, rather than lose it.
async fn send_directly(client: &Client, delivery: &NewDelivery, robot: &str) {
    let values: ReturnValues = match &delivery.return_values {
        serde_json::Value::Object(map) => map.clone().into_iter().collect(),
        _ => ReturnValues::default(),
    };
    if let Err(error) = client.event_send(&delivery.event_token, &values, delivery.log_message.as_deref()).await {
        let workflow = delivery.event_token.split('|').next().unwrap_or_default();
        tracing::error!(robot, workflow, %error, "run not completed");
    }
}

impl Shared {
    /// The locale a result's dates are written in: the portal's offset when the client knows
    /// it or learns it in time, else the app's.
    async fn result_locale(&self, client: &Client) -> PortalLocale {
        match tokio::time::timeout(OFFSET_WAIT, client.portal_locale()).await {
            Ok(Ok(locale)) => locale,
            _ => self.config.locale,
        }
    }

    /// One client per portal, so that its calls share one rate-limit bucket.
    fn client_for(&self, portal: &PortalRecord, endpoint: &str) -> Client {
        let mut clients = self.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(client) = clients.get(&portal.member_id) {
            return client.clone();
        }
        // Answers go to the endpoint the request names, as the docs advise.
        let endpoint = if endpoint.is_empty() { portal.client_endpoint.as_str() } else { endpoint };
        let tokens =
            PortalTokens::new(&portal.member_id, endpoint, portal.access_token.clone(), portal.refresh_token.clone());
        let builder = Client::builder()
            .oauth(self.credentials.clone(), tokens)
            .token_store(Arc::new(PortalTokenStore::new(Arc::clone(&self.config.store))));
        let client = (self.configure_client)(builder).build().expect("the HTTP client builds");
        clients.insert(portal.member_id.clone(), client.clone());
        client
    }
}

async fn app_event(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let event = match AppEvent::parse(&body, content_type(&headers).as_deref(), &shared.config.limits) {
        Ok(event) => event,
        Err(error) => return (StatusCode::BAD_REQUEST, error.to_string()).into_response(),
    };
    let outcome = match shared.lifecycle.handle(&event).await {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::warn!(%error, "app event refused");
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::FORBIDDEN);
            return (status, error.to_string()).into_response();
        }
    };
    match outcome {
        LifecycleOutcome::Installed(portal) | LifecycleOutcome::Updated(portal) => {
            shared.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&portal.member_id);
            let client = shared.client_for(&portal, "");
            match client.sync_robots(&shared.registrations).await {
                Ok(report) => {
                    tracing::info!(portal = %portal.domain, added = ?report.added, updated = ?report.updated, "robots registered");
                    StatusCode::OK.into_response()
                }
                Err(error) => {
                    tracing::error!(portal = %portal.domain, %error, "robots not registered");
                    (StatusCode::BAD_GATEWAY, error.to_string()).into_response()
                }
            }
        }
        LifecycleOutcome::Uninstalled { member_id, .. } => {
            shared.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&member_id);
            StatusCode::OK.into_response()
        }
    }
}

impl std::fmt::Debug for RobotApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RobotApp")
            .field("base_url", &self.base_url)
            .field("robots", &self.robots.iter().map(|r| r.code).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}
