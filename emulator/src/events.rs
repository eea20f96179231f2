//! `bizproc.event.send` and `bizproc.activity.log` (spec §5, rules E1–E10).

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::convert;
use crate::error::ApiError;
use crate::keys::{is_empty, upper_case_top};
use crate::rest::Caller;
use crate::runs::{self, DEFAULT_LOG_MESSAGE, IgnoredCall, Run, RunState, ValueMisfit};
use crate::state::State;

const SEND: &str = "bizproc.event.send";
const LOG: &str = "bizproc.activity.log";

/// E4: the workflow engine cannot find the workflow or its activity.
fn engine_error() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "ERROR_WORKFLOW_NOT_FOUND", "Workflow instance not found")
}

/// What a token leads to.
enum Target {
    /// The run, and whether the token's event id is its current one.
    Run { workflow_id: String, current: bool },
    /// A validly signed token whose workflow or activity is gone.
    Gone,
}

/// E2: the token must carry this emulator's signature and belong to the caller's portal (a
/// token of another portal is signed elsewhere).
fn authorize(state: &mut State, caller: &Caller, params: &Map<String, Value>) -> Result<Target, ApiError> {
    let denied = || ApiError::access_denied("Access denied!");
    let token = params.get("EVENT_TOKEN").and_then(Value::as_str).ok_or_else(denied)?;
    let token = runs::verify(&state.signing_key, token).ok_or_else(denied)?;
    let Some(run) = state.runs.by_workflow_mut(&token.workflow_id) else {
        return Ok(Target::Gone);
    };
    if run.record.member_id != caller.member_id {
        return Err(denied());
    }
    if run.record.activity_name != token.activity_name || run.record.state == RunState::Terminated {
        return Ok(Target::Gone);
    }
    Ok(Target::Run { workflow_id: token.workflow_id, current: run.event_id == token.event_id })
}

/// E5, E6: records the call as ignored when the run is closed or the event id stale.
fn ignored(run: &mut Run, method: &str, current: bool, params: &Map<String, Value>) -> bool {
    let return_values = if method == SEND { params.get("RETURN_VALUES").cloned() } else { None };
    let log_message = params.get("LOG_MESSAGE").cloned();
    let reason = run
        .ignore_reason(return_values.as_ref(), log_message.as_ref())
        .or((!current).then_some(runs::IgnoreReason::StaleEvent));
    match reason {
        Some(reason) => {
            run.record.ignored.push(IgnoredCall { method: method.to_owned(), reason, return_values, log_message });
            true
        }
        None => false,
    }
}

/// `RETURN_VALUES` as the PHP array the server reads: a list's keys are its indexes.
fn return_values(params: &Map<String, Value>) -> Map<String, Value> {
    match params.get("RETURN_VALUES") {
        Some(Value::Object(map)) => map.clone(),
        Some(Value::Array(items)) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v.clone())).collect(),
        _ => Map::new(),
    }
}

/// `bizproc.event.send`: closes a waiting run with its converted `RETURN_VALUES`.
pub(crate) fn send(state: &mut State, caller: &Caller, params: &Map<String, Value>) -> Result<Value, ApiError> {
    let params = upper_case_top(params);
    let Target::Run { workflow_id, current } = authorize(state, caller, &params)? else {
        return Err(engine_error());
    };
    let Some(locale) = state.portals.get(&caller.member_id).map(|portal| portal.config.locale) else {
        return Err(ApiError::no_auth());
    };
    let run = state.runs.by_workflow_mut(&workflow_id).ok_or_else(engine_error)?;
    if ignored(run, SEND, current, &params) {
        return Ok(Value::Bool(true));
    }

    let sent = return_values(&params);
    let (matched, dropped) = convert::match_return_values(&sent, &run.return_properties);
    for (id, value) in matched {
        let descriptor = run.return_properties.get(&id).cloned().unwrap_or(Value::Null);
        let stored = convert::stored_return_value(&value, &descriptor, &locale);
        for (index, expected) in stored.misfits {
            run.record.misfits.push(ValueMisfit {
                id: id.clone(),
                index,
                sent: value.clone(),
                stored: stored.value.clone(),
                expected,
            });
        }
        run.record.return_values.insert(id, stored.value);
    }
    run.record.dropped_keys.extend(dropped);
    let line = match params.get("LOG_MESSAGE") {
        Some(Value::String(message)) if !message.is_empty() => message.clone(),
        _ => DEFAULT_LOG_MESSAGE.to_owned(),
    };
    run.record.log.push(line);
    run.record.state = RunState::Completed;
    run.record.closed_at = Some(std::time::SystemTime::now());
    run.completed_by = Some((params.get("RETURN_VALUES").cloned(), params.get("LOG_MESSAGE").cloned()));
    Ok(Value::Bool(true))
}

/// `bizproc.activity.log`: writes a line to the log of a waiting run and leaves it waiting.
pub(crate) fn log(state: &mut State, caller: &Caller, params: &Map<String, Value>) -> Result<Value, ApiError> {
    let params = upper_case_top(params);
    let target = authorize(state, caller, &params)?;
    if is_empty(params.get("LOG_MESSAGE")) {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "ERROR_EMPTY_LOG_MESSAGE", "Empty log message!"));
    }
    let Target::Run { workflow_id, current } = target else {
        return Err(engine_error());
    };
    let run = state.runs.by_workflow_mut(&workflow_id).ok_or_else(engine_error)?;
    if ignored(run, LOG, current, &params) {
        return Ok(Value::Bool(true));
    }
    let line = match params.get("LOG_MESSAGE") {
        Some(Value::String(message)) => message.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    run.record.log.push(line);
    Ok(Value::Bool(true))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::log::AuthKind;
    use crate::registration::{Kind, Record};
    use crate::runs::{Document, IgnoreReason, RunOptions, sign, start_run};
    use crate::{Emulator, RateLimit};

    #[tokio::test]
    async fn a_validly_signed_token_with_a_stale_event_id_is_ignored() {
        let emulator = Emulator::builder().rate_limit(RateLimit::UNLIMITED).start().await.unwrap();
        let member_id = emulator.portals()[0].clone();
        let fields = json!({"HANDLER": "http://127.0.0.1:1/unreachable", "USE_SUBSCRIPTION": "Y",
            "RETURN_PROPERTIES": {"out": {"NAME": "Out"}}});
        let record = Record { kind: Kind::Robot, code: "r".to_owned(), fields: fields.as_object().unwrap().clone() };
        emulator.shared.lock().portals[&member_id].store.records.insert("r".to_owned(), record);
        let id = start_run(&emulator.shared, &member_id, "r", Document::deal(1), json!({}), RunOptions::default())
            .await
            .unwrap();
        let run = emulator.run(id).unwrap();
        assert_eq!(run.state, RunState::HandlerFailed);

        let caller = Caller { member_id: member_id.clone(), user_id: 1, kind: AuthKind::OAuth };
        let mut state = emulator.shared.lock();
        let old_token = sign(&state.signing_key, &run.workflow_id, &run.activity_name, "someOtherEventId");
        let params = json!({"event_token": old_token, "return_values": {"out": "x"}});
        assert_eq!(send(&mut state, &caller, params.as_object().unwrap()), Ok(Value::Bool(true)));
        let log_params = json!({"event_token": old_token, "log_message": "x"});
        assert_eq!(log(&mut state, &caller, log_params.as_object().unwrap()), Ok(Value::Bool(true)));
        let gone = sign(&state.signing_key, "unknown.1", &run.activity_name, "e");
        let gone_params = json!({"event_token": gone});
        assert_eq!(
            send(&mut state, &caller, gone_params.as_object().unwrap()).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        drop(state);

        let after = emulator.run(id).unwrap();
        let reasons: Vec<IgnoreReason> = after.ignored.iter().map(|call| call.reason).collect();
        assert_eq!(reasons, [IgnoreReason::StaleEvent, IgnoreReason::StaleEvent]);
        assert!(after.return_values.is_empty() && after.log.is_empty());
        assert_eq!(after.state, RunState::HandlerFailed, "still open for the current event id");
    }
}
