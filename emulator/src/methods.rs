//! The REST methods, by name.

use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::registration::{self, Kind};
use crate::rest::Caller;
use crate::state::State;
use crate::{batch, events};

/// Runs one method for `caller`; the lock is held and nothing awaits.
pub(crate) fn call(
    state: &mut State,
    caller: &Caller,
    method: &str,
    params: &Map<String, Value>,
) -> Result<Value, ApiError> {
    match method {
        "bizproc.robot.add" => registration::add(state, caller, Kind::Robot, params),
        "bizproc.robot.update" => registration::update(state, caller, Kind::Robot, params),
        "bizproc.robot.delete" => registration::delete(state, caller, Kind::Robot, params),
        "bizproc.robot.list" => registration::list(state, caller, Kind::Robot),
        "bizproc.activity.add" => registration::add(state, caller, Kind::Activity, params),
        "bizproc.activity.update" => registration::update(state, caller, Kind::Activity, params),
        "bizproc.activity.delete" => registration::delete(state, caller, Kind::Activity, params),
        "bizproc.activity.list" => registration::list(state, caller, Kind::Activity),
        "bizproc.event.send" => events::send(state, caller, params),
        "bizproc.activity.log" => events::log(state, caller, params),
        "batch" => batch::call(state, caller, params),
        "app.info" => app_info(state, caller),
        "server.time" => server_time(state, caller),
        _ => Err(ApiError::method_not_found()),
    }
}

/// Whether `method` names a method this portal has (for `batch`).
pub(crate) fn exists(method: &str) -> bool {
    matches!(
        method,
        "bizproc.robot.add"
            | "bizproc.robot.update"
            | "bizproc.robot.delete"
            | "bizproc.robot.list"
            | "bizproc.activity.add"
            | "bizproc.activity.update"
            | "bizproc.activity.delete"
            | "bizproc.activity.list"
            | "bizproc.event.send"
            | "bizproc.activity.log"
            | "batch"
            | "app.info"
            | "server.time"
    )
}

fn app_info(state: &State, caller: &Caller) -> Result<Value, ApiError> {
    let portal = state.portals.get(&caller.member_id).ok_or_else(ApiError::no_auth)?;
    Ok(json!({
        "ID": 1,
        "CODE": portal.config.client_id,
        "VERSION": portal.app_version,
        "STATUS": portal.config.app_status,
        "INSTALLED": portal.installed,
        "PAYMENT_EXPIRED": "N",
        "DAYS": null,
        "LANGUAGE_ID": "en",
        "LICENSE": "en_project",
        "LICENSE_TYPE": "project",
        "LICENSE_FAMILY": "project",
    }))
}

/// The portal's clock, with the portal's UTC offset.
fn server_time(state: &State, caller: &Caller) -> Result<Value, ApiError> {
    let portal = state.portals.get(&caller.member_id).ok_or_else(ApiError::no_auth)?;
    let now = chrono::Utc::now().with_timezone(&portal.config.locale.utc_offset());
    Ok(Value::String(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)))
}
