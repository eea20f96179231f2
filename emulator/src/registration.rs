//! `bizproc.robot.*` and `bizproc.activity.*`: the store of registrations and the server's
//! validation rules, in the server's order (spec §9).

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::rest::Caller;
use crate::state::State;

/// Robots and activities share one store keyed by `CODE`, so a code names one or the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `bizproc.robot.*`.
    Robot,
    /// `bizproc.activity.*`.
    Activity,
}

/// A portal's registrations.
#[derive(Debug, Default)]
pub(crate) struct Store {}

pub(crate) fn add(
    _: &mut State,
    _: &Caller,
    _: Kind,
    _: &Map<String, Value>,
) -> Result<Value, ApiError> {
    Err(ApiError::method_not_found())
}

pub(crate) fn update(
    _: &mut State,
    _: &Caller,
    _: Kind,
    _: &Map<String, Value>,
) -> Result<Value, ApiError> {
    Err(ApiError::method_not_found())
}

pub(crate) fn delete(
    _: &mut State,
    _: &Caller,
    _: Kind,
    _: &Map<String, Value>,
) -> Result<Value, ApiError> {
    Err(ApiError::method_not_found())
}

pub(crate) fn list(_: &mut State, _: &Caller, _: Kind) -> Result<Value, ApiError> {
    Err(ApiError::method_not_found())
}
