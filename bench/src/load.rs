//! A closed-loop HTTP/1.1 load generator: a fixed number of keep-alive connections, each
//! sending its next request as soon as the last one is answered.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// What one load run measured.
#[derive(Debug, Clone)]
pub(crate) struct LoadReport {
    /// Requests answered `200` within the measured window.
    pub ok: u64,
    /// Requests answered otherwise, or failed, within the window.
    pub failed: u64,
    /// The measured window.
    pub window: Duration,
    /// Latencies of the answered requests within the window, sorted, in microseconds.
    pub latencies_us: Vec<u32>,
    /// CPU time each thread of the process (server, load generator, emulator) used within
    /// the window, by thread name.
    pub cpu_by_thread: BTreeMap<String, Duration>,
}

impl LoadReport {
    /// CPU time of the whole process per answered request, within the window.
    pub(crate) fn cpu_per_request(&self) -> Duration {
        let requests = u32::try_from(self.ok.max(1)).unwrap_or(u32::MAX);
        self.cpu_by_thread.values().sum::<Duration>() / requests
    }

    pub(crate) fn per_second(&self) -> f64 {
        self.ok as f64 / self.window.as_secs_f64()
    }

    /// The latency below which `q` of the requests were answered (`q` in 0..=1).
    pub(crate) fn percentile(&self, q: f64) -> Duration {
        if self.latencies_us.is_empty() {
            return Duration::ZERO;
        }
        // Nearest rank, on a sorted list: a fraction of its length is an index into it.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let rank = ((self.latencies_us.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
        Duration::from_micros(u64::from(self.latencies_us[rank]))
    }
}

/// How to load a server.
#[derive(Debug, Clone)]
pub(crate) struct Load {
    pub addr: SocketAddr,
    pub path: String,
    pub connections: usize,
    pub warm_up: Duration,
    pub measure: Duration,
}

/// Drives `load`, the body of request `n` (counted across all connections) being `body(n)`,
/// on a runtime of its own on one thread, as a separate load-generating process would.
pub(crate) fn drive(load: &Load, body: Arc<dyn Fn(u64) -> Bytes + Send + Sync>) -> LoadReport {
    let load = load.clone();
    std::thread::Builder::new()
        .name("load-generator".to_owned())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(run(load, body))
        })
        .expect("the load generator starts")
        .join()
        .expect("the load generator ran")
}

/// The number of the next request, run on from one load to the next: a body is made from its
/// request's number, and an app keeps one result per event token, so a round that numbered its
/// requests afresh would send the tokens of the rounds before and measure only duplicates.
static NEXT_REQUEST: AtomicU64 = AtomicU64::new(0);

async fn run(load: Load, body: Arc<dyn Fn(u64) -> Bytes + Send + Sync>) -> LoadReport {
    let start = Instant::now();
    let from = start + load.warm_up;
    let until = from + load.measure;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..load.connections {
        let (load, body) = (load.clone(), Arc::clone(&body));
        tasks.spawn(async move { connection(&load, &*body, &NEXT_REQUEST, from, until).await });
    }
    // The CPU the process uses while the window is open, taken on this thread's runtime;
    // the warm-up is left out, as its requests are.
    let cpu = tokio::spawn(async move {
        tokio::time::sleep_until(from.into()).await;
        let before = cpu_by_thread();
        tokio::time::sleep_until(until.into()).await;
        let mut used = cpu_by_thread();
        for (thread, time) in &mut used {
            *time = time.saturating_sub(before.get(thread).copied().unwrap_or_default());
        }
        used
    });
    let mut report =
        LoadReport { ok: 0, failed: 0, window: load.measure, latencies_us: Vec::new(), cpu_by_thread: BTreeMap::new() };
    for (ok, failed, latencies) in tasks.join_all().await {
        report.ok += ok;
        report.failed += failed;
        report.latencies_us.extend(latencies);
    }
    report.latencies_us.sort_unstable();
    report.cpu_by_thread = cpu.await.unwrap_or_default();
    report
}

/// One keep-alive connection: requests one after another until `until`; counts those sent
/// at or after `from`.
async fn connection(
    load: &Load,
    body: &(dyn Fn(u64) -> Bytes + Send + Sync),
    counter: &AtomicU64,
    from: Instant,
    until: Instant,
) -> (u64, u64, Vec<u32>) {
    let (mut ok, mut failed, mut latencies) = (0, 0, Vec::new());
    let stream = TcpStream::connect(load.addr).await.expect("the server accepts connections");
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("an HTTP/1.1 connection");
    tokio::spawn(connection);
    let host = load.addr.to_string();
    loop {
        let sent = Instant::now();
        if sent >= until {
            break;
        }
        let request = Request::post(load.path.as_str())
            .header(HOST, &host)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Full::new(body(counter.fetch_add(1, Ordering::Relaxed))))
            .expect("a request");
        let answered = match sender.send_request(request).await {
            Ok(response) => {
                let status = response.status();
                response.into_body().collect().await.is_ok() && status == hyper::StatusCode::OK
            }
            Err(_) => false,
        };
        if sent >= from {
            if answered {
                ok += 1;
                latencies.push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
            } else {
                failed += 1;
            }
        }
        if !answered && sender.ready().await.is_err() {
            break; // the server closed the connection
        }
    }
    (ok, failed, latencies)
}

/// CPU time used so far by each thread of this process, summed by thread name.
fn cpu_by_thread() -> BTreeMap<String, Duration> {
    let mut threads = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return threads;
    };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else { continue };
        let Some((head, rest)) = stat.rsplit_once(')') else { continue };
        let name = head.split_once('(').map_or("", |(_, name)| name).to_owned();
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = fields.get(11..13).map_or(0, |t| t.iter().filter_map(|f| f.parse::<u64>().ok()).sum());
        *threads.entry(name).or_insert(Duration::ZERO) += Duration::from_millis(ticks * 10);
    }
    threads
}
