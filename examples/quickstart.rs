//! The main job: a robot app end to end.
//!
//! Against the built-in emulator (the default) it starts a local portal, starts the app on
//! 127.0.0.1, installs the app (the portal sends `ONAPPINSTALL`, the app registers its robot),
//! runs the robot on a deal, and prints the registration, the handler request the app
//! received, and the result the portal recorded. Then it exits.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Against a real portal, set `BIZPROC_CLIENT_ID`, `BIZPROC_CLIENT_SECRET` (the app's OAuth
//! credentials) and `BIZPROC_APP_URL` (the public HTTPS address the portal reaches this app
//! at; `BIZPROC_LISTEN` is the local address, `127.0.0.1:8080` unless set). The app then
//! serves until Ctrl-C: install it on the portal and put the robot into a deal's automation.

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use bizproc::app::RobotApp;
use bizproc::client::AppCredentials;
use bizproc::handler::{Run, SqlitePortalStore};
use bizproc::outbox::SqliteOutbox;
use bizproc::{BizprocProperties, BizprocReturn, BizprocSelect, Text, UserId};
use bizproc_emulator::{Document, Emulator};
use chrono::NaiveDate;

/// What the reviewer decided.
#[derive(BizprocSelect, Debug)]
enum Decision {
    #[bizproc(label = "Approved")]
    Approve,
    #[bizproc(rename = "deny", label = "Denied")]
    Deny,
}

/// Declared in `examples/robots/credit_check.yaml`: the compiler checks these fields
/// against its `PROPERTIES`.
#[derive(BizprocProperties, Debug)]
#[bizproc(definition = "examples/robots/credit_check.yaml")]
struct CreditInput {
    /// Tax id of the counterparty.
    inn: String,
    /// The largest limit the robot may grant (100000 unless set in the designer).
    max_limit: f64,
    /// Who manages the deal.
    manager: Option<UserId>,
    /// When the contract was signed.
    signed_on: Option<NaiveDate>,
    /// Markers set on the counterparty.
    tags: Vec<String>,
}

/// Scores the counterparty of a deal. Code, name and `RETURN_PROPERTIES` come from
/// `examples/robots/credit_check.yaml`, which the compiler checks these fields against.
#[derive(BizprocReturn, Debug)]
#[bizproc(definition = "examples/robots/credit_check.yaml", input = CreditInput)]
struct CreditCheck {
    decision: Decision,
    score: i64,
    #[bizproc(rename = "limitAmount")]
    limit: f64,
    reviewer: UserId,
    comment: Option<Text>,
    checked_on: NaiveDate,
    flags: Vec<String>,
}

/// The robot itself: a toy score from the tax id, capped by the input's limit.
async fn credit_check(input: CreditInput, run: Run<CreditCheck>) -> Result<CreditCheck, std::convert::Infallible> {
    let score = input.inn.bytes().map(|b| i64::from(b % 10)).sum::<i64>() * 2;
    let approved = score >= 50;
    Ok(CreditCheck {
        decision: if approved { Decision::Approve } else { Decision::Deny },
        score,
        limit: if approved { input.max_limit } else { 0.0 },
        reviewer: input.manager.unwrap_or(UserId(1)),
        comment: Some(Text::new(match input.signed_on {
            Some(signed) => format!("Scored {score} for {}, signed on {signed}", run.document_id[2]),
            None => format!("Scored {score} for {}", run.document_id[2]),
        })),
        checked_on: run.queued_at.date_naive(),
        flags: input.tags.iter().map(|tag| format!("checked:{tag}")).collect(),
    })
}

// A handler allocates a few dozen small strings per request; glibc's allocator spends more
// on them under load than the decode does (BENCHMARKS.md, handler throughput).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    match (std::env::var("BIZPROC_CLIENT_ID"), std::env::var("BIZPROC_CLIENT_SECRET"), std::env::var("BIZPROC_APP_URL"))
    {
        (Ok(id), Ok(secret), Ok(url)) => serve_real_portal(&id, &secret, &url).await,
        _ => against_emulator().await,
    }
}

async fn against_emulator() -> Result<(), Box<dyn Error>> {
    let emulator = Emulator::builder().start().await?;
    let portal = emulator.credentials();
    println!("Local portal {} at {}", portal.domain, emulator.base_url());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let app_url = format!("http://{}", listener.local_addr()?);
    let data = std::env::temp_dir().join(format!("bizproc-quickstart-{}", std::process::id()));
    std::fs::create_dir_all(&data)?;
    let store = Arc::new(SqlitePortalStore::open(data.join("portals.db"))?);
    let credentials =
        AppCredentials::new(&portal.client_id, portal.client_secret.as_str()).token_url(&portal.oauth_token_url);
    // Results are written to the outbox before the portal's call is answered, and delivered
    // from there: a result survives a crash or a portal that refuses it for a while.
    let outbox = Arc::new(SqliteOutbox::open(data.join("outbox.db"))?);
    let app = RobotApp::new(&app_url, credentials, store).outbox(outbox).robot(credit_check);
    let server = tokio::spawn(async move { axum::serve(listener, app.router()).await });

    // Installing sends ONAPPINSTALL; the app records the portal and registers its robot.
    let installed = emulator.install_app(&portal.member_id, &format!("{app_url}/bitrix/events")).await?;
    println!("\nONAPPINSTALL answered {}", installed.status);
    for stored in emulator.registrations(&portal.member_id) {
        println!("\nRegistered {:?} `{}` as the portal stores it:", stored.kind, stored.code);
        println!("{}", serde_json::to_string_pretty(&stored.fields)?);
    }

    let properties = serde_json::json!({
        "inn": "7707083893",
        "max_limit": "250000.50",
        "manager": 7,
        "signed_on": "2026-11-02",
        "tags": ["vip", "repeat"],
    });
    let run = emulator.run_robot(&portal.member_id, CreditCheck::CODE, Document::deal(42), properties).await?;
    let record = emulator.wait_for_run(run, Duration::from_secs(10)).await?;
    println!("\nHandler request the app received (form body, decoded; secrets masked):");
    let mut request = bizproc::form::decode(record.body.as_bytes())?;
    for secret in ["access_token", "refresh_token", "application_token"] {
        request["auth"][secret] = "***".into();
    }
    println!("{}", serde_json::to_string_pretty(&request)?);
    println!("\nRun {:?}: RETURN_VALUES the portal recorded:", record.state);
    println!("{}", serde_json::to_string_pretty(&record.return_values)?);
    if !record.misfits.is_empty() || !record.dropped_keys.is_empty() {
        return Err(format!("values were lost: {:?} {:?}", record.misfits, record.dropped_keys).into());
    }

    server.abort();
    emulator.shutdown().await;
    std::fs::remove_dir_all(&data)?;
    Ok(())
}

async fn serve_real_portal(client_id: &str, client_secret: &str, app_url: &str) -> Result<(), Box<dyn Error>> {
    let listen = std::env::var("BIZPROC_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let store = Arc::new(SqlitePortalStore::open("portals.db")?);
    let outbox = Arc::new(SqliteOutbox::open("outbox.db")?);
    let app =
        RobotApp::new(app_url, AppCredentials::new(client_id, client_secret), store).outbox(outbox).robot(credit_check);
    for registration in app.registrations() {
        println!("{}", serde_json::to_string_pretty(&registration.robot_add_payload())?);
    }
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("Serving {app_url} on {listen}; install the app on the portal. Ctrl-C stops.");
    axum::serve(listener, app.router())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
