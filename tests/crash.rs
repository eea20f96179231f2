//! The crash harness: the app (`examples/crash_app.rs`, a child process with SQLite stores) is
//! killed with SIGKILL in the middle of 200 robot runs, then restarted on the same port and the
//! same files. Every run the app acknowledged must complete with its exact values; repeated
//! sends are counted and must have been ignored by the portal as duplicates.
//!
//! Bitrix24 never re-sends a robot call, so a call that reached the app while it was dead was
//! refused (connection refused or reset) and is lost by the portal itself: the harness does not
//! count those as accepted. It reports how many were refused while the app was down, and how
//! many of them completed anyway (the app had recorded the call but died before its `200` left).

use bizproc_suite::TempDir;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bizproc::outbox::{Outbox, SqliteOutbox};
use bizproc_emulator::{Document, Emulator, IgnoreReason, RunId, RunOptions, RunState};
use serde_json::{Value, json};
use tokio::sync::{Mutex, Semaphore};
use tokio::task::JoinSet;

const RUNS: i64 = 200;
/// The app is killed once this many runs were acknowledged.
const KILL_AFTER: usize = 60;

/// The values a run of `n` must hold.
fn expected(n: i64) -> Value {
    json!({ "doubled": n * 2, "label": format!("run {n}") })
}

/// The example's binary, built first if `cargo test` did not build it.
fn crash_app() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from);
    let binary = target.join("debug").join("examples").join(format!("crash_app{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--example", "crash_app"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "the crash_app example builds");
    }
    binary
}

/// How to start the app.
struct AppCommand {
    binary: PathBuf,
    env: Vec<(&'static str, String)>,
}

impl AppCommand {
    /// Starts the app and waits until it prints `ready`.
    fn spawn(&self) -> Child {
        let mut command = Command::new(&self.binary);
        command.envs(self.env.iter().map(|(k, v)| (*k, v.as_str()))).stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = command.spawn().expect("the app starts");
        let stdout = child.stdout.take().expect("a piped stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("the app writes a line");
        assert_eq!(line.trim(), "ready", "the app's first line");
        child
    }
}

/// Kills the app when the test ends, whatever happens.
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_app_killed_mid_flight_loses_no_accepted_run() {
    let binary = tokio::task::spawn_blocking(crash_app).await.expect("the build task joins");
    let dir = TempDir::new("crash");
    let emulator = Arc::new(
        Emulator::builder()
            .rate_limit(bizproc_emulator::RateLimit::UNLIMITED)
            .start()
            .await
            .expect("the emulator starts"),
    );
    let portal = emulator.credentials();
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("an address");
    let url = format!("http://{port}");
    let command = Arc::new(AppCommand {
        binary,
        env: vec![
            ("CRASH_CLIENT_ID", portal.client_id.clone()),
            ("CRASH_CLIENT_SECRET", portal.client_secret.clone()),
            ("CRASH_TOKEN_URL", portal.oauth_token_url.clone()),
            ("CRASH_LISTEN", port.to_string()),
            ("CRASH_PORTALS_DB", dir.0.join("portals.db").display().to_string()),
            ("CRASH_OUTBOX_DB", dir.0.join("outbox.db").display().to_string()),
        ],
    });
    let spawner = Arc::clone(&command);
    let first = tokio::task::spawn_blocking(move || spawner.spawn()).await.expect("the app starts");
    let running = Arc::new(Mutex::new(Running(Some(first))));
    let installed =
        emulator.install_app(&portal.member_id, &format!("{url}/bitrix/events")).await.expect("the app installs");
    assert_eq!(installed.status, 200, "ONAPPINSTALL answered: {}", installed.response);

    // 200 runs, 16 at a time so that the kill lands in the middle of them.
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(tokio::sync::Notify::new());
    let slots = Arc::new(Semaphore::new(16));
    let mut started = JoinSet::new();
    for n in 1..=RUNS {
        let (emulator, member_id) = (Arc::clone(&emulator), portal.member_id.clone());
        let (acknowledged, slots) = (Arc::clone(&acknowledged), Arc::clone(&slots));
        let killed = Arc::clone(&killed);
        started.spawn(async move {
            let _slot = slots.acquire_owned().await.expect("the semaphore is open");
            let options = RunOptions::default().timeout_duration(3600);
            let id = emulator
                .run_robot_with(&member_id, "crash_count", Document::deal(n.unsigned_abs()), json!({ "n": n }), options)
                .await
                .expect("the run starts");
            if emulator.run(id).expect("the run").handler_status == Some(200)
                && acknowledged.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER
            {
                killed.notify_one();
            }
            (n, id)
        });
    }

    // SIGKILL once KILL_AFTER runs were acknowledged, then restart on the same port and files.
    killed.notified().await;
    {
        let mut running = running.lock().await;
        let mut child = running.0.take().expect("the app runs");
        child.kill().expect("SIGKILL");
        child.wait().expect("the app is reaped");
    }
    let acknowledged_at_kill = acknowledged.load(Ordering::SeqCst);
    // What the dead app left on disk: calls acknowledged whose result was not yet recorded
    // (run again on restart), and results recorded but not yet delivered.
    let (unfinished_calls, undelivered) = {
        let outbox = SqliteOutbox::open(dir.0.join("outbox.db")).expect("the outbox opens");
        let calls = outbox.pending_calls().expect("the calls read").len();
        (calls, outbox.stats().expect("the counters read").pending)
    };
    let restarted = tokio::task::spawn_blocking(move || command.spawn()).await.expect("the app restarts");
    running.lock().await.0 = Some(restarted);

    let mut runs = started.join_all().await;
    runs.sort_unstable();

    // Every acknowledged run must complete with its exact values, once; repeats are ignored.
    let (mut accepted, mut duplicates, mut refused, mut refused_completed) = (0, 0, 0, 0);
    let mut accepted_ids: Vec<(i64, RunId)> = Vec::new();
    for (n, id) in &runs {
        let record = emulator.run(*id).expect("the run");
        if record.handler_status == Some(200) {
            accepted += 1;
            accepted_ids.push((*n, *id));
        } else {
            refused += 1;
        }
    }
    for (n, id) in &accepted_ids {
        let record = emulator.wait_for_run(*id, Duration::from_secs(30)).await.expect("the run closes in time");
        assert_eq!(record.state, RunState::Completed, "run {n}: {record:#?}");
        assert_eq!(Value::Object(record.return_values.clone()), expected(*n), "run {n}");
        assert_eq!(record.log.len(), 1, "run {n} was completed once: {:?}", record.log);
        for ignored in &record.ignored {
            assert_eq!(ignored.reason, IgnoreReason::Duplicate, "run {n}: {:?}", record.ignored);
            // The portal keeps an ignored call's values as they came over the wire (strings).
            let sent = json!({ "doubled": (n * 2).to_string(), "label": format!("run {n}") });
            assert_eq!(ignored.return_values, Some(sent), "run {n}: the repeat carried the same values");
            duplicates += 1;
        }
    }
    // Refused calls: the portal does not re-send them. One the app recorded before it died
    // (its 200 never left) is still completed after the restart; give those a moment.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for (n, id) in &runs {
        let record = emulator.run(*id).expect("the run");
        if record.handler_status != Some(200) && record.state == RunState::Completed {
            assert_eq!(Value::Object(record.return_values.clone()), expected(*n), "run {n}");
            refused_completed += 1;
        }
    }
    println!(
        "crash harness: {RUNS} runs, killed after {acknowledged_at_kill} acknowledged, leaving {unfinished_calls} \
         accepted calls unfinished and {undelivered} results undelivered; {accepted} accepted (200), \
         {accepted} completed with their values, {duplicates} duplicate sends ignored by the portal; \
         {refused} refused while the app was down ({refused_completed} of them completed anyway)"
    );
    assert_eq!(accepted + refused, usize::try_from(RUNS).expect("fits"));
    assert!(accepted >= KILL_AFTER, "the kill came after {KILL_AFTER} acknowledgements");
    // The robot sleeps 20 ms and 16 calls are in flight: the kill catches some mid-run, and
    // those completed above only because the restarted app ran them again.
    // Timing decides how many: a kill that caught none proves less, but nothing was lost either.
    if unfinished_calls == 0 {
        eprintln!("crash harness: the kill caught no run mid-flight this time; the re-run path was not exercised");
    }
}
