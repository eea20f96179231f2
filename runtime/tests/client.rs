//! The REST client against the emulator over real HTTP on 127.0.0.1: every typed method,
//! `send_result`, registration sync, the rate limit, batches, token refresh, injected faults,
//! the operating-time limit, and secrets kept out of errors.

use std::error::Error as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use bizproc::client::{
    AppCredentials, Client, ClientBuilder, Error, ErrorCode, EventToken, MemoryTokenStore, PortalTokens, RetryPolicy,
    SyncOptions, TokenStore,
};
use bizproc::{
    BizprocReturn, BizprocSelect, FileId, Properties, Property, PropertyType, Registration, ReturnValues, Text, UserId,
};
use bizproc_emulator::{
    Credentials, Document, Emulator, EmulatorBuilder, Fault, IgnoreReason, Kind, LogEntry, OperatingLimit, RateLimit,
    RunRecord, RunState, StoredRegistration,
};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde_json::{Value, json};

/// How long a run may take to settle.
const WAIT: Duration = Duration::from_secs(5);

/// Retries that keep tests with injected faults fast.
const FAST: RetryPolicy = RetryPolicy {
    max_attempts: 8,
    max_wait: Duration::from_secs(5),
    base_delay: Duration::from_millis(20),
    max_delay: Duration::from_millis(200),
};

/// A client bucket that drains fast: an injected `QUERY_LIMIT_EXCEEDED` makes the client count
/// its bucket as full, which at the standard 2 per second costs half a second per request.
const QUICK: bizproc::client::RateLimit = bizproc::client::RateLimit::new(1000.0, 50.0);

// ---------------------------------------------------------------------------------------------
// Robots
// ---------------------------------------------------------------------------------------------

/// Answers with one string.
#[derive(BizprocReturn)]
#[bizproc(code = "pong", name = "Pong")]
struct Pong {
    answer: String,
}

#[derive(BizprocSelect)]
enum Verdict {
    #[bizproc(label = "Approved")]
    Approve,
    #[bizproc(rename = "deny", label = "Denied")]
    Deny,
}

/// Returns one value of every type.
#[derive(BizprocReturn)]
#[bizproc(code = "every_type", name = "Every type")]
struct EveryType {
    headline: String,
    body: Text,
    count: i64,
    ratio: f64,
    approved: bool,
    rejected: bool,
    due: NaiveDate,
    due_at: NaiveDateTime,
    signed_at: DateTime<FixedOffset>,
    owner: UserId,
    scan: FileId,
    verdict: Verdict,
    note: Option<String>,
    score: Option<i64>,
    tags: Vec<String>,
    watchers: Vec<UserId>,
    deadlines: Vec<NaiveDate>,
    verdicts: Vec<Verdict>,
}

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// An app whose every route answers 200 at once: where robots' handlers and app events go.
async fn start_app() -> String {
    let router = Router::new().route("/{*path}", post(|| async { StatusCode::OK }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("a bound address"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

/// A port nobody listens on.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    listener.local_addr().expect("a bound address").port()
}

/// The OAuth client of an emulated portal.
fn oauth(c: &Credentials) -> ClientBuilder {
    Client::builder().oauth(
        AppCredentials::new(c.client_id.clone(), c.client_secret.clone()).token_url(c.oauth_token_url.clone()),
        PortalTokens::new(
            c.member_id.clone(),
            c.client_endpoint.clone(),
            c.access_token.clone(),
            c.refresh_token.clone(),
        ),
    )
}

struct Setup {
    emulator: Emulator,
    creds: Credentials,
    app: String,
}

async fn setup(builder: EmulatorBuilder) -> Setup {
    let emulator = builder.start().await.expect("the emulator starts");
    let creds = emulator.credentials();
    let app = start_app().await;
    Setup { emulator, creds, app }
}

impl Setup {
    fn client(&self) -> ClientBuilder {
        oauth(&self.creds)
    }

    fn handler(&self, path: &str) -> String {
        format!("{}/{path}", self.app)
    }

    fn member(&self) -> &str {
        &self.creds.member_id
    }

    /// Runs robot `code` once and returns its record after the handler answered.
    async fn start_run(&self, code: &str) -> RunRecord {
        let id = self.emulator.run_robot(self.member(), code, Document::deal(1), json!({})).await.expect("a run");
        self.emulator.run(id).expect("the run exists")
    }

    fn registration(&self, code: &str) -> StoredRegistration {
        self.emulator
            .registrations(self.member())
            .into_iter()
            .find(|r| r.code == code)
            .unwrap_or_else(|| panic!("`{code}` is not registered"))
    }

    /// The HTTP requests (not batch commands) of `method`.
    fn http_calls(&self, method: &str) -> Vec<LogEntry> {
        self.emulator.requests().into_iter().filter(|e| e.method == method && !e.in_batch).collect()
    }

    /// The batch commands of `method`.
    fn batch_commands(&self, method: &str) -> Vec<LogEntry> {
        self.emulator.requests().into_iter().filter(|e| e.method == method && e.in_batch).collect()
    }

    /// Every logged method, in order, with its status.
    fn log(&self) -> Vec<(String, u16)> {
        self.emulator.requests().into_iter().map(|e| (e.method, e.status)).collect()
    }
}

/// A [`TokenStore`] that counts how often renewed tokens are saved.
#[derive(Default)]
struct CountingStore {
    saves: AtomicUsize,
    inner: MemoryTokenStore,
}

impl TokenStore for CountingStore {
    fn save(&self, tokens: &PortalTokens) -> Result<(), String> {
        self.saves.fetch_add(1, Ordering::SeqCst);
        self.inner.save(tokens)
    }

    fn load(&self, member_id: &str) -> Result<Option<PortalTokens>, String> {
        self.inner.load(member_id)
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

// ---------------------------------------------------------------------------------------------
// 1. Typed methods
// ---------------------------------------------------------------------------------------------

#[tokio::test]
#[allow(clippy::too_many_lines)] // one walk through every typed method, checked step by step
async fn every_typed_method_reaches_the_portal() {
    let s = setup(Emulator::builder().rate_limit(RateLimit::UNLIMITED)).await;
    let client = s.client().build().unwrap();

    // A registration the server would refuse is refused before any call.
    let invalid = client.robot_add(&Registration::new("bad code!", "Bad", s.handler("bad"))).await.unwrap_err();
    assert!(matches!(invalid, Error::Registration(_)), "{invalid:?}");
    assert!(s.emulator.requests().is_empty());

    // robot_add
    let robot = Pong::registration(s.handler("pong"));
    client.robot_add(&robot).await.unwrap();
    let stored = s.registration("pong");
    assert_eq!(stored.kind, Kind::Robot);
    assert_eq!(stored.fields["HANDLER"], json!(s.handler("pong")));
    assert_eq!(stored.fields["NAME"], "Pong");
    assert_eq!(stored.fields["USE_SUBSCRIPTION"], "Y");
    assert_eq!(stored.fields["RETURN_PROPERTIES"]["answer"]["TYPE"], "string");
    let twice = client.robot_add(&robot).await.unwrap_err();
    assert_eq!(twice.code(), Some(&ErrorCode::ActivityAlreadyInstalled));

    // robot_update sends every field
    client.robot_update(&Pong::registration(s.handler("pong/v2")).description("Answers, version 2")).await.unwrap();
    let stored = s.registration("pong");
    assert_eq!(stored.fields["HANDLER"], json!(s.handler("pong/v2")));
    assert_eq!(stored.fields["DESCRIPTION"], "Answers, version 2");

    // activity_add / activity_update
    let outputs = Properties::from_iter([("total", Property::new("Total", PropertyType::Int))]);
    let activity =
        Registration::new("sum_up", "Sum up", s.handler("sum_up")).return_properties(outputs).auth_user_id(1);
    client.activity_add(&activity).await.unwrap();
    assert_eq!(s.registration("sum_up").kind, Kind::Activity);
    client.activity_update(&activity.clone().handler(s.handler("sum_up/v2"))).await.unwrap();
    assert_eq!(s.registration("sum_up").fields["HANDLER"], json!(s.handler("sum_up/v2")));
    assert_eq!(s.registration("sum_up").fields["AUTH_USER_ID"], 1);

    // the lists keep the kinds apart
    assert_eq!(client.robot_list().await.unwrap(), ["pong"]);
    assert_eq!(client.activity_list().await.unwrap(), ["sum_up"]);

    // activity_log leaves the run waiting; event_send completes it
    let run = s.start_run("pong").await;
    assert_eq!(run.state, RunState::Waiting);
    assert_eq!(run.handler, s.handler("pong/v2"));
    client.activity_log(&run.event_token, "Halfway there").await.unwrap();
    assert_eq!(s.emulator.run(run.id).unwrap().state, RunState::Waiting);
    let values = ReturnValues::from_iter([("answer", json!("forty-two"))]);
    client.event_send(&run.event_token, &values, Some("Done")).await.unwrap();
    let run = s.emulator.wait_for_run(run.id, WAIT).await.unwrap();
    assert_eq!(run.state, RunState::Completed);
    assert_eq!(run.log, ["Halfway there", "Done"]);
    assert_eq!(run.return_values["answer"], "forty-two");
    assert!(run.ignored.is_empty() && run.dropped_keys.is_empty() && run.misfits.is_empty());

    // call / call_idempotent read any method's `result`
    let codes: Vec<String> = client.call("bizproc.activity.list", json!({})).await.unwrap();
    assert_eq!(codes, ["sum_up"]);
    let now: String = client.call_idempotent("server.time", ()).await.unwrap();
    assert!(now.ends_with("+03:00"), "{now}");
    let info: Value = client.call("app.info", json!({})).await.unwrap();
    assert_eq!(info["CODE"], json!(s.creds.client_id));
    let wrong_type = client.call::<i64>("server.time", ()).await.unwrap_err();
    assert!(matches!(wrong_type, Error::Decode { .. }), "{wrong_type:?}");

    // robot_delete / activity_delete
    client.robot_delete("pong").await.unwrap();
    client.activity_delete("sum_up").await.unwrap();
    assert!(s.emulator.registrations(s.member()).is_empty());
    let gone = client.robot_delete("pong").await.unwrap_err();
    assert_eq!(gone.code(), Some(&ErrorCode::ActivityNotFound));
    assert!(client.robot_list().await.unwrap().is_empty());

    let expected = [
        ("bizproc.robot.add", 200),
        ("bizproc.robot.add", 400),
        ("bizproc.robot.update", 200),
        ("bizproc.activity.add", 200),
        ("bizproc.activity.update", 200),
        ("bizproc.robot.list", 200),
        ("bizproc.activity.list", 200),
        ("bizproc.activity.log", 200),
        ("bizproc.event.send", 200),
        ("bizproc.activity.list", 200),
        ("server.time", 200),
        ("app.info", 200),
        ("server.time", 200),
        ("bizproc.robot.delete", 200),
        ("bizproc.activity.delete", 200),
        ("bizproc.robot.delete", 400),
        ("bizproc.robot.list", 200),
    ];
    let expected: Vec<(String, u16)> = expected.iter().map(|(m, s)| ((*m).to_owned(), *s)).collect();
    assert_eq!(s.log(), expected);
    assert!(s.emulator.requests().iter().all(|e| e.auth == bizproc_emulator::AuthKind::OAuth));
}

// ---------------------------------------------------------------------------------------------
// 2. send_result
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn send_result_lands_every_type_converted() {
    let s = setup(Emulator::builder().rate_limit(RateLimit::UNLIMITED)).await;
    let client = s.client().build().unwrap();
    client.robot_add(&EveryType::registration(s.handler("every_type"))).await.unwrap();
    let run = s.start_run("every_type").await;
    let token = EventToken::<EveryType>::from_raw(run.event_token.clone());

    let west = FixedOffset::west_opt(5 * 3600).unwrap();
    let result = EveryType {
        headline: "Hello".into(),
        body: Text::new("Line one\nLine two"),
        count: -42,
        ratio: 100.15,
        approved: true,
        rejected: false,
        due: date(2026, 11, 28),
        due_at: date(2026, 11, 28).and_hms_opt(23, 30, 0).unwrap(),
        signed_at: west.with_ymd_and_hms(2026, 11, 28, 20, 15, 0).unwrap(),
        owner: UserId(7),
        scan: FileId(123),
        verdict: Verdict::Deny,
        note: None,
        score: Some(87),
        tags: vec!["vip".into(), "new".into()],
        watchers: vec![UserId(1), UserId(2)],
        deadlines: vec![date(2026, 1, 1), date(2026, 12, 31)],
        verdicts: vec![Verdict::Approve, Verdict::Deny],
    };
    // A client that has not heard from the portal yet asks for its time (and offset) first.
    let fresh = s.client().build().unwrap();
    s.emulator.clear_requests();
    result.send_result(&fresh, &token).await.unwrap();
    assert_eq!(s.log(), [("server.time".to_owned(), 200), ("bizproc.event.send".to_owned(), 200)]);

    let run = s.emulator.wait_for_run(run.id, WAIT).await.unwrap();
    assert_eq!(run.state, RunState::Completed);
    assert!(run.misfits.is_empty(), "{:?}", run.misfits);
    assert!(run.dropped_keys.is_empty(), "{:?}", run.dropped_keys);
    let stored = Value::Object(run.return_values.clone());
    assert_eq!(
        stored,
        json!({
            "headline": "Hello",
            "body": "Line one\nLine two",
            "count": -42,
            "ratio": 100.15,
            "approved": "Y",
            "rejected": "N",
            "due": "28.11.2026",
            // portal time: written at +03:00, so it stays the 28th
            "due_at": "28.11.2026 23:30:00",
            // 20:15 at -05:00 is 04:15 the next day at +03:00
            "signed_at": "29.11.2026 04:15:00",
            "owner": "user_7",
            "scan": 123,
            "verdict": "deny",
            "score": 87,
            "tags": ["vip", "new"],
            "watchers": ["user_1", "user_2"],
            "deadlines": ["01.01.2026", "31.12.2026"],
            "verdicts": ["Approve", "deny"],
        })
    );
    assert_eq!(run.log, [bizproc_emulator::DEFAULT_LOG_MESSAGE]);

    // Sending again is harmless, and the ignored sends show what went over the wire: dates at
    // the portal's offset, `None` left out.
    result.send_result(&client, &token).await.unwrap();
    result.send_result_with_log(&client, &token, "again").await.unwrap();
    let run = s.emulator.run(run.id).unwrap();
    let reasons: Vec<IgnoreReason> = run.ignored.iter().map(|call| call.reason).collect();
    assert_eq!(reasons, [IgnoreReason::Duplicate, IgnoreReason::Completed]);
    let sent = run.ignored[0].return_values.clone().unwrap();
    assert_eq!(sent["due"], "2026-11-28T00:00:00+03:00");
    assert_eq!(sent["due_at"], "2026-11-28T23:30:00+03:00");
    assert_eq!(sent["signed_at"], "2026-11-28T20:15:00-05:00");
    assert_eq!(sent["deadlines"], json!(["2026-01-01T00:00:00+03:00", "2026-12-31T00:00:00+03:00"]));
    assert!(sent.get("note").is_none());
    assert_eq!(run.return_values, stored.as_object().unwrap().clone(), "the first send stands");
}

// ---------------------------------------------------------------------------------------------
// 3. Sync
// ---------------------------------------------------------------------------------------------

#[tokio::test]
#[allow(clippy::too_many_lines)] // one portal through every sync situation, in order
async fn sync_adds_then_does_nothing_then_restores_and_deletes() {
    let s = setup(Emulator::builder().rate_limit(RateLimit::UNLIMITED)).await;
    let client = s.client().build().unwrap();
    s.emulator.install_app(s.member(), &s.handler("events")).await.unwrap();
    let robots = [Pong::registration(s.handler("pong")), Registration::new("notify", "Notify", s.handler("notify"))];
    let activities = [Registration::new("approve", "Approve", s.handler("approve"))];
    let codes = |stored: Vec<StoredRegistration>| stored.into_iter().map(|r| r.code).collect::<Vec<_>>();
    let is_write = |e: &LogEntry| matches!(e.method.rsplit('.').next(), Some("add" | "update"));

    // From empty: everything added.
    let report = client.sync(&robots, &activities, SyncOptions::default()).await.unwrap();
    assert_eq!(report.added, ["pong", "notify", "approve"]);
    assert!(report.updated.is_empty() && report.unchanged.is_empty() && report.deleted.is_empty());
    assert_eq!(codes(s.emulator.registrations(s.member())), ["pong", "notify", "approve"]);
    assert_eq!(s.registration("approve").kind, Kind::Activity);

    // Again: nothing to do, and nothing but the two lists is called.
    s.emulator.clear_requests();
    let report = client.sync(&robots, &activities, SyncOptions::default()).await.unwrap();
    assert!(report.is_noop(), "{report:?}");
    assert_eq!(report.unchanged, ["pong", "notify", "approve"]);
    assert!(!s.emulator.requests().iter().any(is_write));
    assert_eq!(s.log(), [("bizproc.robot.list".to_owned(), 200), ("bizproc.activity.list".to_owned(), 200)]);

    // An app update wipes the portal's registrations: the next sync adds them again.
    s.emulator.update_app(s.member()).await.unwrap();
    assert!(s.emulator.registrations(s.member()).is_empty());
    let report = client.sync(&robots, &activities, SyncOptions::default()).await.unwrap();
    assert_eq!(report.added, ["pong", "notify", "approve"]);
    assert_eq!(codes(s.emulator.registrations(s.member())), ["pong", "notify", "approve"]);

    // A changed declaration is updated with every field.
    let robots = [Pong::registration(s.handler("pong/v2")), robots[1].clone()];
    let report = client.sync(&robots, &activities, SyncOptions::default()).await.unwrap();
    assert_eq!(report.updated, ["pong"]);
    assert_eq!(report.unchanged, ["notify", "approve"]);
    assert_eq!(s.registration("pong").fields["HANDLER"], json!(s.handler("pong/v2")));

    // Undeclared codes stay unless asked, then go.
    client.robot_add(&Registration::new("stray_robot", "Stray", s.handler("stray"))).await.unwrap();
    client.activity_add(&Registration::new("stray_activity", "Stray", s.handler("stray"))).await.unwrap();
    let report = client.sync(&robots, &activities, SyncOptions::default()).await.unwrap();
    assert!(report.is_noop() && report.deleted.is_empty());
    assert_eq!(s.emulator.registrations(s.member()).len(), 5);
    let report = client.sync(&robots, &activities, SyncOptions { delete_undeclared: true }).await.unwrap();
    assert_eq!(report.deleted, ["stray_robot", "stray_activity"]);
    assert!(report.added.is_empty() && report.updated.is_empty());
    assert_eq!(codes(s.emulator.registrations(s.member())), ["pong", "notify", "approve"]);

    // sync_robots leaves activities alone, even with undeclared robots around.
    let report = client.sync_robots(&robots[..1]).await.unwrap();
    assert_eq!(report.unchanged, ["pong"]);
    assert_eq!(s.emulator.registrations(s.member()).len(), 3);

    // One code as both a robot and an activity: refused before any call.
    s.emulator.clear_requests();
    let twin = Registration::new("twin", "Twin", s.handler("twin"));
    let error = client
        .sync(std::slice::from_ref(&twin), std::slice::from_ref(&twin), SyncOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(&error, Error::CodeConflict { code } if code == "twin"), "{error:?}");
    assert!(s.emulator.requests().is_empty(), "{:?}", s.emulator.requests());

    // A robot declared under a code the portal holds as an activity: refused after the lists,
    // before any change.
    let taken = Registration::new("approve", "Approve", s.handler("approve"));
    let error = client.sync_robots(&[taken]).await.unwrap_err();
    assert!(matches!(&error, Error::CodeConflict { code } if code == "approve"), "{error:?}");
    assert!(!s.emulator.requests().iter().any(is_write));
    assert_eq!(s.registration("approve").kind, Kind::Activity);
}

// ---------------------------------------------------------------------------------------------
// 4. The rate limit
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_sends_keep_under_the_rate_limit() {
    const RUNS: usize = 1000;
    // The standard plan's bucket (50), drained a hundred times faster. The client drains at the
    // same rate and keeps a smaller burst: requests it spaces out can still reach the emulator
    // in a bunch when the emulator is not scheduled for a while (a busy test machine), and the
    // emulator's burst is what absorbs that.
    let s = setup(Emulator::builder().rate_limit(RateLimit::new(200.0, 50.0))).await;
    let client = s.client().rate_limit(bizproc::client::RateLimit::new(200.0, 5.0)).build().unwrap();
    client.robot_add(&Pong::registration(s.handler("pong"))).await.unwrap();
    let mut runs = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        runs.push(s.start_run("pong").await);
    }

    let started = Instant::now();
    let mut sends = tokio::task::JoinSet::new();
    for (i, run) in runs.iter().enumerate() {
        let client = client.clone();
        let token = EventToken::<Pong>::from_raw(run.event_token.clone());
        sends.spawn(async move { Pong { answer: format!("answer {i}") }.send_result(&client, &token).await });
    }
    while let Some(sent) = sends.join_next().await {
        sent.expect("the task ran").expect("the send went through");
    }
    let elapsed = started.elapsed();

    let limited = s.emulator.requests().iter().filter(|e| e.error.as_deref() == Some("QUERY_LIMIT_EXCEEDED")).count();
    assert_eq!(limited, 0, "the client kept to the bucket");
    assert_eq!(s.http_calls("bizproc.event.send").len(), RUNS);
    let records = s.emulator.runs();
    assert_eq!(records.len(), RUNS);
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record.state, RunState::Completed, "run {}", record.id);
        assert_eq!(record.return_values["answer"], json!(format!("answer {i}")));
        assert!(record.ignored.is_empty());
    }
    // 1,000 requests at 200 per second, less a burst of 4, take about 4.98 s.
    assert!(elapsed >= Duration::from_millis(4500), "{elapsed:?}");

    // The emulator's bucket is in force: a client without its own limit meets it, and its
    // retries still deliver.
    let unlimited =
        s.client().rate_limit(bizproc::client::RateLimit::new(1e6, 1e6)).retry_policy(FAST).build().unwrap();
    let mut runs = Vec::new();
    for _ in 0..100 {
        runs.push(s.start_run("pong").await);
    }
    s.emulator.clear_requests();
    let mut sends = tokio::task::JoinSet::new();
    for run in &runs {
        let client = unlimited.clone();
        let token = EventToken::<Pong>::from_raw(run.event_token.clone());
        sends.spawn(async move { Pong { answer: "unlimited".into() }.send_result(&client, &token).await });
    }
    while let Some(sent) = sends.join_next().await {
        sent.expect("the task ran").expect("the send went through after retries");
    }
    let limited = s.emulator.requests().iter().filter(|e| e.error.as_deref() == Some("QUERY_LIMIT_EXCEEDED")).count();
    assert!(limited > 0, "100 sends at once overflow a bucket of 50");
    assert!(s.emulator.runs()[RUNS..].iter().all(|r| r.state == RunState::Completed));
}

// ---------------------------------------------------------------------------------------------
// 5. Sending many results in batches
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn send_results_goes_out_in_batches_of_fifty() {
    let s = setup(Emulator::builder()).await;
    let client = s.client().build().unwrap();
    client.robot_add(&Pong::registration(s.handler("pong"))).await.unwrap();
    let mut results = Vec::new();
    for i in 0..120 {
        let run = s.start_run("pong").await;
        results.push((Pong { answer: format!("answer {i}") }, EventToken::from_raw(run.event_token)));
    }
    s.emulator.clear_requests();

    let outcomes = client.send_results(&results).await.unwrap();
    assert_eq!(outcomes.len(), 120);
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");

    assert_eq!(s.http_calls("batch").len(), 3);
    assert_eq!(s.batch_commands("bizproc.event.send").len(), 120);
    assert!(s.emulator.requests().iter().all(|e| e.method == "batch" || e.in_batch));
    for (i, record) in s.emulator.runs().iter().enumerate() {
        assert_eq!(record.state, RunState::Completed, "run {}", record.id);
        assert_eq!(record.return_values["answer"], json!(format!("answer {i}")));
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Token refresh
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expired_token_is_renewed_once_for_twenty_concurrent_calls() {
    let lifetime = Duration::from_millis(500);
    let s = setup(Emulator::builder().rate_limit(RateLimit::UNLIMITED).token_lifetime(lifetime)).await;
    let store = Arc::new(CountingStore::default());
    let client = s
        .client()
        .token_store(store.clone())
        .rate_limit(bizproc::client::RateLimit::new(100.0, 100.0))
        .retry_policy(FAST)
        .build()
        .unwrap();
    client.robot_add(&Pong::registration(s.handler("pong"))).await.unwrap();
    tokio::time::sleep(lifetime + Duration::from_millis(100)).await;

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = client.clone();
        calls.spawn(async move { client.robot_list().await });
    }
    while let Some(listed) = calls.join_next().await {
        assert_eq!(listed.expect("the task ran").expect("the call went through"), ["pong"]);
    }

    assert_eq!(store.saves.load(Ordering::SeqCst), 1, "exactly one refresh");
    let renewed = store.load(s.member()).unwrap().expect("the new pair was kept");
    assert_ne!(renewed.access_token.expose(), s.creds.access_token);
    assert_ne!(renewed.refresh_token.expose(), s.creds.refresh_token);
    let lists = s.http_calls("bizproc.robot.list");
    let expired = lists.iter().filter(|e| e.error.as_deref() == Some("expired_token")).count();
    assert!((1..=20).contains(&expired), "{expired} calls met the expired token");
    assert_eq!(lists.iter().filter(|e| e.status == 200).count(), 20);
}

#[tokio::test]
async fn a_token_that_expires_again_at_once_is_renewed_only_once() {
    // Every token the portal hands out is already expired: renewing cannot help.
    let s = setup(Emulator::builder().rate_limit(RateLimit::UNLIMITED).token_lifetime(Duration::ZERO)).await;
    let store = Arc::new(CountingStore::default());
    let client = s.client().token_store(store.clone()).retry_policy(FAST).build().unwrap();

    let outcome = tokio::time::timeout(WAIT, client.robot_list()).await.expect("the call gives up");
    assert_eq!(outcome.unwrap_err().code(), Some(&ErrorCode::ExpiredToken));
    assert_eq!(store.saves.load(Ordering::SeqCst), 1, "one refresh, then the error");
    assert_eq!(s.http_calls("bizproc.robot.list").len(), 2);
}

// ---------------------------------------------------------------------------------------------
// 7. Injected faults
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn faults_on_event_send_are_retried_until_delivered() {
    let s = setup(Emulator::builder().rate_limit(RateLimit::UNLIMITED)).await;
    let client = s.client().rate_limit(QUICK).retry_policy(FAST).build().unwrap();
    client.robot_add(&Pong::registration(s.handler("pong"))).await.unwrap();

    let cases = [
        (Fault::query_limit(), 503, "QUERY_LIMIT_EXCEEDED"),
        (Fault::internal_error(), 500, "INTERNAL_SERVER_ERROR"),
        (Fault::Drop, 500, "CONNECTION_DROPPED"),
    ];
    for (fault, status, code) in cases {
        let run = s.start_run("pong").await;
        s.emulator.clear_requests();
        s.emulator.fail_next("bizproc.event.send", 1, fault);
        let token = EventToken::<Pong>::from_raw(run.event_token);
        Pong { answer: code.to_owned() }.send_result(&client, &token).await.unwrap();

        let run = s.emulator.wait_for_run(run.id, WAIT).await.unwrap();
        assert_eq!(run.state, RunState::Completed, "{code}");
        assert_eq!(run.return_values["answer"], code);
        let sends = s.http_calls("bizproc.event.send");
        let seen: Vec<(u16, Option<&str>)> = sends.iter().map(|e| (e.status, e.error.as_deref())).collect();
        assert_eq!(seen, [(status, Some(code)), (200, None)]);
    }
}

#[tokio::test]
async fn faults_on_robot_add_are_not_repeated_but_the_rate_limit_is() {
    let s = setup(Emulator::builder().rate_limit(RateLimit::UNLIMITED)).await;
    let client = s.client().rate_limit(QUICK).retry_policy(FAST).build().unwrap();
    let robot = Pong::registration(s.handler("pong"));

    // A 500: the add may have run; it is not repeated.
    s.emulator.fail_next("bizproc.robot.add", 1, Fault::internal_error());
    let error = client.robot_add(&robot).await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::InternalServerError), "{error:?}");
    assert_eq!(s.http_calls("bizproc.robot.add").len(), 1);

    // A lost answer: not repeated either.
    s.emulator.clear_requests();
    s.emulator.fail_next("bizproc.robot.add", 1, Fault::Drop);
    let error = client.robot_add(&robot).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(s.http_calls("bizproc.robot.add").len(), 1);
    assert!(s.emulator.registrations(s.member()).is_empty());

    // QUERY_LIMIT_EXCEEDED means the call did not run: it is repeated.
    s.emulator.clear_requests();
    s.emulator.fail_next("bizproc.robot.add", 2, Fault::query_limit());
    client.robot_add(&robot).await.unwrap();
    let adds = s.http_calls("bizproc.robot.add");
    let seen: Vec<(u16, Option<&str>)> = adds.iter().map(|e| (e.status, e.error.as_deref())).collect();
    assert_eq!(seen, [(503, Some("QUERY_LIMIT_EXCEEDED")), (503, Some("QUERY_LIMIT_EXCEEDED")), (200, None)]);
    assert_eq!(s.registration("pong").kind, Kind::Robot);
}

// ---------------------------------------------------------------------------------------------
// 8. Secrets
// ---------------------------------------------------------------------------------------------

/// Three quick attempts, for calls that cannot succeed.
const FEW: RetryPolicy = RetryPolicy { max_attempts: 3, ..FAST };

/// The `Display` and `Debug` of an error and of every error in its chain.
fn texts(error: &Error) -> Vec<String> {
    let mut out = vec![error.to_string(), format!("{error:?}")];
    let mut source = error.source();
    while let Some(cause) = source {
        out.push(cause.to_string());
        out.push(format!("{cause:?}"));
        source = cause.source();
    }
    out
}

#[tokio::test]
#[allow(clippy::too_many_lines)] // every way a call can fail, collected in one place
async fn no_secret_appears_in_errors_or_debug_output() {
    let s = setup(Emulator::builder().rate_limit(RateLimit::UNLIMITED)).await;
    let c = &s.creds;
    let webhook_secret = c.webhook_url.trim_end_matches('/').rsplit('/').next().unwrap().to_owned();
    let (bad_access, bad_refresh, wrong_secret) = ("badaccess0123456789", "badrefresh0123456789", "wrongsecret0123456");
    let closed = closed_port().await;
    let app = |secret: &str, token_url: &str| AppCredentials::new(c.client_id.clone(), secret).token_url(token_url);
    let tokens = |endpoint: &str, access: &str, refresh: &str| {
        PortalTokens::new(c.member_id.clone(), endpoint, access.to_owned(), refresh.to_owned())
    };
    let mut seen: Vec<String> = Vec::new();
    let mut record = |error: &Error| seen.extend(texts(error));

    let client = s.client().rate_limit(QUICK).retry_policy(FAST).build().unwrap();
    let webhook =
        Client::builder().webhook(c.webhook_url.clone()).rate_limit(QUICK).retry_policy(FAST).build().unwrap();

    // A forged event token.
    let forged = ReturnValues::from_iter([("answer", json!("x"))]);
    let error = client.event_send("wf.1|A1|e1.00", &forged, None).await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::AccessDenied));
    record(&error);

    // robot.add failures: already installed, a 500, and a webhook without app context.
    let robot = Pong::registration(s.handler("pong"));
    client.robot_add(&robot).await.unwrap();
    let error = client.robot_add(&robot).await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::ActivityAlreadyInstalled));
    record(&error);
    s.emulator.fail_next("bizproc.robot.add", 1, Fault::internal_error());
    record(&client.robot_add(&robot).await.unwrap_err());
    let error = webhook.robot_add(&robot).await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::AccessDenied));
    record(&error);

    // A webhook with a wrong code; a webhook whose answer is cut off.
    let wrong_hook = c.webhook_url.replace(&webhook_secret, wrong_secret);
    let error = Client::webhook(wrong_hook).unwrap().robot_list().await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::InvalidCredentials));
    record(&error);
    s.emulator.fail_next("server.time", 1, Fault::Drop);
    let error = webhook.call::<Value>("server.time", ()).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    record(&error);

    // Transport errors: a closed port, with the webhook code and then a token in the request.
    let closed_hook = format!("http://127.0.0.1:{closed}/rest/1/{webhook_secret}/");
    let error = Client::builder().webhook(closed_hook).retry_policy(FEW).build().unwrap().robot_list().await;
    let error = error.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    record(&error);
    let closed_rest = format!("http://127.0.0.1:{closed}/rest/");
    let closed_client = Client::builder()
        .oauth(app(&c.client_secret, &c.oauth_token_url), tokens(&closed_rest, &c.access_token, &c.refresh_token))
        .retry_policy(FEW)
        .build()
        .unwrap();
    let error = closed_client.robot_list().await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    record(&error);

    // Refresh failures: a wrong client secret, a dead refresh token, an unreachable token
    // endpoint (whose URL would carry the secret and the refresh token in its query).
    let wrong_app = Client::builder()
        .oauth(app(wrong_secret, &c.oauth_token_url), tokens(&c.client_endpoint, bad_access, &c.refresh_token))
        .build()
        .unwrap();
    let error = wrong_app.robot_list().await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::InvalidClient), "{error:?}");
    record(&error);
    let dead_refresh = Client::builder()
        .oauth(app(&c.client_secret, &c.oauth_token_url), tokens(&c.client_endpoint, bad_access, bad_refresh))
        .build()
        .unwrap();
    let error = dead_refresh.robot_list().await.unwrap_err();
    assert_eq!(error.code(), Some(&ErrorCode::InvalidGrant), "{error:?}");
    record(&error);
    let closed_token_url = format!("http://127.0.0.1:{closed}/oauth/token/");
    let unreachable = Client::builder()
        .oauth(app(&c.client_secret, &closed_token_url), tokens(&c.client_endpoint, bad_access, &c.refresh_token))
        .build()
        .unwrap();
    let error = unreachable.robot_list().await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    record(&error);

    for client in [&client, &webhook, &closed_client, &wrong_app, &dead_refresh, &unreachable] {
        seen.push(format!("{client:?}"));
    }

    let secrets = [
        c.access_token.as_str(),
        c.refresh_token.as_str(),
        c.client_secret.as_str(),
        webhook_secret.as_str(),
        bad_access,
        bad_refresh,
        wrong_secret,
    ];
    assert!(seen.len() > 20);
    for text in &seen {
        for secret in secrets {
            assert!(!text.contains(secret), "a secret in {text:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 9. Batch
// ---------------------------------------------------------------------------------------------

#[tokio::test]
#[allow(clippy::too_many_lines)] // splitting, halting and empty sections, one after the other
async fn batches_split_halt_and_read_empty_sections() {
    let s = setup(Emulator::builder().rate_limit(RateLimit::UNLIMITED)).await;
    let client = s.client().rate_limit(QUICK).retry_policy(FAST).build().unwrap();
    client.robot_add(&Pong::registration(s.handler("pong"))).await.unwrap();

    // Nothing to send: no request.
    s.emulator.clear_requests();
    let results = client.batch().send().await.unwrap();
    assert!(results.is_empty());
    assert!(s.emulator.requests().is_empty());

    // 120 commands: three requests of 50, 50 and 20.
    let mut batch = client.batch();
    for i in 0..120 {
        if i % 2 == 0 {
            batch.push_idempotent("bizproc.robot.list", json!({})).unwrap();
        } else {
            batch.push_idempotent("server.time", ()).unwrap();
        }
    }
    assert_eq!(batch.len(), 120);
    let results = batch.send().await.unwrap();
    assert_eq!(results.len(), 120);
    for i in (0..120).step_by(2) {
        assert_eq!(results.get::<Vec<String>>(i).unwrap(), ["pong"]);
        assert!(results.get::<String>(i + 1).unwrap().ends_with("+03:00"));
    }
    assert_eq!(s.http_calls("batch").len(), 3);
    assert_eq!(s.batch_commands("bizproc.robot.list").len(), 60);
    assert_eq!(s.batch_commands("server.time").len(), 60);

    // `halt`: the first failure stops the batch, the later chunk is never sent.
    s.emulator.clear_requests();
    let mut batch = client.batch().halt(true);
    batch.push_idempotent("bizproc.robot.list", json!({})).unwrap();
    let failing = batch.push("bizproc.robot.delete", json!({ "CODE": "no_such_robot" })).unwrap();
    for _ in 0..58 {
        batch.push_idempotent("bizproc.robot.list", json!({})).unwrap();
    }
    let results = batch.send().await.unwrap();
    assert_eq!(results.get::<Vec<String>>(0).unwrap(), ["pong"]);
    assert_eq!(results.get::<Value>(failing).unwrap_err().code(), Some(&ErrorCode::ActivityNotFound));
    let outcomes = results.into_results();
    assert_eq!(outcomes.len(), 60);
    assert!(outcomes[2..].iter().all(|r| matches!(r, Err(Error::NotRun { .. }))));
    assert_eq!(s.http_calls("batch").len(), 1);
    let commands: Vec<String> = s.emulator.requests().into_iter().filter(|e| e.in_batch).map(|e| e.method).collect();
    assert_eq!(commands, ["bizproc.robot.list", "bizproc.robot.delete"]);

    // Without `halt`, every command runs.
    let mut batch = client.batch();
    batch.push("bizproc.robot.delete", json!({ "CODE": "no_such_robot" })).unwrap();
    batch.push_idempotent("bizproc.robot.list", json!({})).unwrap();
    let results = batch.send().await.unwrap();
    assert!(results.get::<Value>(0).is_err());
    assert_eq!(results.get::<Vec<String>>(1).unwrap(), ["pong"]);

    // Every command fails: the server writes `result` as `[]`.
    let mut batch = client.batch();
    batch.push("bizproc.robot.delete", json!({ "CODE": "no_such_robot" })).unwrap();
    batch.push("batch", json!({ "cmd": {} })).unwrap();
    batch.push("no.such.method", json!({})).unwrap();
    let outcomes = batch.send().await.unwrap().into_results();
    let codes: Vec<Option<ErrorCode>> = outcomes.iter().map(|r| r.as_ref().unwrap_err().code().cloned()).collect();
    assert_eq!(
        codes,
        [Some(ErrorCode::ActivityNotFound), Some(ErrorCode::BatchMethodNotAllowed), Some(ErrorCode::MethodNotFound)]
    );

    // Every command succeeds: `result_error` is `[]`.
    let mut batch = client.batch();
    batch.push_idempotent("bizproc.activity.list", json!({})).unwrap();
    let results = batch.send().await.unwrap();
    assert!(results.get::<Vec<String>>(0).unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// 10. The operating-time limit
// ---------------------------------------------------------------------------------------------

/// The client cannot be shown waiting for `operating_reset_at` here: the emulator, like the
/// portal, resets ten minutes after a method's first counted call. What can be shown: a call
/// refused for operating time fails at once when the reset is further off than the retry
/// policy lets it wait, later calls of that method do too (rather than sleeping until the
/// reset), and other methods are not held up.
#[tokio::test]
async fn operation_time_limit_fails_fast_when_the_reset_is_too_far() {
    let limit = OperatingLimit::new(Duration::from_secs(2), Duration::from_secs(1));
    let s = setup(Emulator::builder().rate_limit(RateLimit::UNLIMITED).operating_limit(limit)).await;
    let client = s.client().rate_limit(QUICK).retry_policy(FAST).build().unwrap();

    for _ in 0..3 {
        client.robot_list().await.unwrap();
    }
    for _ in 0..2 {
        let started = Instant::now();
        let outcome = tokio::time::timeout(WAIT, client.robot_list()).await.expect("no wait until the reset");
        assert_eq!(outcome.unwrap_err().code(), Some(&ErrorCode::OperationTimeLimit));
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }
    assert!(client.activity_list().await.unwrap().is_empty(), "the limit is per method");
    let lists: Vec<u16> = s.http_calls("bizproc.robot.list").iter().map(|e| e.status).collect();
    assert_eq!(lists, [200, 200, 200, 429, 429], "one refused request per call");
}
