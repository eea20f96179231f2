//! `/rest/...`: credentials, limits, faults, dispatch, and the response envelope.

use std::time::{Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Offset, Utc};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::faults::Fault;
use crate::limits::{OperatingReport, unix_now};
use crate::log::{AuthKind, LogEntry};
use crate::methods;
use crate::state::{Shared, State};

/// Who is calling.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub member_id: String,
    pub user_id: u32,
    pub kind: AuthKind,
}

pub(crate) async fn handle(
    AxumState(shared): AxumState<Shared>,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = SystemTime::now();
    let clock = Instant::now();
    let (method, webhook) = split_path(&path);
    let mut params = match parse_params(query.as_deref(), &headers, &body) {
        Ok(params) => params,
        Err(error) => return error_response(&error),
    };

    let caller = {
        let mut state = shared.lock();
        match authenticate(&mut state, webhook, &headers, &mut params) {
            Ok(caller) => caller,
            Err(error) => {
                record(&mut state, &method, None, AuthKind::None, &Err(error.clone()), false);
                return error_response(&error);
            }
        }
    };

    let fault = shared.lock().faults.take(&method);
    match fault {
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(Fault::Error(error)) => {
            record(&mut shared.lock(), &method, Some(&caller), caller.kind, &Err(error.clone()), false);
            return error_response(&error);
        }
        Some(Fault::Drop) => {
            record(&mut shared.lock(), &method, Some(&caller), caller.kind, &Err(dropped()), false);
            return dropped_connection();
        }
        None => {}
    }

    let mut state = shared.lock();
    let (outcome, operating) = admit_and_call(&mut state, &caller, &method, &params);
    record(&mut state, &method, Some(&caller), caller.kind, &outcome, false);
    let offset = state.portals.get(&caller.member_id).map(|p| p.config.locale.utc_offset());
    drop(state);
    match outcome {
        Ok(result) => {
            let time = time_object(started, clock, offset.unwrap_or_else(|| Utc.fix()), operating.as_ref());
            (StatusCode::OK, axum::Json(json!({ "result": result, "time": time }))).into_response()
        }
        Err(error) => error_response(&error),
    }
}

/// The rate limit, the operating-time limit, then the method itself.
fn admit_and_call(
    state: &mut State,
    caller: &Caller,
    method: &str,
    params: &Map<String, Value>,
) -> (Result<Value, ApiError>, Option<OperatingReport>) {
    let operating_limit = state.settings.operating_limit;
    let Some(portal) = state.portals.get_mut(&caller.member_id) else {
        return (Err(ApiError::no_auth()), None);
    };
    if !portal.bucket.try_acquire(Instant::now()) {
        return (Err(ApiError::query_limit()), None);
    }
    let mut report = None;
    // The outer `batch` does not count toward `operating`; its commands count for their own
    // methods (spec §7.4).
    if let Some(limit) = operating_limit.filter(|_| method != "batch") {
        match portal.operating.charge(method, limit, unix_now()) {
            Ok(charged) => report = Some(charged),
            Err(reset_at) => return (Err(operation_time_limit(reset_at)), None),
        }
    }
    (methods::call(state, caller, method, params), report)
}

/// `429 OPERATION_TIME_LIMIT` for a method over its execution-time budget until `reset_at`.
pub(crate) fn operation_time_limit(reset_at: u64) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "OPERATION_TIME_LIMIT",
        format!("Method is blocked due to operation time limit. Reset at {reset_at}"),
    )
}

/// Records a call in the request log.
pub(crate) fn record(
    state: &mut State,
    method: &str,
    caller: Option<&Caller>,
    auth: AuthKind,
    outcome: &Result<Value, ApiError>,
    in_batch: bool,
) {
    let (status, error) = match outcome {
        Ok(_) => (200, None),
        Err(error) => (error.status.as_u16(), Some(error.code.clone())),
    };
    state.log.push(LogEntry {
        method: method.to_owned(),
        member_id: caller.map(|c| c.member_id.clone()),
        auth,
        status,
        error,
        in_batch,
        at: SystemTime::now(),
    });
}

/// `bizproc.robot.add.json` -> `bizproc.robot.add`; `1/abc/method` -> webhook (1, abc).
fn split_path(path: &str) -> (String, Option<(String, String)>) {
    let mut parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = parts.pop().unwrap_or_default();
    let method = method.strip_suffix(".json").unwrap_or(method).to_lowercase();
    let webhook = match parts.as_slice() {
        [user, secret] => Some(((*user).to_owned(), (*secret).to_owned())),
        _ => None,
    };
    (method, webhook)
}

/// Query parameters, then the body's (JSON or form), the body winning.
fn parse_params(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let bad = |what: String| ApiError::new(StatusCode::BAD_REQUEST, "INVALID_REQUEST", what);
    let mut params = match query {
        Some(query) if !query.is_empty() => {
            object(bizproc::form::decode(query.as_bytes()).map_err(|e| bad(format!("Invalid query: {e}")))?)
        }
        _ => Map::new(),
    };
    let is_json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"))
        || body.first() == Some(&b'{');
    if body.iter().any(|b| !b.is_ascii_whitespace()) {
        let parsed = if is_json {
            serde_json::from_slice::<Value>(body).map_err(|e| bad(format!("Invalid JSON body: {e}")))?
        } else {
            bizproc::form::decode(body).map_err(|e| bad(format!("Invalid form body: {e}")))?
        };
        match parsed {
            Value::Object(map) => params.extend(map),
            _ => return Err(bad("The body must be an object".to_owned())),
        }
    }
    Ok(params)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Finds the portal and user behind the call's credentials and removes them from `params`.
fn authenticate(
    state: &mut State,
    webhook: Option<(String, String)>,
    headers: &HeaderMap,
    params: &mut Map<String, Value>,
) -> Result<Caller, ApiError> {
    if let Some((user, secret)) = webhook {
        let portal = state
            .portals
            .values()
            .find(|p| p.config.webhook_secret == secret && p.config.webhook_user_id.to_string() == user);
        return match portal {
            Some(portal) => Ok(Caller {
                member_id: portal.config.member_id.clone(),
                user_id: portal.config.webhook_user_id,
                kind: AuthKind::Webhook,
            }),
            None => Err(ApiError::new(StatusCode::FORBIDDEN, "INVALID_CREDENTIALS", "Invalid request credentials")),
        };
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let from_params =
        ["auth", "access_token"].iter().find_map(|key| params.remove(*key).and_then(|v| v.as_str().map(str::to_owned)));
    let Some(token) = from_params.or(bearer).filter(|t| !t.is_empty()) else {
        return Err(ApiError::no_auth());
    };
    let Some((portal, user_id, expires_at)) = state.portal_by_token(&token) else {
        return Err(ApiError::invalid_token());
    };
    if Instant::now() >= expires_at {
        return Err(ApiError::expired_token());
    }
    Ok(Caller { member_id: portal.config.member_id.clone(), user_id, kind: AuthKind::OAuth })
}

/// The `time` object of a successful answer.
pub(crate) fn time_object(
    started: SystemTime,
    clock: Instant,
    offset: FixedOffset,
    operating: Option<&OperatingReport>,
) -> Value {
    let start: DateTime<Utc> = started.into();
    let elapsed = clock.elapsed().as_secs_f64();
    let finish = start + chrono::Duration::microseconds(i64::try_from(clock.elapsed().as_micros()).unwrap_or(0));
    let seconds =
        |t: DateTime<Utc>| SystemTime::from(t).duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    let mut time = json!({
        "start": seconds(start),
        "finish": seconds(finish),
        "duration": elapsed,
        "processing": elapsed,
        "date_start": start.with_timezone(&offset).to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        "date_finish": finish.with_timezone(&offset).to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
    });
    if let Some(report) = operating {
        time["operating_reset_at"] = report.reset_at.into();
        time["operating"] = report.operating.into();
    }
    time
}

pub(crate) fn error_response(error: &ApiError) -> Response {
    (error.status, axum::Json(error.body())).into_response()
}

fn dropped() -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "CONNECTION_DROPPED", "The emulator dropped the connection")
}

/// A response whose body fails after the headers, so the connection is cut mid-answer.
fn dropped_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault: connection dropped",
        ))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, "1024")
        .body(Body::from_stream(failing))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
