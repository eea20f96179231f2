//! `/_emulator/...`: the control endpoint, under a path no Bitrix24 method can take.
//!
//! JSON in, JSON out:
//!
//! | Request | Does |
//! |---|---|
//! | `GET /_emulator/state` | portals (domain, member id, locale, app state, registrations), faults, runs |
//! | `GET /_emulator/requests` | the request log |
//! | `DELETE /_emulator/requests` | empties the request log |
//! | `POST /_emulator/faults` | scripts a fault: `{"method", "count", "status", "error", "description"}`, `{"method", "count", "delay_ms"}` or `{"method", "count", "drop": true}` |
//! | `POST /_emulator/faults/random` | random faults: `{"rate", "seed", "methods": [...], "faults": [<fault>, ...]}` |
//! | `DELETE /_emulator/faults` | forgets every fault |
//! | `POST /_emulator/runs` | runs a robot: `{"member_id", "code", "document": {"id": [..3], "type": [..3]}, "properties": {...}, "options": {"timeout_duration", "use_subscription", "run_as"}}`; answers the run once the handler has answered |
//! | `GET /_emulator/runs`, `GET /_emulator/runs/{id}` | every run, or one |
//! | `POST /_emulator/apps/{member_id}/install` | installs the app: `{"event_url"}`; sends `ONAPPINSTALL` |
//! | `POST /_emulator/apps/{member_id}/update` | updates the app; sends `ONAPPUPDATE` |
//! | `POST /_emulator/apps/{member_id}/uninstall` | uninstalls the app: `{"clean": bool}`; sends `ONAPPUNINSTALL` |
//!
//! `member_id` defaults to the first portal's in `POST /_emulator/runs`, and `document` to
//! deal 1. Failures answer `{"error": ..., "error_description": ...}` with 400, 404, 405, 409
//! (app not installed) or 502 (the app's event URL could not be reached; the event's effect on
//! the portal has happened all the same).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::app_events::{self, AppEventError};
use crate::faults::{Fault, RandomFaults};
use crate::runs::{self, Document, RunError, RunId, RunOptions};
use crate::state::{Shared, State};

pub(crate) async fn handle(
    AxumState(shared): AxumState<Shared>,
    Path(path): Path<String>,
    method: Method,
    body: Bytes,
) -> Response {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match (segments.as_slice(), &method) {
        (["state"], &Method::GET) => ok(state_json(&mut shared.lock())),
        (["requests"], &Method::GET) => ok(json!(shared.lock().log)),
        (["requests"], &Method::DELETE) => {
            shared.lock().log.clear();
            ok(json!({ "result": true }))
        }
        (["faults"], &Method::POST) => match parse_body(&body).and_then(|body| scripted_fault(&body)) {
            Ok((method, count, fault)) => {
                shared.lock().faults.script(&method, count, fault);
                ok(json!({ "result": true }))
            }
            Err(message) => bad_request(&message),
        },
        (["faults", "random"], &Method::POST) => match parse_body(&body).and_then(|body| random_faults(&body)) {
            Ok(config) => {
                shared.lock().faults.set_random(config);
                ok(json!({ "result": true }))
            }
            Err(message) => bad_request(&message),
        },
        (["faults"], &Method::DELETE) => {
            shared.lock().faults.clear();
            ok(json!({ "result": true }))
        }
        (["runs"], &Method::POST) => match parse_body(&body) {
            Ok(body) => start_run(&shared, &body).await,
            Err(message) => bad_request(&message),
        },
        (["runs"], &Method::GET) => ok(json!(runs::run_records(&shared))),
        (["runs", id], &Method::GET) => match id.parse().ok().and_then(|id| runs::run_record(&shared, RunId(id))) {
            Some(record) => ok(json!(record)),
            None => error(StatusCode::NOT_FOUND, "unknown_run", &format!("no run has id {id}")),
        },
        (["apps", member_id, action @ ("install" | "update" | "uninstall")], &Method::POST) => {
            match parse_body(&body) {
                Ok(body) => app_event(&shared, member_id, action, &body).await,
                Err(message) => bad_request(&message),
            }
        }
        (
            ["state" | "requests" | "faults" | "runs"]
            | ["faults", "random"]
            | ["runs", _]
            | ["apps", _, "install" | "update" | "uninstall"],
            _,
        ) => error(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", &format!("{method} is not allowed here")),
        _ => error(StatusCode::NOT_FOUND, "NOT_FOUND", &format!("No control endpoint /_emulator/{path}")),
    }
}

fn ok(value: Value) -> Response {
    (StatusCode::OK, axum::Json(value)).into_response()
}

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    (status, axum::Json(json!({ "error": code, "error_description": description }))).into_response()
}

fn bad_request(description: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", description)
}

/// The body as a JSON object; an empty body is an empty object.
fn parse_body(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("the body must be a JSON object".to_owned()),
        Err(e) => Err(format!("invalid JSON body: {e}")),
    }
}

/// `{"method", "count", <fault>}`; `count` defaults to 1.
fn scripted_fault(body: &Map<String, Value>) -> Result<(String, usize, Fault), String> {
    let method = body.get("method").and_then(Value::as_str).filter(|m| !m.is_empty()).ok_or("`method` is required")?;
    let count = match body.get("count") {
        None => 1,
        Some(count) => count.as_u64().and_then(|n| usize::try_from(n).ok()).ok_or("`count` must be a whole number")?,
    };
    Ok((method.to_lowercase(), count, fault(body)?))
}

/// `{"drop": true}`, `{"delay_ms": n}` or `{"status", "error", "description"}` (status 500
/// and an empty description unless given).
fn fault(body: &Map<String, Value>) -> Result<Fault, String> {
    if body.get("drop").and_then(Value::as_bool) == Some(true) {
        return Ok(Fault::Drop);
    }
    if let Some(delay) = body.get("delay_ms") {
        let ms = delay.as_u64().ok_or("`delay_ms` must be a whole number")?;
        return Ok(Fault::Delay(Duration::from_millis(ms)));
    }
    let code = body.get("error").and_then(Value::as_str).ok_or("a fault needs `error`, `delay_ms` or `drop`")?;
    let status = match body.get("status") {
        None => 500,
        Some(status) => status.as_u64().and_then(|s| u16::try_from(s).ok()).ok_or("`status` must be a number")?,
    };
    if !(100..=999).contains(&status) {
        return Err(format!("`status` {status} is not an HTTP status"));
    }
    let description = body.get("description").and_then(Value::as_str).unwrap_or_default();
    Ok(Fault::status(status, code, description))
}

/// `{"rate", "seed", "methods", "faults"}`; without `faults`, [`RandomFaults::new`]'s.
fn random_faults(body: &Map<String, Value>) -> Result<RandomFaults, String> {
    let rate = body.get("rate").and_then(Value::as_f64).ok_or("`rate` must be a number from 0 to 1")?;
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!("`rate` {rate} is not between 0 and 1"));
    }
    let seed = match body.get("seed") {
        None => 0,
        Some(seed) => seed.as_u64().ok_or("`seed` must be a whole number")?,
    };
    let mut config = RandomFaults::new(rate, seed);
    if let Some(methods) = body.get("methods") {
        let methods = methods.as_array().ok_or("`methods` must be a list")?;
        let names: Option<Vec<&str>> = methods.iter().map(Value::as_str).collect();
        config = config.methods(names.ok_or("`methods` must be a list of names")?);
    }
    if let Some(faults) = body.get("faults") {
        let faults = faults.as_array().ok_or("`faults` must be a list")?;
        let faults = faults
            .iter()
            .map(|f| f.as_object().ok_or_else(|| "each fault must be an object".to_owned()).and_then(fault))
            .collect::<Result<Vec<_>, _>>()?;
        config = config.faults(faults);
    }
    Ok(config)
}

fn fault_json(fault: &Fault) -> Value {
    match fault {
        Fault::Error(error) => {
            json!({ "status": error.status.as_u16(), "error": error.code, "description": error.description })
        }
        Fault::Delay(delay) => json!({ "delay_ms": u64::try_from(delay.as_millis()).unwrap_or(u64::MAX) }),
        Fault::Drop => json!({ "drop": true }),
    }
}

/// `POST /_emulator/runs`: starts the run and answers its record once the handler has answered.
async fn start_run(shared: &Shared, body: &Map<String, Value>) -> Response {
    let member_id = match body.get("member_id") {
        Some(member_id) => match member_id.as_str() {
            Some(member_id) => member_id.to_owned(),
            None => return bad_request("`member_id` must be a string"),
        },
        None => match shared.lock().portals.keys().next() {
            Some(first) => first.clone(),
            None => return bad_request("the emulator has no portal"),
        },
    };
    let Some(code) = body.get("code").and_then(Value::as_str) else {
        return bad_request("`code` is required");
    };
    let document = match body.get("document") {
        None => Document::deal(1),
        Some(document) => match serde_json::from_value::<Document>(document.clone()) {
            Ok(document) => document,
            Err(e) => {
                return bad_request(&format!("`document` must be {{\"id\": [3 strings], \"type\": [3 strings]}}: {e}"));
            }
        },
    };
    let options = match body.get("options") {
        None => RunOptions::default(),
        Some(options) => match serde_json::from_value::<RunOptions>(options.clone()) {
            Ok(options) => options,
            Err(e) => return bad_request(&format!("invalid `options`: {e}")),
        },
    };
    let properties = body.get("properties").cloned().unwrap_or(Value::Null);
    match runs::start_run(shared, &member_id, code, document, properties, options).await {
        Ok(id) => match runs::run_record(shared, id) {
            Some(record) => ok(json!(record)),
            None => error(StatusCode::INTERNAL_SERVER_ERROR, "unknown_run", &format!("run {id} vanished")),
        },
        Err(e) => {
            let status = match e {
                RunError::UnknownPortal { .. } | RunError::UnknownRobot { .. } | RunError::UnknownRun { .. } => {
                    StatusCode::NOT_FOUND
                }
                _ => StatusCode::BAD_REQUEST,
            };
            error(status, &kind(&e), &e.to_string())
        }
    }
}

/// `POST /_emulator/apps/{member_id}/{install,update,uninstall}`: answers what the app was sent
/// and how it answered.
async fn app_event(shared: &Shared, member_id: &str, action: &str, body: &Map<String, Value>) -> Response {
    let outcome = match action {
        "install" => {
            let Some(url) = body.get("event_url").and_then(Value::as_str) else {
                return bad_request("`event_url` is required");
            };
            app_events::install_app(shared, member_id, url).await
        }
        "update" => app_events::update_app(shared, member_id).await,
        _ => {
            let clean = match body.get("clean") {
                None => false,
                Some(Value::Bool(clean)) => *clean,
                Some(_) => return bad_request("`clean` must be true or false"),
            };
            app_events::uninstall_app(shared, member_id, clean).await
        }
    };
    match outcome {
        Ok(outcome) => ok(json!(outcome)),
        Err(e) => {
            let status = match e {
                AppEventError::UnknownPortal { .. } => StatusCode::NOT_FOUND,
                AppEventError::NotInstalled { .. } => StatusCode::CONFLICT,
                AppEventError::Delivery { .. } => StatusCode::BAD_GATEWAY,
            };
            error(status, &kind(&e), &e.to_string())
        }
    }
}

/// The `kind` tag an error serializes with, e.g. `unknown_robot`.
fn kind(error: &impl serde::Serialize) -> String {
    serde_json::to_value(error).ok().and_then(|v| v.get("kind")?.as_str().map(str::to_owned)).unwrap_or_default()
}

/// What `GET /_emulator/state` answers.
fn state_json(state: &mut State) -> Value {
    let runs = state.runs.records();
    let portals: Vec<Value> = state
        .portals
        .values()
        .map(|portal| {
            let config = &portal.config;
            let registrations: Vec<Value> = portal
                .store
                .records
                .values()
                .map(|record| json!({ "kind": record.kind, "code": record.code, "fields": record.fields }))
                .collect();
            json!({
                "domain": config.domain,
                "member_id": config.member_id,
                "client_id": config.client_id,
                "locale": {
                    "utc_offset": config.locale.utc_offset().to_string(),
                    "date_format": config.locale.date_format().to_string(),
                },
                "app": {
                    "installed": portal.installed,
                    "version": portal.app_version,
                    "status": config.app_status,
                    "event_url": portal.event_url,
                    "application_token": portal.application_token,
                },
                "registrations": registrations,
            })
        })
        .collect();
    let mut scripted: Vec<(&str, usize)> = state.faults.pending().collect();
    scripted.sort_unstable();
    let scripted: Map<String, Value> = scripted.into_iter().map(|(m, n)| (m.to_owned(), json!(n))).collect();
    let random = state.faults.random().map(|config| {
        json!({
            "rate": config.rate,
            "seed": config.seed,
            "methods": config.methods,
            "faults": config.faults.iter().map(fault_json).collect::<Vec<_>>(),
        })
    });
    json!({
        "base_url": state.base_url,
        "portals": portals,
        "runs": runs,
        "faults": { "scripted": scripted, "random": random },
        "requests": state.log.len(),
    })
}
