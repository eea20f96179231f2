//! A robot app for the crash harness (`tests/crash.rs`): one robot, `crash_count`, that sleeps
//! about 20 ms and answers values derived from its input, served with a SQLite portal store
//! and a SQLite outbox, so that it can be killed and restarted on the same files.
//!
//! Configured from the environment:
//!
//! - `CRASH_CLIENT_ID`, `CRASH_CLIENT_SECRET`, `CRASH_TOKEN_URL`: the app's OAuth credentials
//!   and the portal's token endpoint;
//! - `CRASH_LISTEN`: the address to serve on (`127.0.0.1:8080` unless set);
//! - `CRASH_PORTALS_DB`, `CRASH_OUTBOX_DB`: the SQLite files.
//!
//! It prints `ready` once it serves.
//!
//! ```text
//! CRASH_CLIENT_ID=local.app.1 CRASH_CLIENT_SECRET=secret CRASH_TOKEN_URL=https://oauth.bitrix.info/oauth/token/ \
//!   CRASH_PORTALS_DB=portals.db CRASH_OUTBOX_DB=outbox.db cargo run --example crash_app
//! ```

use std::error::Error;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use bizproc::app::RobotApp;
use bizproc::client::{AppCredentials, ClientBuilder, RateLimit, RetryPolicy};
use bizproc::handler::{Run, SqlitePortalStore};
use bizproc::outbox::{DeliveryPolicy, SqliteOutbox};
use bizproc::{BizprocProperties, BizprocReturn};

#[derive(BizprocProperties, Debug)]
struct CountInput {
    /// The number to count from.
    n: i64,
}

/// Counts, slowly.
#[derive(BizprocReturn, Debug)]
#[bizproc(code = "crash_count", name = "Crash count", input = CountInput)]
struct Counted {
    doubled: i64,
    label: String,
}

async fn count(input: CountInput, _run: Run<Counted>) -> Result<Counted, String> {
    tokio::time::sleep(Duration::from_millis(20)).await;
    Ok(Counted { doubled: input.n * 2, label: format!("run {}", input.n) })
}

fn configure_client(builder: ClientBuilder) -> ClientBuilder {
    let policy = RetryPolicy {
        max_attempts: 1,
        max_wait: Duration::from_secs(1),
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    };
    builder.rate_limit(RateLimit::new(10_000.0, 10_000.0)).retry_policy(policy).timeout(Duration::from_secs(5))
}

fn var(name: &str) -> Result<String, Box<dyn Error>> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let listen = std::env::var("CRASH_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let credentials =
        AppCredentials::new(var("CRASH_CLIENT_ID")?, var("CRASH_CLIENT_SECRET")?).token_url(var("CRASH_TOKEN_URL")?);
    let store = Arc::new(SqlitePortalStore::open(var("CRASH_PORTALS_DB")?)?);
    let outbox = Arc::new(SqliteOutbox::open(var("CRASH_OUTBOX_DB")?)?);
    let policy = DeliveryPolicy {
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        poll_interval: Duration::from_millis(50),
        ..DeliveryPolicy::default()
    };
    let app = RobotApp::new(format!("http://{listen}"), credentials, store)
        .configure_client(configure_client)
        .outbox_with_policy(outbox, policy)
        .robot(count);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let router = app.router();
    println!("ready");
    std::io::stdout().flush()?;
    axum::serve(listener, router).await?;
    Ok(())
}
