//! `batch`: up to 50 commands in one call, with `halt` and `$result[...]` references.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::rest::Caller;
use crate::state::State;

pub(crate) fn call(_: &mut State, _: &Caller, _: &Map<String, Value>) -> Result<Value, ApiError> {
    Err(ApiError::method_not_found())
}
