//! Results delivered through a portal's rate limit: an outbox of finished runs drained by the
//! [`OutboxWorker`] into the emulator, whose bucket is small, against the best the bucket
//! allows. Once with batches of 50, once one `bizproc.event.send` per result.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use bizproc::BizprocReturn;
use bizproc::client::{AppCredentials, Client, PortalTokens, RateLimit};
use bizproc::outbox::{DeliveryPolicy, NewDelivery, Outbox, OutboxHandle, OutboxWorker, SqliteOutbox, Stats};
use bizproc::{Registration, Text, UserId};
use bizproc_emulator::{Credentials, Document, Emulator, RunId, RunOptions, RunState};
use chrono::NaiveDate;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::Verdict;
use crate::robot::{CreditCheck, Decision};

/// Batched delivery must reach at least this share of the ceiling.
const TARGET: f64 = 0.9;
/// Commands in one `batch` call.
const BATCH: usize = 50;

/// Options of the `delivery` benchmark.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Results delivered with batching.
    #[arg(long, default_value_t = 5000)]
    results: usize,
    /// The portal's bucket: requests it holds.
    #[arg(long, default_value_t = 5.0)]
    burst: f64,
    /// The portal's bucket: requests drained per second.
    #[arg(long, default_value_t = 2.0)]
    per_second: f64,
}

impl Default for Args {
    fn default() -> Self {
        Self { results: 5000, burst: 5.0, per_second: 2.0 }
    }
}

pub(crate) fn run(args: &Args) -> Verdict {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(bench(args))
}

async fn bench(args: &Args) -> Verdict {
    let limit = bizproc_emulator::RateLimit::new(args.per_second, args.burst);
    let portal = Portal::start().await;
    println!(
        "delivery: {} results through a bucket of {} draining {}/s (the client's bucket set to the same)",
        args.results, args.burst, args.per_second
    );

    // Batched: every result in the outbox, then the worker drains it.
    let runs = portal.finished_runs(args.results).await;
    let batched = portal.deliver(&runs, limit, args, BATCH, None).await;
    let calls = args.results.div_ceil(BATCH);
    let ceiling = ceiling(calls, args);
    let share = ceiling.as_secs_f64() / batched.elapsed.as_secs_f64();
    batched.print("batched", &format!("{calls} at best, taking {ceiling:.2?}"));

    // One result per request, for as long as the batched run took (it would take
    // `results / per_second` seconds to finish).
    let budget = batched.elapsed;
    let expected = (args.burst + args.per_second * budget.as_secs_f64()).ceil();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a small positive count
    let runs = portal.finished_runs(expected as usize + 10).await;
    let single = portal.deliver(&runs, limit, args, 1, Some(budget)).await;
    let best = args.burst + args.per_second * single.elapsed.as_secs_f64();
    single.print("one per request", &format!("{best:.0} at best in that time"));
    println!(
        "  in the time batching delivered {}, one result per request delivered {}: {:.0}x",
        batched.stats.delivered,
        single.stats.delivered,
        batched.stats.delivered as f64 / single.stats.delivered.max(1) as f64
    );

    let complete = batched.stats.delivered == args.results as u64 && batched.completed == args.results;
    let verdict = Verdict::of(share >= TARGET && complete && batched.caller_errors() == 0);
    println!(
        "delivery: batched {} results in {:.2?}, ceiling {:.2?}: {:.1}% of the ceiling, target >= {:.0}%; \
         {} refused by the portal's limit, {} failed attempts seen by the caller: {verdict:?}",
        batched.stats.delivered,
        batched.elapsed,
        ceiling,
        share * 100.0,
        TARGET * 100.0,
        batched.refused,
        batched.caller_errors(),
    );
    let _ = std::fs::remove_dir_all(&portal.dir);
    verdict
}

/// The least time `calls` requests take through the bucket: `burst` at once, then one per
/// drain interval.
fn ceiling(calls: usize, args: &Args) -> Duration {
    let after_burst = (calls as f64 - args.burst).max(0.0);
    Duration::from_secs_f64(after_burst / args.per_second)
}

/// What one delivery run measured.
struct Delivered {
    stats: Stats,
    elapsed: Duration,
    /// Requests the portal refused with `QUERY_LIMIT_EXCEEDED`.
    refused: usize,
    /// `bizproc.event.send` and `batch` requests made.
    requests: usize,
    /// Runs the portal closed with their values.
    completed: usize,
}

impl Delivered {
    /// Failures that reached the outbox: a result the client gave up on is retried there.
    fn caller_errors(&self) -> u64 {
        self.stats.retried + self.stats.dead_lettered
    }

    fn print(&self, what: &str, best: &str) {
        println!(
            "  {what}: {} delivered in {:.2?} ({:.1}/s) with {} requests ({best}); \
             {} refused by the portal's limit; outbox retried {}, dead-lettered {}; {} runs completed",
            self.stats.delivered,
            self.elapsed,
            self.stats.delivered as f64 / self.elapsed.as_secs_f64(),
            self.requests,
            self.refused,
            self.stats.retried,
            self.stats.dead_lettered,
            self.completed,
        );
    }
}

/// An emulated portal with a robot whose handler only acknowledges: runs are started to get
/// real event tokens, and their results are then delivered by the outbox.
struct Portal {
    emulator: Arc<Emulator>,
    credentials: Credentials,
    dir: std::path::PathBuf,
}

impl Portal {
    async fn start() -> Self {
        let emulator = Emulator::builder()
            .rate_limit(bizproc_emulator::RateLimit::UNLIMITED)
            .token_lifetime(Duration::from_secs(24 * 3600))
            .start()
            .await
            .expect("the emulator starts");
        let credentials = emulator.credentials();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let handler = format!("http://{}/robots/credit_check", listener.local_addr().expect("an address"));
        let router = Router::new().route("/robots/{code}", post(|| async { StatusCode::OK }));
        tokio::spawn(async move { axum::serve(listener, router).await });
        let client = client(&credentials, RateLimit::new(10_000.0, 10_000.0));
        let registration: Registration = CreditCheck::registration(handler);
        client.robot_add(&registration).await.expect("the robot registers");
        let dir = std::env::temp_dir().join(format!("bizproc-bench-delivery-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        Self { emulator: Arc::new(emulator), credentials, dir }
    }

    /// Starts `count` runs, each waiting for its result; their ids and event tokens.
    async fn finished_runs(&self, count: usize) -> Vec<(RunId, String)> {
        let emulator = &self.emulator;
        let mut started = JoinSet::new();
        let mut runs = Vec::with_capacity(count);
        for n in 0..count {
            if started.len() >= 32 {
                runs.push(started.join_next().await.expect("a run").expect("the run starts"));
            }
            let (emulator, member_id) = (Arc::clone(emulator), self.credentials.member_id.clone());
            started.spawn(async move {
                let options = RunOptions::default().timeout_duration(24 * 3600);
                let properties = crate::robot::sample_properties(n as u64);
                let id = emulator
                    .run_robot_with(&member_id, CreditCheck::CODE, Document::deal(n as u64 + 1), properties, options)
                    .await
                    .expect("the run starts");
                let token = emulator.run(id).expect("the run is recorded").event_token;
                (id, token)
            });
        }
        runs.extend(started.join_all().await);
        runs
    }

    /// Puts every run's result in a new outbox, sets the portal's bucket, and lets a worker
    /// deliver them (in batches of `batch_size`), until all are delivered or `budget` is over.
    async fn deliver(
        &self,
        runs: &[(RunId, String)],
        limit: bizproc_emulator::RateLimit,
        args: &Args,
        batch_size: usize,
        budget: Option<Duration>,
    ) -> Delivered {
        let path = self.dir.join(format!("outbox-{batch_size}.db"));
        let _ = std::fs::remove_file(&path);
        let outbox: Arc<dyn Outbox> = Arc::new(SqliteOutbox::open(&path).expect("the outbox opens"));
        for (_, token) in runs {
            let values = sample_result().return_values().into_json();
            let delivery =
                NewDelivery::new(&self.credentials.member_id, &self.credentials.client_endpoint, token, values);
            outbox.enqueue(&delivery).expect("the result is recorded");
        }

        // The bucket starts empty, as it would after a quiet spell.
        assert!(self.emulator.set_rate_limit(&self.credentials.member_id, limit), "the portal exists");
        tokio::time::sleep(Duration::from_secs(1)).await;
        self.emulator.clear_requests();

        let client = client(&self.credentials, RateLimit::new(args.per_second, args.burst));
        let policy = DeliveryPolicy { batch_size, ..DeliveryPolicy::default() };
        let started = Instant::now();
        let handle = OutboxWorker::new(Arc::clone(&outbox), Arc::new(move |_: &str, _: &str| Ok(client.clone())))
            .policy(policy)
            .spawn();
        wait(&handle, runs.len() as u64, budget).await;
        // A request in flight when the budget is over still counts, with its time.
        handle.stop().await;
        let elapsed = started.elapsed();
        let stats = handle.stats().expect("the outbox reads");
        assert!(self.emulator.set_rate_limit(&self.credentials.member_id, bizproc_emulator::RateLimit::UNLIMITED));

        let requests: Vec<_> = self
            .emulator
            .requests()
            .into_iter()
            .filter(|entry| !entry.in_batch && (entry.method == "bizproc.event.send" || entry.method == "batch"))
            .collect();
        let refused = requests.iter().filter(|entry| entry.error.as_deref() == Some("QUERY_LIMIT_EXCEEDED")).count();
        let completed = runs
            .iter()
            .filter(|(id, _)| {
                self.emulator.run(*id).is_some_and(|r| r.state == RunState::Completed && !r.return_values.is_empty())
            })
            .count();
        Delivered { stats, elapsed, refused, requests: requests.len(), completed }
    }
}

/// Waits until `total` results are delivered, or `budget` is over.
async fn wait(handle: &OutboxHandle, total: u64, budget: Option<Duration>) {
    let started = Instant::now();
    let give_up = budget.unwrap_or(Duration::from_secs(3600));
    loop {
        let stats = handle.stats().expect("the outbox reads");
        if stats.delivered >= total || started.elapsed() >= give_up {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn client(credentials: &Credentials, limit: RateLimit) -> Client {
    let app = AppCredentials::new(&credentials.client_id, credentials.client_secret.as_str())
        .token_url(&credentials.oauth_token_url);
    let tokens = PortalTokens::new(
        &credentials.member_id,
        &credentials.client_endpoint,
        credentials.access_token.as_str(),
        credentials.refresh_token.as_str(),
    );
    Client::builder().oauth(app, tokens).rate_limit(limit).build().expect("the client builds")
}

/// A typical result of the quickstart's robot.
fn sample_result() -> CreditCheck {
    CreditCheck {
        decision: Decision::Approve,
        score: 87,
        limit: 250_000.5,
        reviewer: UserId(7),
        comment: Some(Text::new("Scored 87 for DEAL_42")),
        checked_on: NaiveDate::from_ymd_opt(2026, 11, 28).expect("a date"),
        flags: vec!["checked:vip".to_owned()],
    }
}
