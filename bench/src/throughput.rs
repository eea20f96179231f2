//! Robot calls per second the quickstart's app accepts on 127.0.0.1 (read the form, verify
//! it against the portal store, record the call in a SQLite outbox, answer `200`), next to a
//! bare axum route that only reads the body, both loaded the same way in the same run.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use bizproc::BizprocReturn;
use bizproc::PortalLocale;
use bizproc::app::RobotApp;
use bizproc::client::AppCredentials;
use bizproc::handler::{Invocation, RequestLimits, SqlitePortalStore};
use bizproc::outbox::{MemoryOutbox, SqliteOutbox};
use bizproc_emulator::{Document, Emulator};
use tokio::net::TcpListener;

use crate::Verdict;
use crate::load::{self, Load, LoadReport};
use crate::robot::{CreditCheck, credit_check, sample_properties};

/// The app must accept at least this share of the bare route's rate.
const TARGET: f64 = 0.5;

/// Options of the `throughput` benchmark.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Keep-alive connections the load generator holds open.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 1.0)]
    warm_up: f64,
    /// Seconds measured per round.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Rounds, alternating the bare route and the app; the median round of each counts.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Load only one of the two (to profile it); no verdict then.
    #[arg(long, value_enum)]
    only: Option<Only>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Only {
    /// The bare axum route.
    Bare,
    /// The app with its SQLite outbox.
    App,
    /// The app with its outbox in memory.
    Memory,
}

impl Default for Args {
    fn default() -> Self {
        Self { connections: 32, warm_up: 1.0, seconds: 5.0, rounds: 3, only: None }
    }
}

pub(crate) fn run(args: &Args) -> Verdict {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let servers = runtime.block_on(Servers::start());
    let targets = [
        (Only::Bare, "bare axum route", servers.bare),
        (Only::App, "bizproc app, SQLite outbox", servers.app),
        (Only::Memory, "bizproc app, outbox in memory", servers.app_in_memory),
    ];
    let mut reports: [Vec<LoadReport>; 3] = Default::default();
    for round in 1..=args.rounds {
        for (i, (which, name, addr)) in targets.iter().enumerate() {
            if args.only.is_some_and(|only| only != *which) {
                continue;
            }
            let load = Load {
                addr: *addr,
                path: "/robots/credit_check".to_owned(),
                connections: args.connections,
                warm_up: Duration::from_secs_f64(args.warm_up),
                measure: Duration::from_secs_f64(args.seconds),
            };
            let report = load::drive(&load, Arc::clone(&servers.body));
            print_round(name, round, &report);
            if args.only.is_some() {
                for (thread, used) in &report.cpu_by_thread {
                    println!("    thread {thread}: {used:?} CPU");
                }
            }
            reports[i].push(report);
        }
    }
    runtime.block_on(servers.stop());
    if args.only.is_some() {
        return Verdict::Missed;
    }
    let [bare, app, in_memory] = reports.map(median);
    let ratio = app.per_second() / bare.per_second();
    let verdict = Verdict::of(ratio >= TARGET && app.failed == 0);
    println!(
        "throughput: app {:.0}/s (p50 {:?}, p99 {:?}), bare route {:.0}/s (p50 {:?}, p99 {:?}): \
         {:.0}% of the bare route, target >= {:.0}%: {verdict:?}",
        app.per_second(),
        app.percentile(0.5),
        app.percentile(0.99),
        bare.per_second(),
        bare.percentile(0.5),
        bare.percentile(0.99),
        ratio * 100.0,
        TARGET * 100.0,
    );
    println!(
        "  for reference, the app with its outbox in memory (not durable): {:.0}/s (p50 {:?}, p99 {:?}), \
         {:.0}% of the bare route",
        in_memory.per_second(),
        in_memory.percentile(0.5),
        in_memory.percentile(0.99),
        in_memory.per_second() / bare.per_second() * 100.0,
    );
    verdict
}

/// Options of the `parse` and `handle` measurements.
#[derive(Debug, clap::Args)]
pub(crate) struct Requests {
    /// Requests sent through.
    #[arg(long, default_value_t = 2000)]
    requests: u64,
}

/// Parses the requests the throughput benchmark sends, as the app does before its robot runs
/// (form decode, the run's fields, typed input), in a function of its own: run under
/// `valgrind --tool=callgrind --toggle-collect='*parse_requests*'`, the instructions counted are
/// those of parsing alone, a figure the host's load does not move as it moves times.
pub(crate) fn parse(args: &Requests) -> Verdict {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let servers = runtime.block_on(Servers::start());
    let bodies: Vec<Bytes> = (0..args.requests).map(|n| (servers.body)(n)).collect();
    let started = std::time::Instant::now();
    parse_requests(&bodies);
    let per_request = started.elapsed() / u32::try_from(bodies.len().max(1)).unwrap_or(u32::MAX);
    println!("parse: {} requests of {} bytes, {per_request:?} each", bodies.len(), bodies[0].len());
    runtime.block_on(servers.stop());
    Verdict::Met
}

#[inline(never)]
fn parse_requests(bodies: &[Bytes]) {
    let (locale, limits) = (PortalLocale::default(), RequestLimits::default());
    for body in bodies {
        let invocation = Invocation::<CreditCheck>::parse(body, None, &locale, &limits).expect("the request parses");
        std::hint::black_box(invocation);
    }
}

/// Sends the requests the throughput benchmark sends through the app's router in-process, one
/// after the other, outbox write included: under
/// `valgrind --tool=callgrind --toggle-collect='*handle_requests*'` the instructions counted
/// are the app's work per request on the thread that serves it (not the outbox writer's, nor
/// the HTTP connection's).
pub(crate) fn handle(args: &Requests) -> Verdict {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let servers = runtime.block_on(Servers::start());
    let router = runtime.block_on(async {
        let outbox = Arc::new(SqliteOutbox::open(servers.dir.join("handle.db")).expect("the outbox opens"));
        let app = RobotApp::new("http://127.0.0.1:9", servers.credentials.clone(), servers.store.clone());
        app.outbox(outbox).robot(credit_check).router()
    });
    // Numbered past the load's requests, so that each is a new run to the outbox.
    let bodies: Vec<Bytes> = (0..args.requests).map(|n| (servers.body)(u64::MAX / 2 + n)).collect();
    let started = std::time::Instant::now();
    let accepted = handle_requests(&runtime, &router, &bodies);
    let per_request = started.elapsed() / u32::try_from(bodies.len().max(1)).unwrap_or(u32::MAX);
    println!("handle: {accepted} of {} requests accepted, {per_request:?} each", bodies.len());
    runtime.block_on(servers.stop());
    Verdict::of(accepted == bodies.len())
}

#[inline(never)]
fn handle_requests(runtime: &tokio::runtime::Runtime, router: &Router, bodies: &[Bytes]) -> usize {
    use tower::ServiceExt as _;
    runtime.block_on(async {
        let mut accepted = 0;
        for body in bodies {
            let request = axum::http::Request::post("/robots/credit_check")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from(body.clone()))
                .expect("a request");
            let response = router.clone().oneshot(request).await.expect("the router answers");
            accepted += usize::from(response.status() == StatusCode::OK);
        }
        accepted
    })
}

fn print_round(what: &str, round: usize, report: &LoadReport) {
    println!(
        "  round {round} {what}: {:.0}/s, p50 {:?}, p99 {:?}, {} failed, {:?} CPU per request",
        report.per_second(),
        report.percentile(0.5),
        report.percentile(0.99),
        report.failed,
        report.cpu_per_request(),
    );
}

fn median(mut reports: Vec<LoadReport>) -> LoadReport {
    reports.sort_by(|a, b| a.per_second().total_cmp(&b.per_second()));
    if reports.is_empty() {
        return LoadReport {
            ok: 0,
            failed: 0,
            window: Duration::from_secs(1),
            latencies_us: Vec::new(),
            cpu_by_thread: std::collections::BTreeMap::new(),
        };
    }
    reports.swap_remove(reports.len() / 2)
}

/// The emulated portal, the app installed on it, and the bare route, all served.
struct Servers {
    emulator: Emulator,
    app: SocketAddr,
    /// The same app with a `MemoryOutbox`, sharing the first one's portal store.
    app_in_memory: SocketAddr,
    bare: SocketAddr,
    /// Request `n`'s body: a handler request the portal sent, given run number `n`.
    body: Arc<dyn Fn(u64) -> Bytes + Send + Sync>,
    dir: std::path::PathBuf,
    store: Arc<SqlitePortalStore>,
    credentials: AppCredentials,
}

impl Servers {
    async fn start() -> Self {
        let emulator = Emulator::builder().start().await.expect("the emulator starts");
        let portal = emulator.credentials();
        let dir = std::env::temp_dir().join(format!("bizproc-bench-throughput-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");

        let store = Arc::new(SqlitePortalStore::open(dir.join("portals.db")).expect("the portal store opens"));
        let credentials =
            AppCredentials::new(&portal.client_id, portal.client_secret.as_str()).token_url(&portal.oauth_token_url);
        let outbox = Arc::new(SqliteOutbox::open(dir.join("outbox.db")).expect("the outbox opens"));
        let app = serve(|url| RobotApp::new(url, credentials.clone(), store.clone()).outbox(outbox)).await;
        let in_memory = Arc::new(MemoryOutbox::default());
        let app_in_memory = serve(|url| RobotApp::new(url, credentials.clone(), store.clone()).outbox(in_memory)).await;
        let installed =
            emulator.install_app(&portal.member_id, &format!("http://{app}/bitrix/events")).await.expect("installs");
        assert_eq!(installed.status, 200, "the app installs: {}", installed.response);

        // One real run gives the request the portal sends; every request of the load is that
        // request with a workflow id (and so an event token) of its own.
        let run = emulator
            .run_robot(&portal.member_id, CreditCheck::CODE, Document::deal(1), sample_properties(1))
            .await
            .expect("the robot runs");
        let record = emulator.run(run).expect("the run is recorded");
        assert_eq!(record.handler_status, Some(200), "the app accepts the portal's request");
        let parts: Vec<Vec<u8>> =
            record.body.split(record.workflow_id.as_str()).map(|part| part.as_bytes().to_vec()).collect();
        assert!(parts.len() >= 3, "the workflow id is in `workflow_id` and `event_token`");
        let body = Arc::new(move |n: u64| {
            let id = format!("bench{n:020}");
            Bytes::from(parts.join(id.as_bytes()))
        });

        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let bare = listener.local_addr().expect("an address");
        let router = Router::new().route(
            "/robots/{code}",
            post(|body: Bytes| async move {
                std::hint::black_box(body);
                StatusCode::OK
            }),
        );
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { emulator, app, app_in_memory, bare, body, dir, store, credentials }
    }

    async fn stop(self) {
        // The apps' outbox workers stop with the runtime.
        self.emulator.shutdown().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Serves the quickstart's robot with the app `app` builds for its URL, on a port of its own.
async fn serve(app: impl FnOnce(String) -> RobotApp) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("an address");
    let router = app(format!("http://{addr}")).robot(credit_check).router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}
