//! The handler side end to end, over real HTTP on 127.0.0.1: each test starts its own emulated
//! portal and its own `RobotApp`, installs the app (the app registers its robot), runs the
//! robot and checks what the portal recorded; refused requests must reach neither the robot
//! nor the portal; the app keeps its portals across a restart; update and uninstall events
//! replace and forget the application token.

use bizproc_suite::TempDir;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bizproc::app::RobotApp;
use bizproc::client::AppCredentials;
use bizproc::handler::{MemoryPortalStore, PortalStore, Run, SqlitePortalStore};
use bizproc::{BizprocProperties, BizprocReturn, BizprocSelect, DateFormat, PortalLocale, UserId};
use bizproc_emulator::{Credentials, DEFAULT_LOG_MESSAGE, Document, Emulator, Kind, RunOptions, RunRecord, RunState};
use chrono::{FixedOffset, NaiveDate};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

// ---------------------------------------------------------------------------------------------
// The robot
// ---------------------------------------------------------------------------------------------

/// How urgent a review is.
#[derive(BizprocSelect, Debug, Clone, Copy, PartialEq, Eq)]
enum Priority {
    #[bizproc(rename = "low", label = "Low")]
    Low,
    #[bizproc(rename = "high", label = "High")]
    High,
}

#[derive(BizprocProperties, Debug, Clone, PartialEq)]
struct ReviewInput {
    /// What to review.
    subject: String,
    priority: Priority,
    reviewer: UserId,
    due: NaiveDate,
    tags: Vec<String>,
    budget: f64,
    /// When set, the robot fails with this text.
    fail_with: Option<String>,
}

/// Reviews a deal.
#[derive(BizprocReturn, Debug)]
#[bizproc(code = "review", name = "Review", input = ReviewInput)]
struct Review {
    verdict: Priority,
    assignee: UserId,
    due_next: NaiveDate,
    labels: Vec<String>,
    total: f64,
    count: i64,
    summary: String,
}

/// What the robot function was handed.
#[derive(Debug, Clone, PartialEq)]
struct Observed {
    input: ReviewInput,
    workflow_id: String,
    event_token: String,
    document_id: [String; 3],
    member_id: String,
    user_id: Option<i64>,
    timeout: Option<Duration>,
}

fn review(input: ReviewInput, run: &Run<Review>, calls: &mpsc::UnboundedSender<Observed>) -> Result<Review, String> {
    let _ = calls.send(Observed {
        input: input.clone(),
        workflow_id: run.workflow_id.clone(),
        event_token: run.event_token.as_str().to_owned(),
        document_id: run.document_id.clone(),
        member_id: run.auth.member_id.clone(),
        user_id: run.auth.user_id,
        timeout: run.timeout,
    });
    if let Some(reason) = input.fail_with {
        return Err(reason);
    }
    Ok(Review {
        verdict: input.priority,
        assignee: input.reviewer,
        due_next: input.due + chrono::Days::new(7),
        labels: input.tags.iter().map(|tag| tag.to_uppercase()).collect(),
        total: input.budget * 2.0,
        count: i64::try_from(input.tags.len()).expect("a few tags"),
        summary: format!("{} for {}", input.subject, run.document_id[2]),
    })
}

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// The emulated portal's locale: `DD.MM.YYYY` at +03:00.
fn portal_locale() -> PortalLocale {
    PortalLocale::new(DateFormat::DAY_MONTH_YEAR, FixedOffset::east_opt(3 * 3600).expect("+03:00"))
}

fn review_app(
    base_url: &str,
    portal: &Credentials,
    store: Arc<dyn PortalStore>,
    calls: mpsc::UnboundedSender<Observed>,
) -> RobotApp {
    let credentials =
        AppCredentials::new(&portal.client_id, portal.client_secret.as_str()).token_url(&portal.oauth_token_url);
    RobotApp::new(base_url, credentials, store)
        .locale(portal_locale())
        .robot(move |input: ReviewInput, run: Run<Review>| std::future::ready(review(input, &run, &calls)))
}

/// An app served on a listener until stopped.
struct Served {
    url: String,
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

fn serve(listener: TcpListener, app: RobotApp) -> Served {
    serve_router(listener, app.router())
}

/// Serves `app` answering every request with `Connection: close`, so that no client keeps a
/// connection to it: once it stops, a new app on the same port gets every later request,
/// rather than a client's pooled connection to the old one failing under it.
fn serve_without_keep_alive(listener: TcpListener, app: RobotApp) -> Served {
    let close = |mut response: axum::response::Response| async move {
        response.headers_mut().insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
        response
    };
    serve_router(listener, app.router().layer(axum::middleware::map_response(close)))
}

fn serve_router(listener: TcpListener, router: axum::Router) -> Served {
    let addr = listener.local_addr().expect("a bound listener has an address");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Served { url: format!("http://{addr}"), addr, stop, task }
}

impl Served {
    /// Stops accepting, closes every connection (idle keep-alive ones too) and frees the port.
    async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the app stops within 10 s")
            .expect("the server task joins")
            .expect("the server ran without an I/O error");
    }

    fn robot_url(&self) -> String {
        format!("{}/robots/{}", self.url, Review::CODE)
    }
}

/// An emulated portal with the review app installed on it.
struct Setup {
    emulator: Emulator,
    portal: Credentials,
    app: Served,
    store: Arc<MemoryPortalStore>,
    calls: mpsc::UnboundedReceiver<Observed>,
}

async fn start(configure: impl FnOnce(RobotApp) -> RobotApp) -> Setup {
    let emulator = Emulator::builder().start().await.expect("the emulator starts");
    let portal = emulator.credentials();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let store = Arc::new(MemoryPortalStore::default());
    let (sender, calls) = mpsc::unbounded_channel();
    let app = serve(listener, configure(review_app(&url, &portal, store.clone(), sender)));
    let installed = emulator.install_app(&portal.member_id, &format!("{url}/bitrix/events")).await.expect("installs");
    assert_eq!(installed.status, 200, "ONAPPINSTALL answered: {}", installed.response);
    Setup { emulator, portal, app, store, calls }
}

/// The inputs every test runs the robot with.
fn review_properties() -> Value {
    json!({
        "subject": "Check",
        "priority": "high",
        "reviewer": 7,
        "due": "2026-11-02",
        "tags": ["vip", "repeat"],
        "budget": "250000.50",
    })
}

fn expected_input() -> ReviewInput {
    ReviewInput {
        subject: "Check".to_owned(),
        priority: Priority::High,
        reviewer: UserId(7),
        due: NaiveDate::from_ymd_opt(2026, 11, 2).expect("a date"),
        tags: vec!["vip".to_owned(), "repeat".to_owned()],
        budget: 250_000.5,
        fail_with: None,
    }
}

/// Runs the robot on deal 42 and waits until the run is closed.
async fn run_review(emulator: &Emulator, member_id: &str, properties: Value) -> RunRecord {
    let options = RunOptions::default().timeout_duration(3600);
    let run = emulator
        .run_robot_with(member_id, Review::CODE, Document::deal(42), properties, options)
        .await
        .expect("the run starts");
    emulator.wait_for_run(run, Duration::from_secs(10)).await.expect("the run closes within 10 s")
}

/// The values a completed review run must hold, as the portal stores them.
fn expected_return_values() -> Value {
    json!({
        "verdict": "high",
        "assignee": "user_7",
        "due_next": "09.11.2026",
        "labels": ["VIP", "REPEAT"],
        "total": 500_001.0,
        "count": 2,
        "summary": "Check for DEAL_42",
    })
}

fn assert_completed(record: &RunRecord) {
    assert_eq!(
        record.handler_status,
        Some(200),
        "the handler answered {:?}, failed with {:?}",
        record.handler_response,
        record.handler_error
    );
    assert_eq!(record.state, RunState::Completed, "{record:#?}");
    assert_eq!(Value::Object(record.return_values.clone()), expected_return_values());
    assert!(record.misfits.is_empty() && record.dropped_keys.is_empty(), "values were lost: {record:#?}");
    assert!(record.ignored.is_empty(), "calls were ignored: {:?}", record.ignored);
}

/// A handler body taken from a real run, with `edit` applied.
fn edited_body(record: &RunRecord, edit: impl FnOnce(&mut Value)) -> String {
    let mut request = bizproc::form::decode(record.body.as_bytes()).expect("the portal's body decodes");
    edit(&mut request);
    bizproc::form::encode(&request)
}

fn now() -> i64 {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs();
    i64::try_from(seconds).expect("in range")
}

/// POSTs a handler body as the portal would; the status and the answer's text.
async fn post(url: &str, body: String) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("the app answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a text answer"))
}

/// Asserts that a request was refused with `status` and a message saying `message`, and that
/// neither the robot function nor the portal heard of it.
async fn assert_refused(setup: &mut Setup, body: String, status: u16, message: &str) {
    let before = setup.emulator.requests().len();
    let (answered, text) = post(&setup.app.robot_url(), body).await;
    assert_eq!(answered, status, "answered {answered}: {text}");
    assert!(text.contains(message), "the answer {text:?} does not say {message:?}");
    // Anything the app would do would be spawned after the answer: give it the time.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = setup.emulator.requests();
    let sent: Vec<&str> = after[before..].iter().map(|entry| entry.method.as_str()).collect();
    assert!(
        !sent.iter().any(|method| *method == "bizproc.event.send" || *method == "bizproc.activity.log"),
        "a refused request completed a run: {sent:?}"
    );
    assert!(sent.is_empty(), "a refused request reached the portal: {sent:?}");
    assert!(setup.calls.try_recv().is_err(), "the robot function ran for a refused request");
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn install_register_run_complete() {
    let mut setup = start(|app| app).await;
    let member_id = setup.portal.member_id.clone();

    // ONAPPINSTALL: the portal is recorded and the robot registered.
    let record = setup.store.get(&member_id).expect("the store answers").expect("the portal is recorded");
    assert_eq!(record.application_token.expose(), setup.portal.application_token);
    assert_eq!(record.client_endpoint, setup.portal.client_endpoint);
    let registrations = setup.emulator.registrations(&member_id);
    assert_eq!(registrations.len(), 1, "{registrations:#?}");
    let registered = &registrations[0];
    assert_eq!((registered.kind, registered.code.as_str()), (Kind::Robot, "review"));
    let fields = &registered.fields;
    assert_eq!(fields["HANDLER"], json!(setup.app.robot_url()));
    assert_eq!(fields["USE_SUBSCRIPTION"], "Y");
    let ids = |key: &str| fields[key].as_object().expect("a map").keys().cloned().collect::<Vec<_>>();
    assert_eq!(ids("PROPERTIES"), ["subject", "priority", "reviewer", "due", "tags", "budget", "fail_with"]);
    assert_eq!(ids("RETURN_PROPERTIES"), ["verdict", "assignee", "due_next", "labels", "total", "count", "summary"]);
    assert_eq!(fields["PROPERTIES"]["priority"]["TYPE"], "select");
    assert_eq!(fields["PROPERTIES"]["priority"]["OPTIONS"], json!({"low": "Low", "high": "High"}));
    assert_eq!(fields["PROPERTIES"]["tags"]["MULTIPLE"], "Y");
    assert_eq!(fields["PROPERTIES"]["due"]["TYPE"], "date");
    assert_eq!(fields["PROPERTIES"]["reviewer"]["TYPE"], "user");
    assert_eq!(fields["PROPERTIES"]["budget"]["TYPE"], "double");

    // A run: the typed input reaches the robot, its result reaches the portal.
    let run = run_review(&setup.emulator, &member_id, review_properties()).await;
    assert_eq!(run.properties["due"], "02.11.2026", "the portal sends dates in its own format");
    assert_eq!(run.properties["reviewer"], "user_7");
    assert_completed(&run);
    assert_eq!(run.log, [DEFAULT_LOG_MESSAGE]);
    let observed = setup.calls.recv().await.expect("the robot ran");
    assert_eq!(
        observed,
        Observed {
            input: expected_input(),
            workflow_id: run.workflow_id.clone(),
            event_token: run.event_token.clone(),
            document_id: ["crm", "CCrmDocumentDeal", "DEAL_42"].map(str::to_owned),
            member_id: member_id.clone(),
            user_id: Some(i64::from(run.user_id)),
            timeout: Some(Duration::from_secs(3600)),
        }
    );
    assert!(setup.calls.try_recv().is_err(), "the robot ran once");

    let sends: Vec<_> =
        setup.emulator.requests().into_iter().filter(|entry| entry.method == "bizproc.event.send").collect();
    assert_eq!(sends.len(), 1, "{sends:#?}");
    assert_eq!((sends[0].status, sends[0].member_id.as_deref()), (200, Some(member_id.as_str())));
    setup.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_robot_still_completes_its_run() {
    let mut setup = start(|app| app).await;
    let mut properties = review_properties();
    properties["fail_with"] = json!("no reviewer on duty");
    let run = run_review(&setup.emulator, &setup.portal.member_id, properties).await;

    assert_eq!(run.handler_status, Some(200), "the call itself was accepted");
    assert_eq!(run.state, RunState::Completed, "completed, not left to time out: {run:#?}");
    assert!(run.return_values.is_empty(), "no values: {:?}", run.return_values);
    assert_eq!(run.log, ["robot review failed: no reviewer on duty"]);
    let observed = setup.calls.recv().await.expect("the robot ran");
    assert_eq!(observed.input.fail_with.as_deref(), Some("no reviewer on duty"));
    setup.app.stop().await;
}

/// An app that takes requests queued within a minute, with one run completed, and that run.
async fn start_with_one_run() -> (Setup, RunRecord) {
    let mut setup = start(|app| app.freshness(Duration::from_secs(60))).await;
    let run = run_review(&setup.emulator, &setup.portal.member_id, review_properties()).await;
    assert_completed(&run);
    setup.calls.recv().await.expect("the robot ran");
    (setup, run)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_application_token_is_refused() {
    let (mut setup, run) = start_with_one_run().await;
    let body = edited_body(&run, |request| request["auth"]["application_token"] = json!("0".repeat(32)));
    assert_refused(&mut setup, body, 403, "the application token does not match the portal's").await;
    // An empty one is not a match either, nor a prefix of the real one.
    let body = edited_body(&run, |request| request["auth"]["application_token"] = json!(""));
    assert_refused(&mut setup, body, 400, "the request has no `auth[application_token]`").await;
    let prefix = setup.portal.application_token[..8].to_owned();
    let body = edited_body(&run, |request| request["auth"]["application_token"] = json!(prefix));
    assert_refused(&mut setup, body, 403, "does not match").await;
    // The untouched body is still accepted: it was the token that was refused.
    let (status, text) = post(&setup.app.robot_url(), run.body.clone()).await;
    assert_eq!(status, 200, "{text}");
    setup.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_member_id_is_refused() {
    let (mut setup, run) = start_with_one_run().await;
    let body = edited_body(&run, |request| request["auth"]["member_id"] = json!("f".repeat(32)));
    assert_refused(&mut setup, body, 401, "no installed portal has this member_id").await;
    setup.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_request_is_refused() {
    let (mut setup, run) = start_with_one_run().await;
    let an_hour_ago = now() - 3600;
    let body = edited_body(&run, |request| request["ts"] = json!(an_hour_ago.to_string()));
    assert_refused(&mut setup, body, 403, "outside the 60 s window").await;
    let body = edited_body(&run, |request| request["ts"] = json!(an_hour_ago.to_string()));
    let (_, text) = post(&setup.app.robot_url(), body).await;
    assert!(text.starts_with("the request was queued 360"), "names the age: {text}");
    // From the future is as bad.
    let body = edited_body(&run, |request| request["ts"] = json!((now() + 3600).to_string()));
    assert_refused(&mut setup, body, 403, "outside the 60 s window").await;
    setup.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_refused() {
    let (mut setup, run) = start_with_one_run().await;
    let body = edited_body(&run, |request| request["code"] = json!("credit_check"));
    assert_refused(&mut setup, body, 400, "the request is for robot `credit_check`, not `review`").await;
    let body = edited_body(&run, |request| {
        request.as_object_mut().expect("a map").remove("event_token");
    });
    assert_refused(&mut setup, body, 400, "the request has no `event_token`").await;
    assert_refused(&mut setup, format!("{}&code=review", run.body), 400, "field `code` is given more than once").await;
    assert_refused(&mut setup, format!("{}&t=%zz", run.body), 400, "invalid percent escape").await;
    assert_refused(&mut setup, "x".repeat(1024 * 1024 + 1), 413, "").await;
    setup.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portals_outlive_a_restart() {
    let emulator = Emulator::builder().start().await.expect("the emulator starts");
    let portal = emulator.credentials();
    let dir = TempDir::new("handler-flow-restart");
    let database = dir.0.join("portals.db");

    // App #1 is installed, then stopped.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let store = Arc::new(SqlitePortalStore::open(&database).expect("the store opens"));
    let (first_sender, mut first_calls) = mpsc::unbounded_channel();
    let first = serve_without_keep_alive(listener, review_app(&url, &portal, store, first_sender));
    let installed = emulator.install_app(&portal.member_id, &format!("{url}/bitrix/events")).await.expect("installs");
    assert_eq!(installed.status, 200, "ONAPPINSTALL answered: {}", installed.response);
    assert_eq!(emulator.registrations(&portal.member_id).len(), 1);
    let addr = first.addr;
    first.stop().await;

    // App #2 starts on the same address, the portal store reopened from the file.
    let listener = TcpListener::bind(addr).await.expect("the port is free again");
    let store = Arc::new(SqlitePortalStore::open(&database).expect("the store reopens"));
    let recorded = store.get(&portal.member_id).expect("the store answers").expect("the install was kept");
    assert_eq!(recorded.application_token.expose(), portal.application_token);
    let (second_sender, mut second_calls) = mpsc::unbounded_channel();
    let second = serve(listener, review_app(&url, &portal, store, second_sender));

    let before = emulator.requests().len();
    let run = run_review(&emulator, &portal.member_id, review_properties()).await;
    assert_completed(&run);
    let observed = second_calls.recv().await.expect("app #2 ran the robot");
    assert_eq!(observed.input, expected_input());
    assert!(first_calls.try_recv().is_err(), "app #1 is gone");
    let since: Vec<String> = emulator.requests()[before..].iter().map(|entry| entry.method.clone()).collect();
    assert!(!since.iter().any(|method| method.starts_with("bizproc.robot.")), "no registration in between: {since:?}");
    assert_eq!(since.iter().filter(|method| *method == "bizproc.event.send").count(), 1, "{since:?}");
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_replaces_the_token_and_uninstall_forgets_the_portal() {
    let mut setup = start(|app| app).await;
    let member_id = setup.portal.member_id.clone();
    let before_update = run_review(&setup.emulator, &member_id, review_properties()).await;
    assert_completed(&before_update);
    setup.calls.recv().await.expect("the robot ran");

    // ONAPPUPDATE: the portal wiped the robot and changed the token; the app records the new
    // token and registers the robot again.
    let updated = setup.emulator.update_app(&member_id).await.expect("the update is delivered");
    assert_eq!(updated.status, 200, "ONAPPUPDATE answered: {}", updated.response);
    assert_ne!(updated.application_token, setup.portal.application_token);
    let record = setup.store.get(&member_id).expect("the store answers").expect("still installed");
    assert_eq!(record.application_token.expose(), updated.application_token);
    let registrations = setup.emulator.registrations(&member_id);
    assert_eq!(registrations.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["review"]);

    let after_update = run_review(&setup.emulator, &member_id, review_properties()).await;
    let sent = bizproc::form::decode(after_update.body.as_bytes()).expect("decodes");
    assert_eq!(sent["auth"]["application_token"], json!(updated.application_token));
    assert_completed(&after_update);
    assert_eq!(setup.calls.recv().await.expect("the robot ran").input, expected_input());

    // A request with the old token is refused now.
    assert_refused(&mut setup, before_update.body.clone(), 403, "the application token does not match").await;

    // A forged ONAPPUNINSTALL, without the portal's token, changes nothing.
    let forged = format!(
        "event=ONAPPUNINSTALL&data%5BCLEAN%5D=1&ts={}&auth%5Bmember_id%5D={member_id}&auth%5Bapplication_token%5D={}",
        now(),
        setup.portal.application_token,
    );
    let (status, text) = post(&format!("{}/bitrix/events", setup.app.url), forged).await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("the application token does not match"), "{text}");
    assert!(setup.store.get(&member_id).expect("the store answers").is_some(), "still installed");

    // ONAPPUNINSTALL: the portal is forgotten; even a request with its latest token is refused.
    let uninstalled = setup.emulator.uninstall_app(&member_id, true).await.expect("the uninstall is delivered");
    assert_eq!(uninstalled.status, 200, "ONAPPUNINSTALL answered: {}", uninstalled.response);
    assert!(setup.store.get(&member_id).expect("the store answers").is_none(), "the portal is forgotten");
    assert_refused(&mut setup, after_update.body.clone(), 401, "no installed portal has this member_id").await;
    assert_refused(&mut setup, before_update.body.clone(), 401, "no installed portal").await;
    setup.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_run_whose_input_does_not_fit_is_completed_with_the_reason() {
    let mut setup = start(|app| app).await;
    let mut properties = review_properties();
    properties["budget"] = json!("lots");
    let run = run_review(&setup.emulator, &setup.portal.member_id, properties).await;

    assert_eq!(run.handler_status, Some(200), "accepted: it came from the portal");
    assert_eq!(run.state, RunState::Completed, "completed, not left to time out: {run:#?}");
    assert!(run.return_values.is_empty(), "no values: {:?}", run.return_values);
    assert_eq!(run.log.len(), 1, "{:?}", run.log);
    assert!(
        run.log[0].starts_with("robot review could not read its input:") && run.log[0].contains("property `budget`"),
        "the log names the property: {:?}",
        run.log
    );
    assert!(setup.calls.try_recv().is_err(), "the robot did not run on input it cannot read");
    setup.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_reinstall_cannot_replace_a_known_portal() {
    let setup = start(|app| app).await;
    let before = setup.store.get(&setup.portal.member_id).unwrap().expect("installed");
    let forged = bizproc::form::encode(&json!({
        "event": "ONAPPINSTALL",
        "data": {"VERSION": "1", "ACTIVE": "Y", "INSTALLED": "Y", "LANGUAGE_ID": "en"},
        "ts": now().to_string(),
        "auth": {
            "access_token": "forged-access",
            "refresh_token": "forged-refresh",
            "application_token": "forged-application-token",
            "member_id": setup.portal.member_id,
            "domain": "evil.example.com",
            "client_endpoint": "https://evil.example.com/rest/",
            "server_endpoint": "https://evil.example.com/oauth/",
            "expires_in": "3600",
            "scope": "bizproc",
            "status": "L",
        },
    }));
    let (status, message) = post(&format!("{}/bitrix/events", setup.app.url), forged).await;
    assert_eq!(status, 403, "{message}");
    assert!(message.contains("did not confirm"), "{message}");
    assert_eq!(setup.store.get(&setup.portal.member_id).unwrap(), Some(before), "the stored portal is unchanged");
    setup.app.stop().await;
}
