//! `bizproc.event.send` and `bizproc.activity.log` (spec §5, rules E1–E10).

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::rest::Caller;
use crate::state::State;

pub(crate) fn send(_: &mut State, _: &Caller, _: &Map<String, Value>) -> Result<Value, ApiError> {
    Err(ApiError::method_not_found())
}

pub(crate) fn log(_: &mut State, _: &Caller, _: &Map<String, Value>) -> Result<Value, ApiError> {
    Err(ApiError::method_not_found())
}
