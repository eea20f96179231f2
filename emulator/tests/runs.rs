//! Robot runs over real HTTP: the handler request field by field, `bizproc.event.send` and
//! `bizproc.activity.log` with their silent cases, and the app events.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::routing::post;
use bizproc_emulator::{
    AppEvent, AppEventError, Credentials, DEFAULT_LOG_MESSAGE, Document, Emulator, IgnoreReason, PortalConfig,
    RateLimit, RunError, RunId, RunOptions, RunRecord, RunState,
};
use serde_json::{Map, Value, json};

const WAIT: Duration = Duration::from_secs(5);

/// A tiny app: records every request it gets, by path.
#[derive(Clone, Default)]
struct App {
    received: Arc<Mutex<Vec<(String, String)>>>,
    /// The REST base for `/callback`, which answers the run before answering the request.
    rest: Arc<Mutex<Option<String>>>,
}

impl App {
    fn bodies(&self, path: &str) -> Vec<Value> {
        let received = self.received.lock().unwrap();
        received
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, body)| bizproc::form::decode(body.as_bytes()).expect("a form body"))
            .collect()
    }

    fn raw(&self, path: &str) -> Vec<String> {
        self.received.lock().unwrap().iter().filter(|(p, _)| p == path).map(|(_, b)| b.clone()).collect()
    }

    fn last(&self, path: &str) -> Value {
        self.bodies(path).pop().unwrap_or_else(|| panic!("nothing received at {path}"))
    }
}

async fn record(State(app): State<App>, uri: Uri, body: String) -> StatusCode {
    app.received.lock().unwrap().push((uri.path().to_owned(), body));
    if uri.path() == "/fail" { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK }
}

/// Calls `bizproc.event.send` with the request's token before answering.
async fn callback(State(app): State<App>, body: String) -> StatusCode {
    let form = bizproc::form::decode(body.as_bytes()).unwrap();
    app.received.lock().unwrap().push(("/callback".to_owned(), body));
    let rest = app.rest.lock().unwrap().clone().unwrap();
    let answer = reqwest::Client::new()
        .post(format!("{rest}bizproc.event.send"))
        .json(&json!({
            "auth": form["auth"]["access_token"],
            "event_token": form["event_token"],
            "return_values": {"answer": "at once"},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    StatusCode::OK
}

/// Starts the app on 127.0.0.1; returns its base URL.
async fn start_app() -> (String, App) {
    let app = App::default();
    let router = Router::new()
        .route("/handler", post(record))
        .route("/fail", post(record))
        .route("/events", post(record))
        .route("/callback", post(callback))
        .with_state(app.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}"), app)
}

struct Setup {
    emulator: Emulator,
    credentials: Credentials,
    app: App,
    app_url: String,
    client: reqwest::Client,
}

async fn setup() -> Setup {
    let emulator = Emulator::builder().rate_limit(RateLimit::UNLIMITED).start().await.unwrap();
    let credentials = emulator.credentials();
    let (app_url, app) = start_app().await;
    *app.rest.lock().unwrap() = Some(credentials.client_endpoint.clone());
    Setup { emulator, credentials, app, app_url, client: reqwest::Client::new() }
}

impl Setup {
    /// A REST call with the administrator's token; the status and the JSON answer.
    async fn call(&self, method: &str, params: Value) -> (u16, Value) {
        self.call_as(&self.credentials.access_token, method, params).await
    }

    async fn call_as(&self, token: &str, method: &str, mut params: Value) -> (u16, Value) {
        params["auth"] = token.into();
        let response = self
            .client
            .post(format!("{}{method}", self.credentials.client_endpoint))
            .json(&params)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn register(&self, code: &str, path: &str, extra: Value) {
        let mut params = json!({
            "CODE": code,
            "HANDLER": format!("{}{path}", self.app_url),
            "NAME": "Test robot",
            "USE_SUBSCRIPTION": "Y",
            "RETURN_PROPERTIES": {
                "outputString": {"Name": "Out", "Type": "string"},
                "score": {"Name": "Score", "Type": "int"},
                "approved": {"Name": "Approved", "Type": "bool"},
                "answer": {"Name": "Answer", "Type": "string"},
            },
        });
        for (key, value) in extra.as_object().unwrap() {
            params[key] = value.clone();
        }
        let (status, answer) = self.call("bizproc.robot.add", params).await;
        assert_eq!((status, &answer["result"]), (200, &json!(true)), "{answer}");
    }

    fn member_id(&self) -> &str {
        &self.credentials.member_id
    }

    async fn run(&self, code: &str, properties: Value) -> RunRecord {
        let id = self.emulator.run_robot(self.member_id(), code, Document::deal(123), properties).await.unwrap();
        self.emulator.run(id).unwrap()
    }

    async fn send(&self, params: Value) -> (u16, Value) {
        self.call("bizproc.event.send", params).await
    }

    fn record(&self, id: RunId) -> RunRecord {
        self.emulator.run(id).unwrap()
    }
}

/// The handler request's `auth` block: every key in the server's order, and working tokens.
async fn check_auth(s: &Setup, form: &Value, ts: u64, record: &RunRecord) {
    let auth = form["auth"].as_object().unwrap();
    let keys: Vec<&str> = auth.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires",
            "expires_in",
            "scope",
            "domain",
            "server_endpoint",
            "status",
            "client_endpoint",
            "member_id",
            "user_id",
            "refresh_token",
            "application_token"
        ]
    );
    assert_eq!(auth["expires_in"], "3600");
    let expires: u64 = auth["expires"].as_str().unwrap().parse().unwrap();
    assert!((ts + 3599..=ts + 3601).contains(&expires));
    assert_eq!(auth["scope"], "bizproc,crm");
    assert_eq!(auth["domain"], s.credentials.domain.as_str());
    assert_eq!(auth["client_endpoint"], s.credentials.client_endpoint.as_str());
    assert_eq!(auth["server_endpoint"], s.credentials.server_endpoint.as_str());
    assert_eq!(auth["status"], "L");
    assert_eq!(auth["member_id"], s.member_id());
    assert_eq!(auth["user_id"], "3", "AUTH_USER_ID's user");
    assert_eq!(record.user_id, 3);
    assert_eq!(auth["application_token"], s.credentials.application_token.as_str());
    assert_ne!(auth["access_token"], s.credentials.access_token.as_str(), "a fresh pair");
    let (status, _) = s.call_as(auth["access_token"].as_str().unwrap(), "app.info", json!({})).await;
    assert_eq!(status, 200, "the handler's access token works");
}

#[tokio::test]
async fn the_handler_request_carries_every_field_in_the_portals_formats() {
    let s = setup().await;
    s.register(
        "send_invoice",
        "/handler",
        json!({
            "AUTH_USER_ID": 3,
            "PROPERTIES": {
                "text": {"Name": "Text", "Type": "string"},
                "when": {"Name": "When", "Type": "datetime"},
                "day": {"Name": "Day", "Type": "date"},
                "to": {"Name": "To", "Type": "user"},
                "notify": {"Name": "Notify", "Type": "bool"},
                "format": {"Name": "Format", "Type": "select", "Options": {"pdf": "PDF", "docx": "DOCX"}},
                "amount": {"Name": "Amount", "Type": "double"},
                "count": {"Name": "Count", "Type": "int"},
                "file": {"Name": "File", "Type": "file"},
                "emails": {"Name": "Emails", "Type": "string", "Multiple": "Y"},
                "none": {"Name": "None", "Type": "string", "Multiple": "Y"},
                "comment": {"Name": "Comment", "Type": "text"},
            },
        }),
    )
    .await;
    let record = s
        .run(
            "send_invoice",
            json!({
                "text": "Hello world",
                "when": "2025-12-28T11:05:48Z",
                "day": "2025-12-28",
                "to": 1,
                "notify": true,
                "format": "pdf",
                "amount": 100.15,
                "count": 42,
                "file": 77,
                "emails": ["a@example.com", "b@example.com"],
            }),
        )
        .await;

    let raw = s.app.raw("/handler");
    assert_eq!(raw, vec![record.body.clone()], "the record holds the exact body sent");
    let form = s.app.last("/handler");
    assert_eq!(form["workflow_id"], record.workflow_id.as_str());
    assert_eq!(form["code"], "send_invoice");
    assert_eq!(form["document_id"], json!(["crm", "CCrmDocumentDeal", "DEAL_123"]));
    assert_eq!(form["document_type"], json!(["crm", "CCrmDocumentDeal", "DEAL"]));
    assert_eq!(form["event_token"], record.event_token.as_str());
    let token = record.event_token.as_str();
    let (payload, signature) = token.rsplit_once('.').unwrap();
    assert_eq!(payload.split('|').count(), 3);
    assert!(payload.starts_with(&format!("{}|{}|", record.workflow_id, record.activity_name)));
    assert_eq!(signature.len(), 64);
    assert_eq!(
        form["properties"],
        json!({
            "text": "Hello world",
            "when": "28.12.2025 14:05:48",
            "day": "28.12.2025",
            "to": "user_1",
            "notify": "Y",
            "format": "pdf",
            "amount": "100.15",
            "count": "42",
            "file": "77",
            "emails": ["a@example.com", "b@example.com"],
            "comment": "",
        })
    );
    assert_eq!(Value::Object(record.properties.clone()), form["properties"]);
    assert!(record.body.contains("properties%5Bcomment%5D=&"), "unset values are empty strings");
    assert!(!record.body.contains("none"), "an empty multiple value has no form representation");
    assert_eq!(form["use_subscription"], "Y");
    assert_eq!(form["timeout_duration"], "0");
    let ts: u64 = form["ts"].as_str().unwrap().parse().unwrap();
    assert!(ts > 1_700_000_000);

    check_auth(&s, &form, ts, &record).await;

    assert_eq!(record.state, RunState::Waiting);
    assert_eq!(record.handler_status, Some(200));
    assert_eq!(record.kind, bizproc_emulator::Kind::Robot);
}

#[tokio::test]
async fn event_send_completes_the_run_with_converted_values_and_records_the_silent_cases() {
    let s = setup().await;
    s.register("r", "/handler", json!({})).await;
    let run = s.run("r", json!(null)).await;
    assert!(!run.body.contains("properties"), "no properties, no field");

    let send = json!({
        "event_token": run.event_token,
        "return_values": {"OUTPUTSTRING": "846c55d1", "Score": "87", "approved": true, "unknownKey": 1},
        "log_message": "Checked",
    });
    let (status, answer) = s.send(send.clone()).await;
    assert_eq!((status, &answer["result"]), (200, &json!(true)));
    let done = s.emulator.wait_for_run(run.id, WAIT).await.unwrap();
    assert_eq!(done.state, RunState::Completed);
    assert_eq!(
        Value::Object(done.return_values.clone()),
        json!({"outputString": "846c55d1", "score": 87, "approved": "Y"})
    );
    assert_eq!(done.dropped_keys, ["unknownKey"]);
    assert_eq!(done.misfits.len(), 1);
    assert_eq!(done.misfits[0].id, "approved");
    assert_eq!(done.misfits[0].sent, json!(true));
    assert_eq!(done.misfits[0].stored, json!("Y"));
    assert_eq!(done.log, ["Checked"]);
    assert!(done.closed_at.is_some());

    // The same send again, another one, and a log line: all `true`, all ignored.
    assert_eq!(s.send(send).await.1["result"], true);
    let late = json!({"event_token": run.event_token, "return_values": {"outputString": "late"}});
    assert_eq!(s.send(late).await.1["result"], true);
    let log = json!({"event_token": run.event_token, "log_message": "after"});
    assert_eq!(s.call("bizproc.activity.log", log).await.1["result"], true);
    let after = s.record(run.id);
    let reasons: Vec<IgnoreReason> = after.ignored.iter().map(|call| call.reason).collect();
    assert_eq!(reasons, [IgnoreReason::Duplicate, IgnoreReason::Completed, IgnoreReason::Completed]);
    assert_eq!(after.ignored[1].return_values, Some(json!({"outputString": "late"})));
    assert_eq!(after.ignored[2].method, "bizproc.activity.log");
    assert_eq!(after.return_values["outputString"], "846c55d1", "nothing changed");
    assert_eq!(after.log, ["Checked"]);
}

#[tokio::test]
async fn event_send_answers_with_the_result_envelope() {
    let s = setup().await;
    s.register("r", "/handler", json!({})).await;
    let run = s.run("r", json!({})).await;
    let (status, answer) = s.send(json!({"EVENT_TOKEN": run.event_token})).await;
    assert_eq!(status, 200);
    assert_eq!(answer["result"], true);
    assert!(answer["time"].is_object());
    let done = s.record(run.id);
    assert_eq!(done.log, [DEFAULT_LOG_MESSAGE], "no LOG_MESSAGE: the default text");
    assert!(done.return_values.is_empty());
}

#[tokio::test]
async fn bad_tokens_are_denied_and_empty_log_messages_refused() {
    let s = setup().await;
    s.register("r", "/handler", json!({})).await;
    let run = s.run("r", json!({})).await;
    let denied = json!({"error": "ACCESS_DENIED", "error_description": "Access denied!"});
    let tampered = run.event_token.replacen('A', "B", 1);
    let mut forged = run.event_token.clone();
    forged.replace_range(forged.len() - 4.., "0000");
    for params in [
        json!({}),
        json!({"EVENT_TOKEN": ""}),
        json!({"EVENT_TOKEN": "55c1dc1c3f0d75.78875596|A51601_82584_96831_81132|hsyUws1j4XiwqPqN45eH66CcQtEvpUIP.47dd5d888e8e549d2c984713e12a4268e6e87d0208ca1f093ba1075e77f92e90"}),
        json!({"EVENT_TOKEN": tampered}),
        json!({"EVENT_TOKEN": forged}),
        json!({"EVENT_TOKEN": ["nested"]}),
    ] {
        assert_eq!(s.send(params.clone()).await, (403, denied.clone()), "{params}");
        // The token is checked before the message.
        assert_eq!(s.call("bizproc.activity.log", params.clone()).await, (403, denied.clone()), "{params}");
    }
    for empty in [json!(null), json!(""), json!("0")] {
        let (status, answer) =
            s.call("bizproc.activity.log", json!({"EVENT_TOKEN": run.event_token, "LOG_MESSAGE": empty})).await;
        assert_eq!(status, 400);
        assert_eq!(answer, json!({"error": "ERROR_EMPTY_LOG_MESSAGE", "error_description": "Empty log message!"}));
    }
    assert_eq!(s.record(run.id).state, RunState::Waiting, "nothing happened to the run");
}

#[tokio::test]
async fn activity_log_writes_lines_and_leaves_the_run_waiting() {
    let s = setup().await;
    s.register("r", "/handler", json!({})).await;
    let run = s.run("r", json!({})).await;
    for line in ["Step 1", "Step 2"] {
        let (status, answer) =
            s.call("bizproc.activity.log", json!({"event_token": run.event_token, "log_message": line})).await;
        assert_eq!((status, &answer["result"]), (200, &json!(true)));
    }
    let waiting = s.record(run.id);
    assert_eq!(waiting.state, RunState::Waiting);
    assert_eq!(waiting.log, ["Step 1", "Step 2"]);
    assert!(matches!(
        s.emulator.wait_for_run(run.id, Duration::from_millis(50)).await,
        Err(RunError::StillWaiting { .. })
    ));
    s.send(json!({"EVENT_TOKEN": run.event_token, "LOG_MESSAGE": "Done"})).await;
    assert_eq!(s.record(run.id).log, ["Step 1", "Step 2", "Done"]);
}

#[tokio::test]
async fn a_run_past_its_timeout_is_closed_and_later_sends_are_ignored() {
    let s = setup().await;
    s.register("r", "/handler", json!({})).await;
    let options = RunOptions::default().timeout_duration(1);
    let id = s.emulator.run_robot_with(s.member_id(), "r", Document::lead(9), json!({}), options).await.unwrap();
    assert_eq!(s.app.last("/handler")["timeout_duration"], "1");
    assert_eq!(s.app.last("/handler")["document_id"][2], "LEAD_9");
    let record = s.emulator.wait_for_run(id, WAIT).await.unwrap();
    assert_eq!(record.state, RunState::TimedOut);
    assert_eq!(record.return_values["IsTimeout"], 1);

    let send = json!({"EVENT_TOKEN": record.event_token, "RETURN_VALUES": {"score": 1}});
    assert_eq!(s.send(send).await.1["result"], true);
    let after = s.record(id);
    assert_eq!(after.state, RunState::TimedOut);
    assert_eq!(after.ignored.len(), 1);
    assert_eq!(after.ignored[0].reason, IgnoreReason::TimedOut);
    assert!(!after.return_values.contains_key("score"));
}

#[tokio::test]
async fn timeouts_are_capped_at_five_years() {
    let s = setup().await;
    s.register("r", "/handler", json!({})).await;
    let options = RunOptions::default().timeout_duration(u64::MAX);
    let id = s.emulator.run_robot_with(s.member_id(), "r", Document::deal(1), json!({}), options).await.unwrap();
    assert_eq!(s.app.last("/handler")["timeout_duration"], "157680000");
    assert_eq!(s.record(id).timeout_duration, 157_680_000);
}

#[tokio::test]
async fn a_robot_that_does_not_wait_closes_at_once() {
    let s = setup().await;
    s.register("quiet", "/handler", json!({"USE_SUBSCRIPTION": "N"})).await;
    let run = s.run("quiet", json!({})).await;
    assert_eq!(s.app.last("/handler")["use_subscription"], "N");
    assert_eq!(run.state, RunState::NotWaiting);
    assert!(!run.use_subscription);
    let send = json!({"EVENT_TOKEN": run.event_token, "RETURN_VALUES": {"outputString": "lost"}});
    assert_eq!(s.send(send).await.1["result"], true);
    let after = s.record(run.id);
    assert_eq!(after.ignored[0].reason, IgnoreReason::NotWaiting);
    assert!(after.return_values.is_empty());

    // The designer's setting overrides the registration's.
    let options = RunOptions::default().use_subscription(true);
    let id = s.emulator.run_robot_with(s.member_id(), "quiet", Document::deal(1), json!({}), options).await.unwrap();
    assert_eq!(s.record(id).state, RunState::Waiting);
    assert_eq!(s.app.last("/handler")["use_subscription"], "Y");

    // Without USE_SUBSCRIPTION at all, the run does not wait either.
    s.register("unset", "/handler", json!({"USE_SUBSCRIPTION": null})).await;
    assert_eq!(s.run("unset", json!({})).await.state, RunState::NotWaiting);
}

#[tokio::test]
async fn failing_handlers_are_recorded() {
    let s = setup().await;
    s.register("failing", "/fail", json!({})).await;
    let run = s.run("failing", json!({})).await;
    assert_eq!(run.state, RunState::HandlerFailed);
    assert_eq!(run.handler_status, Some(500));
    // The robot still waits for its answer until a timeout.
    let send = json!({"EVENT_TOKEN": run.event_token, "RETURN_VALUES": {"score": 5}});
    assert_eq!(s.send(send).await.1["result"], true);
    assert_eq!(s.record(run.id).state, RunState::Completed);
    assert_eq!(s.record(run.id).return_values["score"], 5);

    // A handler nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let params = json!({"CODE": "down", "HANDLER": format!("http://127.0.0.1:{port}/x"), "NAME": "Down"});
    assert_eq!(s.call("bizproc.robot.add", params).await.0, 200);
    let down = s.run("down", json!({})).await;
    assert_eq!(down.state, RunState::HandlerFailed);
    assert_eq!(down.handler_status, None);
    assert!(down.handler_error.is_some());
    assert_eq!(s.emulator.wait_for_run(down.id, WAIT).await.unwrap().state, RunState::HandlerFailed);
}

#[tokio::test]
async fn a_handler_may_answer_the_run_before_answering_the_request() {
    let s = setup().await;
    s.register("quick", "/callback", json!({})).await;
    let run = s.run("quick", json!({})).await;
    assert_eq!(run.state, RunState::Completed);
    assert_eq!(run.return_values["answer"], "at once");
    assert_eq!(run.handler_status, Some(200));
}

#[tokio::test]
async fn run_as_user_and_default_user() {
    let s = setup().await;
    s.register("r", "/handler", json!({})).await;
    s.run("r", json!({})).await;
    assert_eq!(s.app.last("/handler")["auth"]["user_id"], "1", "AUTH_USER_ID 0: the administrator");
    let options = RunOptions::default().run_as(7);
    let id = s.emulator.run_robot_with(s.member_id(), "r", Document::deal(1), json!({}), options).await.unwrap();
    let form = s.app.last("/handler");
    assert_eq!(form["auth"]["user_id"], "7");
    assert_eq!(s.record(id).user_id, 7);
    let (status, _) = s.call_as(form["auth"]["access_token"].as_str().unwrap(), "app.info", json!({})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn wrong_types_and_multiple_values_are_converted_as_the_server_does() {
    let s = setup().await;
    s.register(
        "typed",
        "/handler",
        json!({"RETURN_PROPERTIES": {
            "when": {"Name": "When", "Type": "datetime"},
            "day": {"Name": "Day", "Type": "date"},
            "who": {"Name": "Who", "Type": "user"},
            "kind": {"Name": "Kind", "Type": "select", "Options": {"a": "A", "b": "B"}},
            "counts": {"Name": "Counts", "Type": "int", "Multiple": "Y"},
            "empty": {"Name": "Empty", "Type": "int"},
        }}),
    )
    .await;
    let run = s.run("typed", json!({})).await;
    let send = json!({"EVENT_TOKEN": run.event_token, "RETURN_VALUES": {
        "when": "2025-12-28T11:05:48+00:00",
        "day": "2025-12-28",
        "who": "user_5",
        "kind": "c",
        "counts": ["1", 2, "x"],
        "empty": "",
    }});
    assert_eq!(s.send(send).await.1["result"], true);
    let done = s.record(run.id);
    assert_eq!(
        Value::Object(done.return_values.clone()),
        json!({"when": "28.12.2025 14:05:48", "day": "2025-12-28", "who": "user_5", "kind": "c", "counts": [1, 2, 0], "empty": ""})
    );
    let misfits: Vec<(&str, Option<usize>)> = done.misfits.iter().map(|m| (m.id.as_str(), m.index)).collect();
    assert_eq!(misfits, [("day", None), ("kind", None), ("counts", Some(2))]);
}

#[tokio::test]
async fn ended_workflows_fail_with_the_engines_error() {
    let s = setup().await;
    s.register("r", "/handler", json!({})).await;
    let run = s.run("r", json!({})).await;
    assert_eq!(s.emulator.end_workflow(run.id).unwrap().state, RunState::Terminated);
    let (status, answer) = s.send(json!({"EVENT_TOKEN": run.event_token})).await;
    assert_eq!(status, 400);
    assert!(answer["error"].is_string());
    let log = json!({"EVENT_TOKEN": run.event_token, "LOG_MESSAGE": "x"});
    assert_eq!(s.call("bizproc.activity.log", log).await.0, 400);
}

#[tokio::test]
async fn tokens_of_another_portal_are_denied_and_webhooks_may_send() {
    let emulator = Emulator::builder()
        .rate_limit(RateLimit::UNLIMITED)
        .portal(PortalConfig::new("a.bitrix24.test"))
        .portal(PortalConfig::new("b.bitrix24.test"))
        .start()
        .await
        .unwrap();
    let (app_url, app) = start_app().await;
    let client = reqwest::Client::new();
    let portals = emulator.portals();
    let (a, b) = (emulator.credentials_of(&portals[0]).unwrap(), emulator.credentials_of(&portals[1]).unwrap());
    let add = json!({"CODE": "r", "HANDLER": format!("{app_url}/handler"), "NAME": "R", "USE_SUBSCRIPTION": "Y",
        "RETURN_PROPERTIES": {"out": {"Name": "Out"}}, "auth": a.access_token});
    let answer = client.post(format!("{}bizproc.robot.add", a.client_endpoint)).json(&add).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let id = emulator.run_robot(&a.member_id, "r", Document::deal(1), json!({})).await.unwrap();
    let token = app.last("/handler")["event_token"].clone();

    let send = json!({"EVENT_TOKEN": token, "RETURN_VALUES": {"out": "x"}, "auth": b.access_token});
    let answer = client.post(format!("{}bizproc.event.send", b.client_endpoint)).json(&send).send().await.unwrap();
    assert_eq!(answer.status(), 403);

    let send = json!({"EVENT_TOKEN": token, "RETURN_VALUES": {"out": "x"}});
    let answer = client.post(format!("{}bizproc.event.send", a.webhook_url)).json(&send).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(emulator.run(id).unwrap().return_values["out"], "x");
}

#[tokio::test]
async fn runs_of_unknown_portals_robots_and_properties_are_refused() {
    let s = setup().await;
    s.register("r", "/handler", json!({"PROPERTIES": {"text": {"Name": "Text"}}})).await;
    let run = |member: &str, code: &str, properties: Value| {
        let (member, code) = (member.to_owned(), code.to_owned());
        let emulator = &s.emulator;
        async move { emulator.run_robot(&member, &code, Document::deal(1), properties).await }
    };
    assert!(matches!(run("nope", "r", json!({})).await, Err(RunError::UnknownPortal { .. })));
    assert!(matches!(run(s.member_id(), "nope", json!({})).await, Err(RunError::UnknownRobot { .. })));
    assert!(matches!(run(s.member_id(), "r", json!({"TEXT": "x"})).await, Err(RunError::UnknownProperty { .. })));
    assert!(matches!(run(s.member_id(), "r", json!({"text": ["x"]})).await, Err(RunError::InvalidProperty { .. })));
    assert!(matches!(run(s.member_id(), "r", json!("x")).await, Err(RunError::InvalidProperties)));
    assert!(s.emulator.runs().is_empty());
    assert!(s.app.raw("/handler").is_empty());
    assert!(s.emulator.run(RunId(99)).is_none());
    let error = serde_json::to_value(RunError::UnknownRun { id: RunId(99) }).unwrap();
    assert_eq!(error, json!({"kind": "unknown_run", "id": 99}));
}

#[tokio::test]
async fn app_events_carry_the_documented_payloads() {
    let s = setup().await;
    let events = format!("{}/events", s.app_url);
    let member = s.member_id().to_owned();
    let not_installed = s.emulator.update_app(&member).await.unwrap_err();
    assert!(matches!(not_installed, AppEventError::NotInstalled { .. }));

    // Install.
    let outcome = s.emulator.install_app(&member, &events).await.unwrap();
    assert_eq!((outcome.event, outcome.status), (AppEvent::Install, 200));
    let install = s.app.last("/events");
    assert_eq!(s.app.raw("/events"), std::slice::from_ref(&outcome.body));
    assert_eq!(install["event"], "ONAPPINSTALL");
    assert_eq!(install["data"], json!({"VERSION": "1", "ACTIVE": "Y", "INSTALLED": "Y", "LANGUAGE_ID": "en"}));
    assert!(install["ts"].as_str().unwrap().parse::<u64>().is_ok());
    let auth = install["auth"].as_object().unwrap();
    let keys: Vec<&str> = auth.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "domain",
            "scope",
            "access_token",
            "refresh_token",
            "expires_in",
            "server_endpoint",
            "status",
            "client_endpoint",
            "member_id",
            "application_token"
        ]
    );
    assert_eq!(auth["application_token"], s.credentials.application_token.as_str());
    assert_eq!(auth["member_id"], member.as_str());
    let install_token = auth["access_token"].as_str().unwrap().to_owned();
    assert_eq!(s.call_as(&install_token, "app.info", json!({})).await.1["result"]["INSTALLED"], true);

    // Update: robots wiped, new application token, version bumped; old runs keep working.
    s.register("r", "/handler", json!({})).await;
    let run = s.run("r", json!({})).await;
    let outcome = s.emulator.update_app(&member).await.unwrap();
    assert_eq!(outcome.event, AppEvent::Update);
    let update = s.app.last("/events");
    assert_eq!(update["event"], "ONAPPUPDATE");
    assert_eq!(update["data"], json!({"VERSION": "2", "PREVIOUS_VERSION": "1", "LANGUAGE_ID": "en"}));
    let new_token = update["auth"]["application_token"].as_str().unwrap();
    assert_ne!(new_token, s.credentials.application_token);
    assert_eq!(new_token, outcome.application_token);
    assert_eq!(s.emulator.credentials_of(&member).unwrap().application_token, new_token);
    assert_eq!(update["auth"].as_object().unwrap().len(), 10);
    assert_eq!(s.call("bizproc.robot.list", json!({})).await.1["result"], json!([]));
    assert!(matches!(
        s.emulator.run_robot(&member, "r", Document::deal(1), json!({})).await,
        Err(RunError::UnknownRobot { .. })
    ));
    let send = json!({"EVENT_TOKEN": run.event_token, "RETURN_VALUES": {"score": "3"}});
    assert_eq!(s.send(send).await.1["result"], true);
    assert_eq!(s.record(run.id).return_values["score"], 3, "the run kept its return properties");
    s.register("r", "/handler", json!({})).await;
    assert!(s.run("r", json!({})).await.body.contains(new_token), "runs carry the new token");

    // Uninstall: only five auth keys; the app's tokens stop working.
    let outcome = s.emulator.uninstall_app(&member, true).await.unwrap();
    assert_eq!(outcome.event, AppEvent::Uninstall);
    let uninstall = s.app.last("/events");
    assert_eq!(uninstall["event"], "ONAPPUNINSTALL");
    assert_eq!(uninstall["data"], json!({"LANGUAGE_ID": "en", "CLEAN": "1"}));
    let auth: Map<String, Value> = uninstall["auth"].as_object().unwrap().clone();
    let keys: Vec<&str> = auth.keys().map(String::as_str).collect();
    assert_eq!(keys, ["domain", "server_endpoint", "client_endpoint", "member_id", "application_token"]);
    assert_eq!(auth["application_token"], new_token);
    assert_eq!(s.call_as(&install_token, "app.info", json!({})).await.0, 401);
    assert!(matches!(s.emulator.uninstall_app(&member, false).await, Err(AppEventError::NotInstalled { .. })));

    // Installing again hands out working tokens.
    s.emulator.install_app(&member, &events).await.unwrap();
    let token = s.app.last("/events")["auth"]["access_token"].as_str().unwrap().to_owned();
    assert_eq!(s.call_as(&token, "app.info", json!({})).await.0, 200);
    assert!(matches!(s.emulator.install_app("nope", &events).await, Err(AppEventError::UnknownPortal { .. })));
}

#[tokio::test]
async fn unreachable_event_urls_are_errors_but_the_event_happens() {
    let s = setup().await;
    let member = s.member_id().to_owned();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/events", closed.local_addr().unwrap().port());
    drop(closed);
    let error = s.emulator.install_app(&member, &url).await.unwrap_err();
    assert!(matches!(error, AppEventError::Delivery { event: AppEvent::Install, .. }), "{error}");
    let before = s.emulator.credentials_of(&member).unwrap().application_token;
    assert!(s.emulator.update_app(&member).await.is_err());
    assert_ne!(s.emulator.credentials_of(&member).unwrap().application_token, before);
}

#[tokio::test]
async fn records_serialize_for_the_control_endpoint() {
    let s = setup().await;
    s.register("r", "/handler", json!({})).await;
    let run = s.run("r", json!({})).await;
    let value = serde_json::to_value(&run).unwrap();
    assert_eq!(value["id"], 1);
    assert_eq!(value["state"], "waiting");
    assert_eq!(value["document"]["type"], json!(["crm", "CCrmDocumentDeal", "DEAL"]));
    assert!(value["started_at"].as_f64().unwrap() > 1.7e9);
    assert_eq!(value["closed_at"], Value::Null);
    assert_eq!(s.emulator.runs().len(), 1);
}
