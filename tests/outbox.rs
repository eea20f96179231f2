//! Durable delivery end to end, over real HTTP on 127.0.0.1: each test starts its own emulated
//! portal and a `RobotApp` with an outbox, and checks what the portal recorded. Faults are
//! injected by the emulator; the app's client retries little, so the outbox does the work.

use bizproc_suite::TempDir;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bizproc::app::RobotApp;
use bizproc::client::{AppCredentials, ClientBuilder, RetryPolicy};
use bizproc::handler::{MemoryPortalStore, PortalStore, Run, SqlitePortalStore};
use bizproc::outbox::{DeliveryPolicy, DeliveryState, MemoryOutbox, Outbox, OutboxHandle, SqliteOutbox, Stats};
use bizproc::{BizprocProperties, BizprocReturn};
use bizproc_emulator::{Document, Emulator, Fault, IgnoreReason, RandomFaults, RunId, RunOptions, RunRecord, RunState};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

// ---------------------------------------------------------------------------------------------
// The robot
// ---------------------------------------------------------------------------------------------

#[derive(BizprocProperties, Debug)]
struct CountInput {
    /// The number to count from.
    n: i64,
}

/// Counts.
#[derive(BizprocReturn, Debug)]
#[bizproc(code = "count", name = "Count", input = CountInput)]
struct Counted {
    doubled: i64,
    label: String,
    digits: Vec<String>,
}

fn count(input: &CountInput) -> Counted {
    Counted {
        doubled: input.n * 2,
        label: format!("run {}", input.n),
        digits: input.n.to_string().chars().map(String::from).collect(),
    }
}

/// The values a run of `n` must hold, as the portal stores them.
fn expected(n: i64) -> Value {
    let digits: Vec<String> = n.to_string().chars().map(String::from).collect();
    json!({ "doubled": n * 2, "label": format!("run {n}"), "digits": digits })
}

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// No client retries and a short timeout: every fault reaches the outbox, which retries.
fn configure_client(builder: ClientBuilder) -> ClientBuilder {
    let policy = RetryPolicy {
        max_attempts: 1,
        max_wait: Duration::from_secs(1),
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    };
    builder
        .rate_limit(bizproc::client::RateLimit::new(10_000.0, 10_000.0))
        .retry_policy(policy)
        .timeout(Duration::from_secs(5))
}

/// Fast retries, so that a test takes seconds.
fn fast_policy() -> DeliveryPolicy {
    DeliveryPolicy {
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        poll_interval: Duration::from_millis(50),
        ..DeliveryPolicy::default()
    }
}

/// An app served on a listener until stopped.
struct Served {
    url: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    outbox: OutboxHandle,
}

impl Served {
    /// Stops the outbox worker, then the server.
    async fn stop(self) {
        self.outbox.stop().await;
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the app stops within 10 s")
            .expect("the server task joins")
            .expect("the server ran without an I/O error");
    }
}

async fn serve(
    emulator: &Emulator,
    store: Arc<dyn PortalStore>,
    outbox: Arc<dyn Outbox>,
    policy: DeliveryPolicy,
) -> Served {
    let portal = emulator.credentials();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let addr: SocketAddr = listener.local_addr().expect("an address");
    let url = format!("http://{addr}");
    let credentials =
        AppCredentials::new(&portal.client_id, portal.client_secret.as_str()).token_url(&portal.oauth_token_url);
    let app = RobotApp::new(&url, credentials, store)
        .configure_client(configure_client)
        .outbox_with_policy(outbox, policy)
        .robot(|input: CountInput, _run: Run<Counted>| std::future::ready(Ok::<_, String>(count(&input))));
    let handle = app.outbox_handle().expect("the app has an outbox");
    let router = app.router();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Served { url, stop, task, outbox: handle }
}

/// An emulated portal with no rate limit, the app served and installed on it.
async fn start(
    store: Arc<dyn PortalStore>,
    outbox: Arc<dyn Outbox>,
    policy: DeliveryPolicy,
) -> (Arc<Emulator>, Served) {
    let emulator = Emulator::builder()
        .rate_limit(bizproc_emulator::RateLimit::UNLIMITED)
        .start()
        .await
        .expect("the emulator starts");
    let app = serve(&emulator, store, outbox, policy).await;
    let member_id = emulator.credentials().member_id;
    let installed = emulator.install_app(&member_id, &format!("{}/bitrix/events", app.url)).await.expect("installs");
    assert_eq!(installed.status, 200, "ONAPPINSTALL answered: {}", installed.response);
    (Arc::new(emulator), app)
}

/// Starts runs `from..to` of the robot, `n` being the run's number, all at once; their ids
/// once every handler has answered.
async fn start_runs(emulator: &Arc<Emulator>, numbers: std::ops::Range<i64>, timeout: u64) -> Vec<(i64, RunId)> {
    let member_id = emulator.credentials().member_id;
    let mut started = JoinSet::new();
    for n in numbers {
        let (emulator, member_id) = (Arc::clone(emulator), member_id.clone());
        started.spawn(async move {
            let options = RunOptions::default().timeout_duration(timeout);
            let id = emulator
                .run_robot_with(&member_id, Counted::CODE, Document::deal(n.unsigned_abs()), json!({ "n": n }), options)
                .await
                .expect("the run starts");
            (n, id)
        });
    }
    let mut ids = started.join_all().await;
    ids.sort_unstable();
    for (_, id) in &ids {
        let record = emulator.run(*id).expect("the run exists");
        assert_eq!(record.handler_status, Some(200), "the handler refused run {id}: {record:#?}");
    }
    ids
}

/// Waits for every run to close; asserts each completed with its exact values. Answers how
/// many repeated sends the portal ignored as duplicates.
async fn assert_all_completed(emulator: &Emulator, ids: &[(i64, RunId)], within: Duration) -> usize {
    let mut duplicates = 0;
    for (n, id) in ids {
        let record: RunRecord = emulator.wait_for_run(*id, within).await.expect("the run closes in time");
        assert_eq!(record.state, RunState::Completed, "run {n}: {record:#?}");
        assert_eq!(Value::Object(record.return_values.clone()), expected(*n), "run {n}");
        assert!(record.misfits.is_empty() && record.dropped_keys.is_empty(), "run {n} lost values: {record:#?}");
        assert_eq!(record.log.len(), 1, "run {n} was completed once: {:?}", record.log);
        for ignored in &record.ignored {
            assert_eq!(ignored.reason, IgnoreReason::Duplicate, "run {n}: {:?}", record.ignored);
            duplicates += 1;
        }
    }
    duplicates
}

/// Polls the outbox until `done` holds for its counters, for up to `within`.
async fn wait_for_stats(handle: &OutboxHandle, within: Duration, done: impl Fn(&Stats) -> bool) -> Stats {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let stats = handle.stats().expect("the outbox reads");
        if done(&stats) {
            return stats;
        }
        assert!(tokio::time::Instant::now() < deadline, "the outbox did not get there: {stats:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How many `bizproc.event.send` and `batch` HTTP requests the portal answered, and how many
/// of them with an error.
fn delivery_requests(emulator: &Emulator) -> (usize, usize) {
    let requests: Vec<_> = emulator
        .requests()
        .into_iter()
        .filter(|entry| !entry.in_batch && (entry.method == "bizproc.event.send" || entry.method == "batch"))
        .collect();
    let failed = requests.iter().filter(|entry| entry.status != 200).count();
    (requests.len(), failed)
}

/// Makes every `bizproc.event.send` and `batch` request fail (connection cut) for `count`
/// requests each: the portal is unreachable for results.
fn portal_unreachable(emulator: &Emulator, count: usize) {
    emulator.fail_next("bizproc.event.send", count, Fault::Drop);
    emulator.fail_next("batch", count, Fault::Drop);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_hundred_runs_through_random_faults_all_complete() {
    let dir = TempDir::new("outbox-faults");
    let outbox = Arc::new(SqliteOutbox::open(dir.0.join("outbox.db")).expect("the outbox opens"));
    // Batches of 10 rather than 50, so that the 500 results take enough requests for the
    // faults to matter.
    let policy = DeliveryPolicy { batch_size: 10, ..fast_policy() };
    let (emulator, app) = start(Arc::new(MemoryPortalStore::default()), outbox, policy).await;
    emulator.random_faults(RandomFaults::new(0.2, 20_261_128).methods(["bizproc.event.send", "batch"]).faults([
        Fault::query_limit(),
        Fault::internal_error(),
        Fault::delay(Duration::from_millis(50)),
        Fault::Drop,
    ]));

    let started = std::time::Instant::now();
    let ids = start_runs(&emulator, 1..501, 3600).await;
    let duplicates = assert_all_completed(&emulator, &ids, Duration::from_secs(30)).await;
    let stats = wait_for_stats(&app.outbox, Duration::from_secs(5), |s| s.delivered == 500).await;
    let (requests, failed) = delivery_requests(&emulator);
    println!(
        "500 runs with 20% faults in {:?}: delivered {}, retried {}, dead-lettered {}, pending {}; \
         {requests} event.send/batch requests, {failed} answered with an error; {duplicates} duplicates ignored",
        started.elapsed(),
        stats.delivered,
        stats.retried,
        stats.dead_lettered,
        stats.pending,
    );
    assert_eq!(stats, Stats { pending: 0, delivered: 500, dead_lettered: 0, ..stats });
    assert!(failed > 0 && stats.retried > 0, "faults were injected and retried");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_wait_out_an_unreachable_portal() {
    let (emulator, app) =
        start(Arc::new(MemoryPortalStore::default()), Arc::new(MemoryOutbox::default()), fast_policy()).await;
    portal_unreachable(&emulator, 30);
    let ids = start_runs(&emulator, 1..21, 3600).await;

    // While the portal is unreachable, the results wait in the outbox.
    let down = wait_for_stats(&app.outbox, Duration::from_secs(10), |s| s.retried >= 20).await;
    assert_eq!(down.dead_lettered, 0, "{down:?}");
    assert!(down.pending > 0, "{down:?}");
    assert!(ids.iter().all(|(_, id)| emulator.run(*id).expect("the run").state == RunState::Waiting));

    // Once the scripted failures are spent, the portal is back: everything is delivered.
    let duplicates = assert_all_completed(&emulator, &ids, Duration::from_secs(20)).await;
    let stats = wait_for_stats(&app.outbox, Duration::from_secs(5), |s| s.delivered == 20).await;
    println!("unreachable portal: {stats:?}, {duplicates} duplicates ignored");
    assert_eq!((stats.pending, stats.dead_lettered), (0, 0));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_past_its_deadline_is_dead_lettered_then_replayed() {
    let (emulator, app) =
        start(Arc::new(MemoryPortalStore::default()), Arc::new(MemoryOutbox::default()), fast_policy()).await;
    portal_unreachable(&emulator, 100_000);
    let ids = start_runs(&emulator, 7..8, 2).await;
    let (_, id) = ids[0];
    let token = emulator.run(id).expect("the run").event_token;

    let stats = wait_for_stats(&app.outbox, Duration::from_secs(10), |s| s.dead_lettered == 1).await;
    assert_eq!(stats.pending, 0, "{stats:?}");
    assert!(stats.retried > 0, "it was tried before its deadline: {stats:?}");
    let dead = app.outbox.dead_letters(10).expect("dead letters read");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].event_token, token);
    assert_eq!(dead[0].return_values, expected(7));
    assert!(dead[0].last_error.as_deref().is_some_and(|e| e.contains("deadline")), "{dead:?}");

    // Not retried forever: no more attempts once dead-lettered.
    let (before, _) = delivery_requests(&emulator);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(delivery_requests(&emulator).0, before, "a dead letter is not retried");
    assert_eq!(app.outbox.stats().expect("stats").retried, stats.retried);
    let record = emulator.wait_for_run(id, Duration::from_secs(5)).await.expect("the run closed");
    assert_eq!(record.state, RunState::TimedOut);

    // Replayed once the portal is back: delivered (and, the run having timed out, ignored by
    // the portal, which says so only to the emulator).
    emulator.clear_faults();
    assert!(app.outbox.replay(&token, Some(Duration::from_secs(60))).expect("replays"));
    assert!(!app.outbox.replay(&token, None).expect("replays"), "only dead letters replay");
    let stats = wait_for_stats(&app.outbox, Duration::from_secs(10), |s| s.delivered == 1).await;
    assert_eq!((stats.pending, stats.dead_lettered), (0, 0));
    let delivery = app.outbox.outbox().get(&token).expect("reads").expect("kept");
    assert_eq!(delivery.state, DeliveryState::Delivered);
    let record = emulator.run(id).expect("the run");
    assert_eq!(record.ignored.iter().map(|call| call.reason).collect::<Vec<_>>(), [IgnoreReason::TimedOut]);
    assert_eq!(record.ignored[0].return_values, Some(expected(7)));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_app_delivers_what_was_pending() {
    let dir = TempDir::new("outbox-restart");
    let (outbox_path, portals_path) = (dir.0.join("outbox.db"), dir.0.join("portals.db"));
    let portals = Arc::new(SqlitePortalStore::open(&portals_path).expect("the portal store opens"));
    let outbox = Arc::new(SqliteOutbox::open(&outbox_path).expect("the outbox opens"));
    let (emulator, app) = start(portals, outbox, fast_policy()).await;
    portal_unreachable(&emulator, 100_000);
    let ids = start_runs(&emulator, 1..31, 3600).await;
    wait_for_stats(&app.outbox, Duration::from_secs(10), |s| s.pending == 30 && s.retried >= 30).await;
    let handle = app.outbox.clone();
    app.stop().await;
    let down = handle.stats().expect("stats");
    let (requests, _) = delivery_requests(&emulator);
    assert!(ids.iter().all(|(_, id)| emulator.run(*id).expect("the run").state == RunState::Waiting));

    // A new app on the same files, the portal back: the new worker delivers everything.
    emulator.clear_faults();
    let portals = Arc::new(SqlitePortalStore::open(&portals_path).expect("the portal store reopens"));
    let outbox = Arc::new(SqliteOutbox::open(&outbox_path).expect("the outbox reopens"));
    assert_eq!(outbox.stats().expect("stats").pending, 30, "nothing was lost on the way down");
    let app = serve(&emulator, portals, outbox, fast_policy()).await;
    let duplicates = assert_all_completed(&emulator, &ids, Duration::from_secs(20)).await;
    let stats = wait_for_stats(&app.outbox, Duration::from_secs(5), |s| s.delivered == 30).await;
    println!("restart: before {down:?} ({requests} failed requests), after {stats:?}, {duplicates} duplicates ignored");
    assert_eq!((stats.pending, stats.dead_lettered), (0, 0));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_the_portal_refuses_is_dead_lettered_at_once() {
    let (emulator, app) =
        start(Arc::new(MemoryPortalStore::default()), Arc::new(MemoryOutbox::default()), fast_policy()).await;
    portal_unreachable(&emulator, 100_000);
    let ids = start_runs(&emulator, 3..4, 3600).await;
    let (_, id) = ids[0];
    wait_for_stats(&app.outbox, Duration::from_secs(10), |s| s.retried >= 1).await;

    // The workflow is ended while the result waits; once the portal answers, it refuses it.
    emulator.end_workflow(id).expect("the workflow ends");
    emulator.clear_faults();
    let stats = wait_for_stats(&app.outbox, Duration::from_secs(10), |s| s.dead_lettered == 1).await;
    assert_eq!((stats.pending, stats.delivered), (0, 0), "{stats:?}");
    let dead = app.outbox.dead_letters(10).expect("dead letters read");
    let reason = dead[0].last_error.as_deref().unwrap_or_default();
    assert!(reason.starts_with("refused:") && reason.contains("ERROR_WORKFLOW_NOT_FOUND"), "{reason}");
    app.stop().await;
}
