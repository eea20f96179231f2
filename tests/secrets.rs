//! No secret is ever printed. The whole flow runs (emulated portal, `RobotApp` over real HTTP
//! on 127.0.0.1: install, runs that succeed and fail, a token refresh, a tampered request, an
//! update, client errors) with a `tracing` subscriber at TRACE level, which also takes the
//! `log` records of the HTTP stack, writing everything into one buffer. Every access, refresh
//! and application token and the client secret seen anywhere in the flow is collected; none
//! may appear in that output, in the `Display` or `Debug` of an error, in the `Debug` of the
//! app's and the client's public values, or in what the app answers or writes to a workflow log.
//!
//! The emulator and the app share the process, so the subscriber is the global default,
//! installed once; the self-test checks that the scanner catches a token that is logged.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bizproc::app::RobotApp;
use bizproc::client::{AppCredentials, Client, PortalTokens, RetryPolicy, TokenStore};
use bizproc::handler::{AppEvent, Invocation, MemoryPortalStore, PortalRecord, PortalStore, RequestLimits, Run};
use bizproc::{BizprocProperties, BizprocReturn, PortalLocale, Secret};
use bizproc_emulator::{Document, Emulator, RunRecord, RunState};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tracing::level_filters::LevelFilter;
use tracing_subscriber::fmt::format::{DefaultFields, FmtSpan, Format, Full};
use tracing_subscriber::fmt::{MakeWriter, SubscriberBuilder};

// ---------------------------------------------------------------------------------------------
// Capturing everything
// ---------------------------------------------------------------------------------------------

/// A buffer that every thread's output goes to.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)).into_owned()
    }
}

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl MakeWriter<'_> for Buffer {
    type Writer = Self;

    fn make_writer(&self) -> Self {
        self.clone()
    }
}

/// Everything, at TRACE: events with all their fields, span openings and closings with theirs,
/// no colours (so that a token is never split by an escape code).
fn subscriber(buffer: Buffer) -> SubscriberBuilder<DefaultFields, Format<Full>, LevelFilter, Buffer> {
    tracing_subscriber::fmt()
        .with_max_level(LevelFilter::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .with_target(true)
        .with_thread_names(true)
        .with_writer(buffer)
}

/// The global subscriber's buffer; the subscriber (and the `log` bridge) is installed by the
/// first caller.
fn captured() -> &'static Buffer {
    static CAPTURED: OnceLock<Buffer> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let buffer = Buffer::default();
        subscriber(buffer.clone()).try_init().expect("no other global subscriber in this test binary");
        buffer
    })
}

/// A secret found in the flow, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Known {
    value: String,
    source: String,
}

/// Every secret seen so far.
#[derive(Clone, Default)]
struct Secrets(Arc<Mutex<BTreeSet<Known>>>);

impl Secrets {
    fn add(&self, source: impl Into<String>, value: &str) {
        // An empty or tiny value would match everywhere; the emulator's tokens are 32 characters.
        if value.len() >= 8 {
            let known = Known { value: value.to_owned(), source: source.into() };
            self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(known);
        }
    }

    fn add_record(&self, source: &str, record: &PortalRecord) {
        self.add(format!("{source}: application_token"), record.application_token.expose());
        self.add(format!("{source}: access_token"), record.access_token.expose());
        self.add(format!("{source}: refresh_token"), record.refresh_token.expose());
    }

    /// The `auth[...]` secrets of a form body the portal sent.
    fn add_body(&self, source: &str, body: &str) {
        let request = bizproc::form::decode(body.as_bytes()).expect("the portal's body decodes");
        for key in ["access_token", "refresh_token", "application_token"] {
            if let Some(token) = request["auth"][key].as_str() {
                self.add(format!("{source}: auth[{key}]"), token);
            }
        }
    }

    fn all(&self) -> Vec<Known> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter().cloned().collect()
    }

    fn distinct_values(&self, label: &str) -> usize {
        self.all().iter().filter(|k| k.source.ends_with(label)).map(|k| k.value.clone()).collect::<BTreeSet<_>>().len()
    }
}

/// Each secret that occurs in `text`, as it is or percent-encoded, with where it came from.
fn leaks(text: &str, secrets: &[Known]) -> Vec<String> {
    secrets
        .iter()
        .filter(|secret| {
            let encoded: String = form_urlencoded_value(&secret.value);
            text.contains(&secret.value) || text.contains(&encoded)
        })
        .map(|secret| format!("{} ({})", secret.source, secret.value))
        .collect()
}

fn form_urlencoded_value(value: &str) -> String {
    let encoded = bizproc::form::encode(&json!({ "v": value }));
    encoded.strip_prefix("v=").unwrap_or(&encoded).to_owned()
}

/// Texts that must hold no secret: named, so that a failure says which.
#[derive(Default)]
struct Texts(Vec<(String, String)>);

impl Texts {
    fn debug(&mut self, name: &str, value: &impl std::fmt::Debug) {
        self.0.push((format!("{name} (Debug)"), format!("{value:?}")));
        self.0.push((format!("{name} (Debug, pretty)"), format!("{value:#?}")));
    }

    fn error(&mut self, name: &str, error: &(impl std::error::Error + ?Sized)) {
        let mut chain = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            let _ = write!(chain, ": {cause} / {cause:?}");
            source = cause.source();
        }
        self.0.push((format!("{name} (Display and sources)"), chain));
        self.0.push((format!("{name} (Debug)"), format!("{error:?}")));
    }

    fn text(&mut self, name: &str, text: impl Into<String>) {
        self.0.push((name.to_owned(), text.into()));
    }
}

// ---------------------------------------------------------------------------------------------
// The robot and the app
// ---------------------------------------------------------------------------------------------

#[derive(BizprocProperties, Debug, Clone)]
struct NoteInput {
    /// What to write down.
    subject: String,
    /// When set, the robot fails with this text.
    fail_with: Option<String>,
}

/// Writes a note.
#[derive(BizprocReturn, Debug)]
#[bizproc(code = "note", name = "Note", input = NoteInput)]
struct Note {
    summary: String,
}

/// A portal store that remembers every token it was given: the install's, the update's and
/// every renewed pair, including pairs replaced before the test could look.
#[derive(Debug, Default)]
struct RecordingStore {
    inner: MemoryPortalStore,
    secrets: Secrets,
    puts: Mutex<usize>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

impl PortalStore for RecordingStore {
    fn get(&self, member_id: &str) -> Result<Option<PortalRecord>, String> {
        self.inner.get(member_id)
    }

    fn put(&self, record: &PortalRecord) -> Result<(), String> {
        self.secrets.add_record("portal store", record);
        *self.puts.lock().unwrap_or_else(std::sync::PoisonError::into_inner) += 1;
        self.inner.put(record)
    }

    fn remove(&self, member_id: &str) -> Result<(), String> {
        self.inner.remove(member_id)
    }
}

/// A token store for the test's own clients that remembers every pair it was given.
struct RecordingTokens {
    secrets: Secrets,
    tokens: Mutex<Option<PortalTokens>>,
}

impl TokenStore for RecordingTokens {
    fn save(&self, tokens: &PortalTokens) -> Result<(), String> {
        self.secrets.add("client token store: access_token", tokens.access_token.expose());
        self.secrets.add("client token store: refresh_token", tokens.refresh_token.expose());
        *self.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(tokens.clone());
        Ok(())
    }

    fn load(&self, _member_id: &str) -> Result<Option<PortalTokens>, String> {
        Ok(self.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone())
    }
}

/// The robot: records how it saw its run, fails when told to.
fn note(input: NoteInput, run: &Run<Note>, seen: &Mutex<Vec<String>>) -> Result<Note, String> {
    seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend([
        format!("{run:?}"),
        format!("{run:#?}"),
        format!("{:?}", run.auth),
        format!("{input:?}"),
    ]);
    tracing::info!(?run, "robot note running");
    match input.fail_with {
        Some(reason) => Err(reason),
        None => Ok(Note { summary: format!("{} for {}", input.subject, run.document_id[2]) }),
    }
}

/// Short token lifetime: the install's access token expires before the later runs, so the app
/// renews it with its refresh token and the client secret.
const TOKEN_LIFETIME: Duration = Duration::from_secs(2);

async fn run_note(emulator: &Emulator, member_id: &str, properties: Value) -> RunRecord {
    let run = emulator.run_robot(member_id, Note::CODE, Document::deal(7), properties).await.expect("the run starts");
    emulator.wait_for_run(run, Duration::from_secs(15)).await.expect("the run closes within 15 s")
}

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

/// A client that fails fast.
fn quick(builder: bizproc::client::ClientBuilder) -> bizproc::client::ClientBuilder {
    builder.timeout(Duration::from_secs(5)).retry_policy(RetryPolicy { max_attempts: 1, ..RetryPolicy::default() })
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::too_many_lines)] // one flow, step by step
async fn no_secret_reaches_logs_errors_or_debug_output() {
    let output = captured();
    let secrets = Secrets::default();
    let mut texts = Texts::default();

    let emulator = Emulator::builder().token_lifetime(TOKEN_LIFETIME).start().await.expect("the emulator starts");
    let portal = emulator.credentials();
    let member_id = portal.member_id.clone();
    secrets.add("emulator: client_secret", &portal.client_secret);
    secrets.add("emulator: access_token", &portal.access_token);
    secrets.add("emulator: refresh_token", &portal.refresh_token);
    secrets.add("emulator: application_token", &portal.application_token);
    let webhook_secret = portal.webhook_url.trim_end_matches('/').rsplit('/').next().expect("a webhook code");
    secrets.add("emulator: webhook code", webhook_secret);
    texts.debug("emulator Credentials", &portal);

    // The app, with a store that sees every token it keeps.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let store = Arc::new(RecordingStore { secrets: secrets.clone(), ..RecordingStore::default() });
    let credentials =
        AppCredentials::new(&portal.client_id, portal.client_secret.as_str()).token_url(&portal.oauth_token_url);
    texts.debug("AppCredentials", &credentials);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let robot_seen = Arc::clone(&seen);
    let app = RobotApp::new(&url, credentials.clone(), store.clone())
        .freshness(Duration::from_secs(60))
        .robot(move |input: NoteInput, run: Run<Note>| std::future::ready(note(input, &run, &robot_seen)));
    texts.debug("RobotApp", &app);
    let server = tokio::spawn(async move { axum::serve(listener, app.router()).await });

    // Install: the app keeps the portal's tokens and registers the robot.
    let installed = emulator.install_app(&member_id, &format!("{url}/bitrix/events")).await.expect("installs");
    assert_eq!(installed.status, 200, "ONAPPINSTALL answered: {}", installed.response);
    secrets.add_body("ONAPPINSTALL body", &installed.body);
    texts.text("ONAPPINSTALL answer", installed.response.clone());
    let event = AppEvent::parse(installed.body.as_bytes(), None, &RequestLimits::default()).expect("the event reads");
    texts.debug("AppEvent (install)", &event);
    let install_record = store.get(&member_id).unwrap().expect("the portal is recorded");
    texts.debug("PortalRecord (install)", &install_record);

    // A run that succeeds, and one whose robot fails.
    let mut runs = Vec::new();
    let ok = run_note(&emulator, &member_id, json!({"subject": "First"})).await;
    assert_eq!((ok.handler_status, ok.state), (Some(200), RunState::Completed), "{ok:#?}");
    assert_eq!(ok.return_values["summary"], "First for DEAL_7");
    runs.push(ok);
    let failed = run_note(&emulator, &member_id, json!({"subject": "Second", "fail_with": "no one on duty"})).await;
    assert_eq!(failed.state, RunState::Completed, "a failed robot still completes: {failed:#?}");
    assert_eq!(failed.log, ["robot note failed: no one on duty"]);
    runs.push(failed);

    // The install's access token expires; the next run's result needs a renewed one.
    tokio::time::sleep(TOKEN_LIFETIME + Duration::from_millis(500)).await;
    let renewed = run_note(&emulator, &member_id, json!({"subject": "Third"})).await;
    assert_eq!((renewed.handler_status, renewed.state), (Some(200), RunState::Completed), "{renewed:#?}");
    runs.push(renewed);
    let record = store.get(&member_id).unwrap().expect("still installed");
    assert_ne!(record.access_token, install_record.access_token, "the app renewed its access token");
    assert_ne!(record.refresh_token, install_record.refresh_token, "and its refresh token");
    texts.debug("PortalRecord (renewed)", &record);

    // A request with a tampered application token (one character off) is refused.
    let real = &runs[0];
    let mut request = bizproc::form::decode(real.body.as_bytes()).expect("decodes");
    let token = portal.application_token.clone();
    let tampered = format!("{}{}", &token[..token.len() - 1], if token.ends_with('0') { '1' } else { '0' });
    secrets.add("tampered application_token", &tampered);
    request["auth"]["application_token"] = Value::String(tampered.clone());
    let robot_url = format!("{url}/robots/{}", Note::CODE);
    let (status, answer) = post(&robot_url, bizproc::form::encode(&request)).await;
    assert_eq!(status, 403, "{answer}");
    texts.text("answer to the tampered request", answer);
    // A malformed copy of a real body: an escape broken right after the access token.
    let broken = real.body.replacen("&auth%5Bexpires%5D", "%zz&auth%5Bexpires%5D", 1);
    assert_ne!(broken, real.body, "the body has auth[expires]");
    let (status, answer) = post(&robot_url, broken.clone()).await;
    assert_eq!(status, 400, "{answer}");
    texts.text("answer to the malformed request", answer);
    let limits = RequestLimits::default();
    let parsed = Invocation::<Note>::parse(broken.as_bytes(), None, &PortalLocale::default(), &limits);
    texts.error("InvocationError (broken escape)", &parsed.expect_err("the escape is refused"));
    texts.error("FormError (broken escape)", &bizproc::form::decode(broken.as_bytes()).expect_err("refused"));
    let doubled = format!("{}&auth%5Baccess_token%5D={}", real.body, "x".repeat(32));
    let parsed = Invocation::<Note>::parse(doubled.as_bytes(), None, &PortalLocale::default(), &limits);
    texts.error("InvocationError (duplicate token)", &parsed.expect_err("a duplicate is refused"));
    let verified = bizproc::handler::verify(
        store.as_ref(),
        &bizproc::handler::InvocationAuth {
            member_id: member_id.clone(),
            application_token: Secret::new(tampered.clone()),
            ..Default::default()
        },
        None,
        None,
    );
    texts.error("VerifyError (tampered)", &verified.expect_err("the tampered token is refused"));

    // ONAPPUPDATE changes the application token; a run with the new one.
    let updated = emulator.update_app(&member_id).await.expect("the update is delivered");
    assert_eq!(updated.status, 200, "ONAPPUPDATE answered: {}", updated.response);
    secrets.add("ONAPPUPDATE application_token", &updated.application_token);
    secrets.add_body("ONAPPUPDATE body", &updated.body);
    let after_update = run_note(&emulator, &member_id, json!({"subject": "Fourth"})).await;
    assert_eq!(after_update.state, RunState::Completed, "{after_update:#?}");
    runs.push(after_update);
    // The old body, with the replaced application token, is refused now.
    let (status, answer) = post(&robot_url, runs[0].body.clone()).await;
    assert_eq!(status, 403, "{answer}");
    texts.text("answer to the request with the replaced token", answer);

    for (i, run) in runs.iter().enumerate() {
        secrets.add_body(&format!("run {i} body"), &run.body);
        let invocation = Invocation::<Note>::parse(run.body.as_bytes(), None, &PortalLocale::default(), &limits)
            .expect("the portal's body reads");
        texts.debug(&format!("Invocation (run {i})"), &invocation);
        texts.debug(&format!("Run (run {i})"), &invocation.run);
        texts.debug(&format!("InvocationAuth (run {i})"), &invocation.run.auth);
        texts.text(&format!("workflow log (run {i})"), run.log.join("\n"));
        texts.text(&format!("handler answer (run {i})"), format!("{:?} {:?}", run.handler_response, run.handler_error));
    }

    // Client errors: an unknown method (after a renewal through the client's own token store),
    // a refresh with a refresh token the server does not know, a token endpoint that is down,
    // and a webhook call to an unknown method.
    let tokens = PortalTokens::new(&member_id, &portal.client_endpoint, &*portal.access_token, &*portal.refresh_token);
    texts.debug("PortalTokens", &tokens);
    let token_store = Arc::new(RecordingTokens { secrets: secrets.clone(), tokens: Mutex::new(None) });
    let client = quick(Client::builder().oauth(credentials.clone(), tokens).token_store(token_store.clone()))
        .build()
        .expect("builds");
    texts.debug("Client (OAuth)", &client);
    let error = client.call::<Value>("no.such.method", json!({})).await.expect_err("an unknown method fails");
    assert!(secrets.distinct_values("client token store: access_token") >= 1, "the client renewed its expired token");
    texts.error("client Error (unknown method)", &error);

    let bad_refresh = "badrefresh0123456789abcdef012345";
    let bad_access = "badaccess0123456789abcdef0123456";
    secrets.add("garbage refresh_token", bad_refresh);
    secrets.add("garbage access_token", bad_access);
    let tokens = PortalTokens::new(&member_id, &portal.client_endpoint, bad_access, bad_refresh);
    let client = quick(Client::builder().oauth(credentials.clone(), tokens)).build().expect("builds");
    let error = client.call::<Value>("profile", json!({})).await.expect_err("the refresh fails");
    assert!(matches!(error, bizproc::client::Error::Auth { .. }), "{error:?}");
    texts.error("client Error (refresh refused)", &error);

    let down = AppCredentials::new(&portal.client_id, portal.client_secret.as_str())
        .token_url("http://127.0.0.1:9/oauth/token/");
    let tokens = PortalTokens::new(&member_id, &portal.client_endpoint, bad_access, bad_refresh);
    let client = quick(Client::builder().oauth(down, tokens)).build().expect("builds");
    let error = client.call::<Value>("profile", json!({})).await.expect_err("the token endpoint is down");
    assert!(matches!(error, bizproc::client::Error::Transport { .. }), "{error:?}");
    texts.error("client Error (token endpoint down)", &error);

    let webhook = quick(Client::builder().webhook(&portal.webhook_url)).build().expect("builds");
    texts.debug("Client (webhook)", &webhook);
    let error = webhook.call::<Value>("no.such.method", json!({})).await.expect_err("an unknown method fails");
    texts.error("client Error (webhook, unknown method)", &error);
    let dead = quick(Client::builder().webhook(format!("http://127.0.0.1:9/rest/1/{webhook_secret}/"))).build();
    let error = dead.expect("builds").call::<Value>("profile", json!({})).await.expect_err("nothing listens");
    texts.error("client Error (webhook, transport)", &error);

    for (i, text) in seen.lock().unwrap().iter().enumerate() {
        texts.text(&format!("what the robot function saw #{i}"), text.clone());
    }
    texts.debug("PortalRecord (final)", &store.get(&member_id).unwrap().expect("installed"));

    server.abort();
    emulator.shutdown().await;

    // The flow did what it should have, so the check below covers a real flow.
    let secrets = secrets.all();
    let count = |label: &str| secrets.iter().filter(|k| k.source.ends_with(label)).count();
    assert!(count("auth[access_token]") >= 5 && count("auth[refresh_token]") >= 5, "{secrets:#?}");
    assert!(count("application_token") >= 3, "{secrets:#?}");
    assert!(*store.puts.lock().unwrap() >= 3, "install, renewal and update were stored");

    // The output was captured, and holds what the flow logs.
    let log = output.text();
    if std::env::var_os("BIZPROC_SECRETS_DUMP").is_some() {
        eprintln!("{log}");
    }
    assert!(log.len() > 1000, "the subscriber captured little: {log:?}");
    for expected in ["bizproc::app", " INFO ", " TRACE ", "robot note running", "robot_run{robot=\"note\""] {
        assert!(log.contains(expected), "the captured output lacks {expected:?}:\n{log}");
    }
    let refusal = log.lines().any(|line| line.contains(" WARN ") && line.contains("bizproc::"));
    assert!(refusal, "the refused requests logged no warning:\n{log}");
    for run in &runs {
        assert!(log.contains(&run.workflow_id), "no event names workflow {}:\n{log}", run.workflow_id);
    }

    // And no secret is anywhere.
    let mut found = Vec::new();
    for leak in leaks(&log, &secrets) {
        found.push(format!("tracing output contains {leak}"));
    }
    for (name, text) in &texts.0 {
        for leak in leaks(text, &secrets) {
            found.push(format!("{name} contains {leak}: {text}"));
        }
    }
    assert!(found.is_empty(), "secrets leaked:\n{}", found.join("\n"));
}

/// The check is real: a token logged through the same subscriber (per thread here, and through
/// the global one from another thread) or printed by a `Debug` is found; a `Secret` is not.
#[test]
fn the_scanner_catches_a_logged_token() {
    const TOKEN: &str = "5e1f7e57deadbeef0123456789abcdef";
    const HIDDEN: &str = "0123456789abcdef5e1f7e57deadbeef";
    let secrets = Secrets::default();
    secrets.add("self-test token", TOKEN);
    secrets.add("self-test secret", HIDDEN);
    let secrets = secrets.all();

    let local = Buffer::default();
    tracing::subscriber::with_default(subscriber(local.clone()).finish(), || {
        let span = tracing::trace_span!("call", auth = %TOKEN);
        let _entered = span.enter();
        tracing::trace!(hidden = ?Secret::new(HIDDEN), "deliberately logged");
    });
    let text = local.text();
    assert!(text.contains("deliberately logged"), "{text}");
    assert_eq!(leaks(&text, &secrets), [format!("self-test token ({TOKEN})")], "{text}");

    // Through the global subscriber, from a thread of its own.
    let global = captured();
    std::thread::spawn(|| tracing::warn!(token = TOKEN, "a global leak for the self-test")).join().unwrap();
    assert!(global.text().contains("a global leak for the self-test"));
    assert!(!leaks(&global.text(), &secrets).is_empty());

    // In `Debug` and in a percent-encoded body.
    #[derive(Debug)]
    #[allow(dead_code)] // read by `Debug`
    struct Careless {
        token: String,
    }
    assert_eq!(leaks(&format!("{:?}", Careless { token: TOKEN.to_owned() }), &secrets).len(), 1);
    assert_eq!(leaks(&bizproc::form::encode(&json!({"auth": {"access_token": TOKEN}})), &secrets).len(), 1);
    assert!(leaks(&format!("{:?}", Secret::new(HIDDEN)), &secrets).is_empty());
}
