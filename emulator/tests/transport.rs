//! The REST transport over real HTTP: envelope, auth, errors, limits, OAuth refresh, `batch`,
//! injected faults, the request log and the control endpoint (spec §7).

use std::time::{Duration, Instant};

use bizproc_emulator::{
    AuthKind, Credentials, Emulator, EmulatorBuilder, Fault, OperatingLimit, PortalConfig, RandomFaults, RateLimit,
};
use serde_json::{Value, json};

/// A started emulator with a client and the first portal's credentials.
struct Portal {
    emulator: Emulator,
    creds: Credentials,
    http: reqwest::Client,
}

impl Portal {
    async fn start(builder: EmulatorBuilder) -> Self {
        let emulator = builder.start().await.expect("the emulator starts");
        let creds = emulator.credentials();
        Self { emulator, creds, http: reqwest::Client::new() }
    }

    async fn unlimited() -> Self {
        Self::start(Emulator::builder().rate_limit(RateLimit::UNLIMITED)).await
    }

    fn url(&self, method: &str) -> String {
        format!("{}{method}", self.creds.client_endpoint)
    }

    /// POSTs `params` as JSON with `auth` set to the portal's access token.
    async fn call(&self, method: &str, mut params: Value) -> (u16, Value) {
        params["auth"] = json!(self.creds.access_token);
        self.post_json(&self.url(method), &params).await
    }

    async fn post_json(&self, url: &str, body: &Value) -> (u16, Value) {
        answer(self.http.post(url).json(body).send().await.expect("the request is answered")).await
    }

    async fn batch(&self, cmd: Value, halt: bool) -> (u16, Value) {
        self.call("batch", json!({ "cmd": cmd, "halt": halt })).await
    }

    fn control(&self, path: &str) -> String {
        format!("{}/_emulator/{path}", self.emulator.base_url())
    }
}

async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.expect("a JSON body");
    (status, body)
}

fn assert_error(answer: &(u16, Value), status: u16, code: &str) {
    assert_eq!(answer.0, status, "status of {}", answer.1);
    assert_eq!(answer.1["error"], code, "{}", answer.1);
    assert!(answer.1["error_description"].is_string(), "{}", answer.1);
}

// ---------------------------------------------------------------------------------------- envelope

#[tokio::test]
async fn success_envelope_has_result_and_full_time() {
    let portal = Portal::unlimited().await;
    let (status, body) = portal.call("app.info", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["CODE"], portal.creds.client_id);
    let time = body["time"].as_object().expect("a time object");
    for key in ["start", "finish", "duration", "processing"] {
        assert!(time[key].is_f64(), "{key} is a float: {time:?}");
    }
    assert!(time["start"].as_f64() <= time["finish"].as_f64());
    assert!(time["duration"].as_f64().is_some_and(|d| d >= 0.0));
    for key in ["date_start", "date_finish"] {
        let date = time[key].as_str().expect("a date string");
        assert!(date.ends_with("+03:00"), "{key} carries the portal offset: {date}");
        assert!(chrono::DateTime::parse_from_rfc3339(date).is_ok(), "{date}");
    }
    assert!(!time.contains_key("operating"), "no operating limit, no operating time");
}

#[tokio::test]
async fn method_with_and_without_json_suffix() {
    let portal = Portal::unlimited().await;
    for method in ["app.info", "app.info.json", "APP.INFO"] {
        let (status, body) = portal.call(method, json!({})).await;
        assert_eq!(status, 200, "{method}: {body}");
        assert_eq!(body["result"]["CODE"], portal.creds.client_id, "{method}");
    }
    let log = portal.emulator.requests();
    assert!(log.iter().all(|entry| entry.method == "app.info"), "{log:?}");
}

#[tokio::test]
async fn auth_in_body_query_header_and_access_token() {
    let portal = Portal::unlimited().await;
    let token = &portal.creds.access_token;
    let url = portal.url("app.info");

    let in_body = portal.post_json(&url, &json!({ "auth": token })).await;
    let in_query = answer(portal.http.get(format!("{url}?auth={token}")).send().await.unwrap()).await;
    let bearer = answer(portal.http.post(&url).bearer_auth(token).send().await.unwrap()).await;
    let access_token = answer(portal.http.get(format!("{url}?access_token={token}")).send().await.unwrap()).await;
    let form = answer(
        portal
            .http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("auth={token}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    for (how, (status, body)) in
        [("body", in_body), ("query", in_query), ("bearer", bearer), ("access_token", access_token), ("form", form)]
    {
        assert_eq!(status, 200, "{how}: {body}");
        assert_eq!(body["result"]["CODE"], portal.creds.client_id, "{how}");
    }
    assert!(portal.emulator.requests().iter().all(|entry| entry.auth == AuthKind::OAuth));
}

#[tokio::test]
async fn form_encoded_body_with_php_brackets() {
    let portal = Portal::unlimited().await;
    let body =
        format!("auth={}&halt=0&cmd%5Bfirst%5D=app.info&cmd[second]={}", portal.creds.access_token, "app.info%3Fx%3D1");
    let response = portal
        .http
        .post(portal.url("batch"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let (status, body) = answer(response).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["result"]["first"]["CODE"], portal.creds.client_id);
    assert_eq!(body["result"]["result"]["second"]["CODE"], portal.creds.client_id);
}

#[tokio::test]
async fn webhook_path_authenticates_as_the_webhook_user() {
    let portal = Portal::unlimited().await;
    let url = format!("{}app.info", portal.creds.webhook_url);
    let (status, body) = answer(portal.http.get(&url).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["CODE"], portal.creds.client_id);
    let (status, _) = answer(portal.http.post(format!("{url}.json")).json(&json!({})).send().await.unwrap()).await;
    assert_eq!(status, 200);

    let wrong = url.replace(&portal.creds.webhook_url, &format!("{}/rest/1/wrongsecret/", portal.emulator.base_url()));
    let refused = answer(portal.http.get(&wrong).send().await.unwrap()).await;
    assert_error(&refused, 403, "INVALID_CREDENTIALS");

    let log = portal.emulator.requests();
    assert_eq!(log[0].auth, AuthKind::Webhook);
    assert_eq!(log[0].member_id.as_deref(), Some(portal.creds.member_id.as_str()));
    assert_eq!(log[2].auth, AuthKind::None);
}

#[tokio::test]
async fn system_errors_have_the_spec_statuses() {
    let portal = Portal::unlimited().await;
    let url = portal.url("app.info");
    let no_auth = portal.post_json(&url, &json!({})).await;
    assert_error(&no_auth, 401, "NO_AUTH_FOUND");
    let empty_auth = portal.post_json(&url, &json!({ "auth": "" })).await;
    assert_error(&empty_auth, 401, "NO_AUTH_FOUND");
    let invalid = portal.post_json(&url, &json!({ "auth": "not-a-token" })).await;
    assert_error(&invalid, 401, "invalid_token");
    let unknown = portal.call("crm.deal.nonexistent", json!({})).await;
    assert_error(&unknown, 404, "ERROR_METHOD_NOT_FOUND");
    let broken = answer(
        portal.http.post(&url).header("content-type", "application/json").body("{not json").send().await.unwrap(),
    )
    .await;
    assert_error(&broken, 400, "INVALID_REQUEST");
}

#[tokio::test]
async fn every_portal_has_its_own_credentials() {
    let portal = Portal::start(
        Emulator::builder()
            .rate_limit(RateLimit::UNLIMITED)
            .portal(PortalConfig::new("one.bitrix24.test"))
            .portal(PortalConfig::new("two.bitrix24.test").member_id("second")),
    )
    .await;
    let second = portal.emulator.credentials_of("second").expect("the second portal");
    assert_ne!(second.access_token, portal.creds.access_token);
    let (status, body) = portal.post_json(&portal.url("app.info"), &json!({ "auth": second.access_token })).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["CODE"], second.client_id);
    assert_eq!(portal.emulator.requests()[0].member_id.as_deref(), Some("second"));
}

// ------------------------------------------------------------------------------------------ limits

#[tokio::test]
async fn rate_limit_lets_a_burst_through_then_refuses_then_recovers() {
    let portal = Portal::start(Emulator::builder().rate_limit(RateLimit::new(2.0, 5.0))).await;
    let mut answers = Vec::new();
    for _ in 0..20 {
        answers.push(portal.call("app.info", json!({})).await);
    }
    let passed = answers.iter().filter(|(status, _)| *status == 200).count();
    let refused: Vec<_> = answers.iter().filter(|(status, _)| *status == 503).collect();
    assert_eq!(passed, 5, "the burst");
    assert_eq!(refused.len(), 15);
    for answer in refused {
        assert_eq!(answer.1["error"], "QUERY_LIMIT_EXCEEDED");
        assert_eq!(answer.1["error_description"], "Too many requests");
    }
    assert!(answers[..5].iter().all(|(status, _)| *status == 200), "the first five pass");

    // Two requests drain per second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut later = 0;
    for _ in 0..5 {
        if portal.call("app.info", json!({})).await.0 == 200 {
            later += 1;
        }
    }
    assert!((1..=3).contains(&later), "{later} passed after a second");
}

#[tokio::test]
async fn a_batch_counts_as_one_request() {
    let portal = Portal::start(Emulator::builder().rate_limit(RateLimit::new(0.01, 5.0))).await;
    let cmd: Vec<Value> = (0..50).map(|_| json!("app.info")).collect();
    let (status, body) = portal.batch(json!(cmd), false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["result"].as_array().map(Vec::len), Some(50));
    let statuses = {
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(portal.call("app.info", json!({})).await.0);
        }
        statuses
    };
    assert_eq!(statuses, [200, 200, 200, 200, 503], "the batch took one place in the bucket of 5");
}

#[tokio::test]
async fn set_rate_limit_changes_a_running_portal() {
    let portal = Portal::unlimited().await;
    assert!(portal.emulator.set_rate_limit(&portal.creds.member_id, RateLimit::new(0.01, 2.0)));
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(portal.call("app.info", json!({})).await.0);
    }
    assert_eq!(statuses, [200, 200, 503]);
    assert!(!portal.emulator.set_rate_limit("nobody", RateLimit::UNLIMITED));
}

#[tokio::test]
async fn operating_time_limit_blocks_the_method_with_429() {
    let limit = OperatingLimit::new(Duration::from_secs(20), Duration::from_secs(10));
    let portal = Portal::start(Emulator::builder().rate_limit(RateLimit::UNLIMITED).operating_limit(limit)).await;
    let mut operating = Vec::new();
    for _ in 0..3 {
        let (status, body) = portal.call("app.info", json!({})).await;
        assert_eq!(status, 200, "{body}");
        operating.push(body["time"]["operating"].as_f64().expect("operating"));
        let reset_at = body["time"]["operating_reset_at"].as_u64().expect("operating_reset_at");
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert!(reset_at > now && reset_at <= now + 600, "{reset_at} vs {now}");
    }
    assert_eq!(operating, [10.0, 20.0, 30.0]);
    let blocked = portal.call("app.info", json!({})).await;
    assert_error(&blocked, 429, "OPERATION_TIME_LIMIT");

    // The outer batch does not count; its commands count against their own method.
    let (status, body) = portal.batch(json!({ "a": "app.info" }), false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["result_error"]["a"]["error"], "OPERATION_TIME_LIMIT");
    assert!(body["time"].get("operating").is_none(), "{body}");
}

// ------------------------------------------------------------------------------------------- OAuth

#[tokio::test]
async fn expired_token_then_refresh_rotates_the_pair() {
    let portal =
        Portal::start(Emulator::builder().rate_limit(RateLimit::UNLIMITED).token_lifetime(Duration::from_millis(300)))
            .await;
    assert_eq!(portal.call("app.info", json!({})).await.0, 200);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let expired = portal.call("app.info", json!({})).await;
    assert_error(&expired, 401, "expired_token");

    let creds = &portal.creds;
    let refresh = |refresh_token: String| {
        let url = format!(
            "{}?grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={refresh_token}",
            creds.oauth_token_url, creds.client_id, creds.client_secret
        );
        let http = portal.http.clone();
        async move { answer(http.get(url).send().await.unwrap()).await }
    };
    let (status, pair) = refresh(creds.refresh_token.clone()).await;
    assert_eq!(status, 200, "{pair}");
    let access = pair["access_token"].as_str().expect("a new access token").to_owned();
    let new_refresh = pair["refresh_token"].as_str().expect("a new refresh token").to_owned();
    assert_ne!(access, creds.access_token);
    assert_ne!(new_refresh, creds.refresh_token);
    assert_eq!(pair["member_id"], creds.member_id);
    assert_eq!(pair["client_endpoint"], creds.client_endpoint);

    let reused = refresh(creds.refresh_token.clone()).await;
    assert_error(&reused, 400, "invalid_grant");

    let (status, body) = portal.post_json(&portal.url("app.info"), &json!({ "auth": access })).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = refresh(new_refresh).await;
    assert_eq!(status, 200, "the new refresh token works once");
}

#[tokio::test]
async fn refresh_with_a_wrong_secret_is_invalid_client() {
    let portal = Portal::unlimited().await;
    let creds = &portal.creds;
    let url = format!(
        "{}?grant_type=refresh_token&client_id={}&client_secret=wrong&refresh_token={}",
        creds.oauth_token_url, creds.client_id, creds.refresh_token
    );
    let refused = answer(portal.http.get(url).send().await.unwrap()).await;
    assert_error(&refused, 401, "invalid_client");
}

// ------------------------------------------------------------------------------------------- batch

#[tokio::test]
async fn batch_of_fifty_runs_and_fifty_one_is_refused_whole() {
    let portal = Portal::unlimited().await;
    let fifty: serde_json::Map<String, Value> = (0..50).map(|i| (format!("c{i}"), json!("app.info"))).collect();
    let (status, body) = portal.batch(Value::Object(fifty.clone()), false).await;
    assert_eq!(status, 200, "{body}");
    let result = body["result"]["result"].as_object().expect("results keyed by command");
    assert_eq!(result.len(), 50);
    assert_eq!(result["c49"]["CODE"], portal.creds.client_id);
    assert_eq!(body["result"]["result_time"].as_object().map(serde_json::Map::len), Some(50));
    let sub_time = &body["result"]["result_time"]["c0"];
    assert!(sub_time["date_start"].as_str().is_some_and(|d| d.ends_with("+03:00")), "{sub_time}");
    assert!(sub_time.get("operating").is_none());

    let mut fifty_one = fifty;
    fifty_one.insert("c50".to_owned(), json!("app.info"));
    portal.emulator.clear_requests();
    let refused = portal.batch(Value::Object(fifty_one), false).await;
    assert_error(&refused, 400, "ERROR_BATCH_LENGTH_EXCEEDED");
    assert_eq!(refused.1["error_description"], "Max batch length exceeded");
    assert!(portal.emulator.requests().iter().all(|entry| !entry.in_batch), "no command ran");
}

#[tokio::test]
async fn empty_collections_are_written_as_empty_lists() {
    let portal = Portal::unlimited().await;
    let (status, body) = portal.batch(json!({ "info": "app.info" }), false).await;
    assert_eq!(status, 200);
    let result = &body["result"];
    assert_eq!(result["result_error"], json!([]));
    assert_eq!(result["result_total"], json!([]));
    assert_eq!(result["result_next"], json!([]));
    assert!(result["result"]["info"].is_object());

    let (status, body) = portal.batch(json!({}), false).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["result"],
        json!({"result": [], "result_error": [], "result_total": [], "result_next": [], "result_time": []})
    );
}

#[tokio::test]
async fn a_list_of_commands_is_keyed_by_index() {
    let portal = Portal::unlimited().await;
    let (_, body) = portal.batch(json!(["app.info", "no.such.method", "app.info"]), false).await;
    let result = &body["result"];
    assert_eq!(result["result"]["0"]["CODE"], portal.creds.client_id);
    assert_eq!(result["result"]["2"]["CODE"], portal.creds.client_id);
    assert_eq!(result["result_error"]["1"]["error"], "ERROR_METHOD_NOT_FOUND");
    // Keys 0, 1, … in order make a list, as PHP's json_encode writes them.
    let (_, body) = portal.batch(json!(["app.info", "app.info"]), false).await;
    assert_eq!(body["result"]["result"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn halt_stops_at_the_first_failure() {
    let portal = Portal::unlimited().await;
    let cmd = json!({ "a": "app.info", "b": "no.such.method", "c": "app.info" });

    let (status, body) = portal.batch(cmd.clone(), true).await;
    assert_eq!(status, 200, "a batch answers 200 even when a command fails");
    let result = &body["result"];
    assert!(result["result"]["a"].is_object());
    assert!(result["result"].get("c").is_none(), "halted before c: {result}");
    assert_eq!(result["result_error"]["b"]["error"], "ERROR_METHOD_NOT_FOUND");
    assert_eq!(result["result_error"]["b"]["error_description"], "Method not found!");

    let (_, body) = portal.batch(cmd.clone(), false).await;
    assert!(body["result"]["result"]["c"].is_object(), "without halt, c runs");

    for halt in [json!(1), json!("1"), json!("true"), json!("Y")] {
        let (_, body) = portal.call("batch", json!({ "cmd": cmd, "halt": halt })).await;
        assert!(body["result"]["result"].get("c").is_none(), "halt = {halt}");
    }
    for halt in [json!(0), json!("0"), json!(false)] {
        let (_, body) = portal.call("batch", json!({ "cmd": cmd, "halt": halt })).await;
        assert!(body["result"]["result"]["c"].is_object(), "halt = {halt}");
    }
}

#[tokio::test]
async fn batch_inside_batch_is_refused_per_command() {
    let portal = Portal::unlimited().await;
    let (status, body) = portal.batch(json!({ "inner": "batch?cmd[x]=app.info", "ok": "app.info" }), false).await;
    assert_eq!(status, 200);
    let error = &body["result"]["result_error"]["inner"];
    assert_eq!(error["error"], "ERROR_BATCH_METHOD_NOT_ALLOWED");
    assert_eq!(error["error_description"], "Method is not allowed for batch usage");
    assert!(body["result"]["result"]["ok"].is_object());
    let inner = portal.emulator.requests().into_iter().find(|e| e.method == "batch" && e.in_batch);
    assert_eq!(inner.map(|e| e.status), Some(405));
}

#[tokio::test]
async fn batch_commands_are_logged_in_batch() {
    let portal = Portal::unlimited().await;
    portal.batch(json!({ "a": "app.info", "b": "nope" }), false).await;
    let log = portal.emulator.requests();
    let summary: Vec<_> = log.iter().map(|e| (e.method.as_str(), e.status, e.in_batch, e.error.as_deref())).collect();
    assert_eq!(
        summary,
        [
            ("app.info", 200, true, None),
            ("nope", 404, true, Some("ERROR_METHOD_NOT_FOUND")),
            ("batch", 200, false, None)
        ]
    );
    assert!(log.iter().all(|e| e.auth == AuthKind::OAuth));
}

#[tokio::test]
async fn result_references_reach_later_commands() {
    // `bizproc.robot.add` validates CODE (`^[A-Za-z0-9._-]+$`) and HANDLER, and the store shows
    // what arrived, so a substituted value is visible and an unsubstituted one is refused.
    let portal = Portal::unlimited().await;
    let cmd = json!({
        "info": "app.info",
        "add": "bizproc.robot.add?CODE=$result[info][CODE]&HANDLER=https://app.example.com/$result[info][VERSION]/robot&NAME=$result[info][LICENSE]&USE_SUBSCRIPTION=Y",
        "list": "bizproc.robot.list",
    });
    let (status, body) = portal.batch(cmd, true).await;
    assert_eq!(status, 200, "{body}");
    let result = &body["result"];
    assert_eq!(result["result_error"], json!([]), "{result}");
    assert_eq!(result["result"]["list"], json!([portal.creds.client_id]));

    let state = portal.http.get(portal.control("state")).send().await.unwrap().json::<Value>().await.unwrap();
    let registration = &state["portals"][0]["registrations"][0];
    assert_eq!(registration["code"], portal.creds.client_id);
    assert_eq!(registration["kind"], "robot");
    assert_eq!(registration["fields"]["HANDLER"], "https://app.example.com/1/robot");
}

// ------------------------------------------------------------------------------------------ faults

#[tokio::test]
async fn scripted_errors_then_success() {
    let portal = Portal::unlimited().await;
    portal.emulator.fail_next("app.info", 2, Fault::status(503, "QUERY_LIMIT_EXCEEDED", "Too many requests"));
    let first = portal.call("app.info", json!({})).await;
    let second = portal.call("app.info", json!({})).await;
    let third = portal.call("app.info", json!({})).await;
    assert_error(&first, 503, "QUERY_LIMIT_EXCEEDED");
    assert_error(&second, 503, "QUERY_LIMIT_EXCEEDED");
    assert_eq!(third.0, 200);
    let statuses: Vec<_> = portal.emulator.requests().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
}

#[tokio::test]
async fn scripted_faults_touch_only_their_method_and_clear() {
    let portal = Portal::unlimited().await;
    portal.emulator.fail_next("APP.INFO", 1, Fault::internal_error());
    assert_eq!(portal.call("nope", json!({})).await.0, 404, "other methods are untouched");
    portal.emulator.clear_faults();
    assert_eq!(portal.call("app.info", json!({})).await.0, 200);
}

#[tokio::test]
async fn scripted_errors_fail_batch_commands() {
    let portal = Portal::unlimited().await;
    portal.emulator.fail_next("app.info", 1, Fault::internal_error());
    let (status, body) = portal.batch(json!({ "a": "app.info", "b": "app.info" }), false).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["result_error"]["a"]["error"], "INTERNAL_SERVER_ERROR");
    assert!(body["result"]["result"]["b"].is_object());
}

#[tokio::test]
async fn delay_answers_late_but_answers() {
    let portal = Portal::unlimited().await;
    let delay = Duration::from_millis(300);
    portal.emulator.fail_next("app.info", 1, Fault::delay(delay));
    let started = Instant::now();
    let (status, _) = portal.call("app.info", json!({})).await;
    assert_eq!(status, 200);
    assert!(started.elapsed() >= delay, "answered after {:?}", started.elapsed());

    // A client that gives up sooner sees a timeout.
    portal.emulator.fail_next("app.info", 1, Fault::delay(Duration::from_secs(2)));
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(100)).build().unwrap();
    let error = impatient
        .post(portal.url("app.info"))
        .json(&json!({ "auth": portal.creds.access_token }))
        .send()
        .await
        .expect_err("the client times out");
    assert!(error.is_timeout(), "{error}");
}

#[tokio::test]
async fn dropped_connection_is_a_client_side_error() {
    let portal = Portal::unlimited().await;
    portal.emulator.fail_next("app.info", 1, Fault::Drop);
    let outcome = async {
        let response =
            portal.http.post(portal.url("app.info")).json(&json!({ "auth": portal.creds.access_token })).send().await?;
        response.bytes().await
    }
    .await;
    assert!(outcome.is_err(), "{outcome:?}");
    assert_eq!(portal.call("app.info", json!({})).await.0, 200, "the next call is answered");
    let log = portal.emulator.requests();
    assert_eq!(log[0].error.as_deref(), Some("CONNECTION_DROPPED"));
}

#[tokio::test]
async fn random_faults_repeat_from_the_same_seed() {
    async fn statuses(portal: &Portal, seed: u64) -> Vec<u16> {
        portal.emulator.random_faults(
            RandomFaults::new(0.5, seed)
                .methods(["app.info"])
                .faults([Fault::query_limit(), Fault::status(500, "INTERNAL_SERVER_ERROR", "Internal server error")]),
        );
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(portal.call("app.info", json!({})).await.0);
        }
        statuses
    }
    let portal = Portal::unlimited().await;
    let first = statuses(&portal, 42).await;
    let again = statuses(&portal, 42).await;
    assert_eq!(first, again, "the same seed gives the same faults");
    let other = Portal::unlimited().await;
    assert_eq!(statuses(&other, 42).await, first, "on another emulator too");
    for status in [200, 500, 503] {
        assert!(first.contains(&status), "{status} in {first:?}");
    }
    assert_ne!(statuses(&portal, 43).await, first, "another seed gives other faults");
    assert_eq!(portal.call("nope", json!({})).await.0, 404, "other methods are spared");
    portal.emulator.clear_faults();
    assert!(statuses_without_faults(&portal).await.iter().all(|s| *s == 200));
}

async fn statuses_without_faults(portal: &Portal) -> Vec<u16> {
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(portal.call("app.info", json!({})).await.0);
    }
    statuses
}

#[tokio::test]
async fn random_faults_at_rate_one_always_fail() {
    let portal = Portal::unlimited().await;
    portal.emulator.random_faults(RandomFaults::new(1.0, 0).faults([Fault::overload()]));
    for _ in 0..5 {
        assert_error(&portal.call("app.info", json!({})).await, 503, "OVERLOAD_LIMIT");
    }
}

// ------------------------------------------------------------------------------- log and control

#[tokio::test]
async fn request_log_records_every_call() {
    let portal = Portal::unlimited().await;
    portal.call("app.info", json!({})).await;
    portal.post_json(&portal.url("app.info"), &json!({})).await;
    portal.call("nope", json!({})).await;
    let log = portal.emulator.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].method, "app.info");
    assert_eq!(log[0].status, 200);
    assert_eq!(log[0].auth, AuthKind::OAuth);
    assert_eq!(log[0].member_id.as_deref(), Some(portal.creds.member_id.as_str()));
    assert_eq!(log[1].auth, AuthKind::None);
    assert_eq!(log[1].member_id, None);
    assert_eq!(log[1].error.as_deref(), Some("NO_AUTH_FOUND"));
    assert_eq!(log[2].status, 404);
    assert!(log.windows(2).all(|w| w[0].at <= w[1].at));

    let over_http = portal.http.get(portal.control("requests")).send().await.unwrap().json::<Value>().await.unwrap();
    assert_eq!(over_http.as_array().map(Vec::len), Some(3));
    assert_eq!(over_http[0]["method"], "app.info");
    assert_eq!(over_http[0]["auth"], "o_auth");
    assert_eq!(over_http[1]["auth"], "none");
    assert!(over_http[0]["at"].is_f64());

    let cleared = portal.http.delete(portal.control("requests")).send().await.unwrap();
    assert_eq!(cleared.status(), 200);
    assert!(portal.emulator.requests().is_empty());
    portal.call("app.info", json!({})).await;
    portal.emulator.clear_requests();
    assert!(portal.emulator.requests().is_empty());
}

#[tokio::test]
async fn control_endpoint_scripts_and_clears_faults() {
    let portal = Portal::unlimited().await;
    let post = |body: Value| {
        let request = portal.http.post(portal.control("faults")).json(&body);
        async move { answer(request.send().await.unwrap()).await }
    };
    let scripted = post(json!({
        "method": "app.info", "count": 1, "status": 503, "error": "QUERY_LIMIT_EXCEEDED", "description": "Too many requests"
    }))
    .await;
    assert_eq!(scripted.0, 200, "{}", scripted.1);
    assert_error(&portal.call("app.info", json!({})).await, 503, "QUERY_LIMIT_EXCEEDED");
    assert_eq!(portal.call("app.info", json!({})).await.0, 200);

    assert_eq!(post(json!({ "method": "app.info", "count": 1, "delay_ms": 200 })).await.0, 200);
    let started = Instant::now();
    assert_eq!(portal.call("app.info", json!({})).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(200));

    assert_eq!(post(json!({ "method": "app.info", "count": 1, "drop": true })).await.0, 200);
    let dropped = async {
        let response =
            portal.http.post(portal.url("app.info")).json(&json!({ "auth": portal.creds.access_token })).send().await?;
        response.bytes().await
    }
    .await;
    assert!(dropped.is_err());

    assert_eq!(post(json!({ "method": "app.info", "count": 3, "error": "X" })).await.0, 200);
    let state = portal.http.get(portal.control("state")).send().await.unwrap().json::<Value>().await.unwrap();
    assert_eq!(state["faults"]["scripted"]["app.info"], 3);
    let cleared = portal.http.delete(portal.control("faults")).send().await.unwrap();
    assert_eq!(cleared.status(), 200);
    assert_eq!(portal.call("app.info", json!({})).await.0, 200);

    let random = portal
        .http
        .post(portal.control("faults/random"))
        .json(&json!({ "rate": 1.0, "seed": 5, "methods": ["app.info"], "faults": [{ "status": 500, "error": "INTERNAL_SERVER_ERROR" }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(random.status(), 200);
    assert_error(&portal.call("app.info", json!({})).await, 500, "INTERNAL_SERVER_ERROR");

    assert_error(&post(json!({ "count": 1, "drop": true })).await, 400, "INVALID_REQUEST");
    assert_error(&post(json!({ "method": "app.info" })).await, 400, "INVALID_REQUEST");
    assert_error(&post(json!({ "method": "app.info", "status": 42, "error": "X" })).await, 400, "INVALID_REQUEST");
}

#[tokio::test]
async fn control_state_describes_the_portals() {
    let portal = Portal::unlimited().await;
    let response = portal.http.get(portal.control("state")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let state = response.json::<Value>().await.unwrap();
    assert_eq!(state["base_url"], portal.emulator.base_url());
    let first = &state["portals"][0];
    assert_eq!(first["domain"], portal.creds.domain);
    assert_eq!(first["member_id"], portal.creds.member_id);
    assert_eq!(first["locale"]["utc_offset"], "+03:00");
    assert_eq!(first["locale"]["date_format"], "DD.MM.YYYY");
    assert_eq!(first["app"]["version"], 1);
    assert!(first["app"]["installed"].is_boolean());
    assert_eq!(first["registrations"], json!([]));

    let unknown = answer(portal.http.get(portal.control("nothing")).send().await.unwrap()).await;
    assert_error(&unknown, 404, "NOT_FOUND");
    let wrong = answer(portal.http.put(portal.control("state")).send().await.unwrap()).await;
    assert_error(&wrong, 405, "METHOD_NOT_ALLOWED");
}

// ------------------------------------------------------------------------ control: runs and apps

/// A stand-in app: records every POST it gets as (path, body) and answers 200.
async fn app_server() -> (String, std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>) {
    use axum::extract::{Path, State};
    type Seen = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;
    async fn record(State(seen): State<Seen>, Path(path): Path<String>, body: String) -> &'static str {
        seen.lock().unwrap().push((path, body));
        "ok"
    }
    let seen: Seen = Seen::default();
    let router = axum::Router::new().route("/{*path}", axum::routing::post(record)).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, seen)
}

#[tokio::test]
async fn control_endpoint_runs_robots() {
    let portal = Portal::unlimited().await;
    let (app, seen) = app_server().await;
    let (status, body) = portal
        .call(
            "bizproc.robot.add",
            json!({
                "CODE": "echo", "HANDLER": format!("{app}/robot"), "NAME": "Echo", "USE_SUBSCRIPTION": "Y",
                "PROPERTIES": { "text": { "Name": "Text", "Type": "string" } },
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let post = |body: Value| {
        let request = portal.http.post(portal.control("runs")).json(&body);
        async move { answer(request.send().await.unwrap()).await }
    };
    let (status, run) = post(json!({
        "code": "echo",
        "document": { "id": ["crm", "CCrmDocumentLead", "LEAD_5"], "type": ["crm", "CCrmDocumentLead", "LEAD"] },
        "properties": { "text": "hi" },
        "options": { "timeout_duration": 60 },
    }))
    .await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["id"], 1);
    assert_eq!(run["state"], "waiting");
    assert_eq!(run["handler_status"], 200);
    assert_eq!(run["properties"]["text"], "hi");
    assert_eq!(run["timeout_duration"], 60);
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].0, "robot");
        assert!(seen[0].1.contains("LEAD_5"), "{}", seen[0].1);
    }

    let get = |path: &str| {
        let request = portal.http.get(portal.control(path));
        async move { answer(request.send().await.unwrap()).await }
    };
    let (_, all) = get("runs").await;
    assert_eq!(all.as_array().map(Vec::len), Some(1));
    let (status, one) = get("runs/1").await;
    assert_eq!((status, &one["code"]), (200, &json!("echo")));
    assert_error(&get("runs/9").await, 404, "unknown_run");
    let (_, state) = get("state").await;
    assert_eq!(state["runs"][0]["workflow_id"], run["workflow_id"]);

    assert_error(&post(json!({ "code": "missing" })).await, 404, "unknown_robot");
    assert_error(&post(json!({ "code": "echo", "member_id": "nobody" })).await, 404, "unknown_portal");
    assert_error(&post(json!({ "code": "echo", "properties": { "other": 1 } })).await, 400, "unknown_property");
    assert_error(&post(json!({ "properties": {} })).await, 400, "INVALID_REQUEST");
    assert_error(&post(json!({ "code": "echo", "document": ["crm"] })).await, 400, "INVALID_REQUEST");
}

#[tokio::test]
async fn control_endpoint_sends_app_events() {
    let portal = Portal::unlimited().await;
    let (app, seen) = app_server().await;
    let member_id = &portal.creds.member_id;
    let post = |action: &str, body: Value| {
        let request = portal.http.post(portal.control(&format!("apps/{member_id}/{action}"))).json(&body);
        async move { answer(request.send().await.unwrap()).await }
    };

    assert_error(&post("update", json!({})).await, 409, "not_installed");
    assert_error(&post("install", json!({})).await, 400, "INVALID_REQUEST");

    let (status, installed) = post("install", json!({ "event_url": format!("{app}/events") })).await;
    assert_eq!(status, 200, "{installed}");
    assert_eq!(installed["event"], "ONAPPINSTALL");
    assert_eq!(installed["status"], 200);

    portal
        .call(
            "bizproc.robot.add",
            json!({ "CODE": "r", "HANDLER": format!("{app}/r"), "NAME": "R", "USE_SUBSCRIPTION": "N" }),
        )
        .await;
    let (status, updated) = post("update", json!({})).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["event"], "ONAPPUPDATE");
    let state = portal.http.get(portal.control("state")).send().await.unwrap().json::<Value>().await.unwrap();
    assert_eq!(state["portals"][0]["registrations"], json!([]), "an update wipes the robots");
    assert_eq!(state["portals"][0]["app"]["version"], 2);

    let (status, removed) = post("uninstall", json!({ "clean": true })).await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(removed["event"], "ONAPPUNINSTALL");
    let events: Vec<String> = seen.lock().unwrap().iter().map(|(_, body)| body.clone()).collect();
    assert_eq!(events.len(), 3);
    assert!(events[0].contains("event=ONAPPINSTALL"), "{}", events[0]);
    assert!(events[2].contains("CLEAN%5D=1") || events[2].contains("CLEAN]=1"), "{}", events[2]);

    let unknown =
        answer(portal.http.post(portal.control("apps/nobody/update")).json(&json!({})).send().await.unwrap()).await;
    assert_error(&unknown, 404, "unknown_portal");
    let wrong =
        answer(portal.http.get(portal.control(&format!("apps/{member_id}/install"))).send().await.unwrap()).await;
    assert_error(&wrong, 405, "METHOD_NOT_ALLOWED");
}
