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

/// One stored registration. `fields` holds the parameters as the server stores them: keys
/// normalized by `keys::upper_case_recursive` (`HANDLER`, `NAME`, `DESCRIPTION`,
/// `USE_SUBSCRIPTION`, `AUTH_USER_ID`, `PROPERTIES`, `RETURN_PROPERTIES`, `DOCUMENT_TYPE`,
/// `FILTER`, `USE_PLACEMENT`, `PLACEMENT_HANDLER`), without `CODE`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    pub kind: Kind,
    pub code: String,
    pub fields: Map<String, Value>,
}

/// A portal's registrations, robots and activities together, keyed by `CODE`.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub records: indexmap::IndexMap<String, Record>,
}

impl Store {
    /// The registration with this code, of either kind.
    pub fn get(&self, code: &str) -> Option<&Record> {
        self.records.get(code)
    }

    /// Forgets everything, as the server does when the app is updated or removed.
    pub fn clear(&mut self) {
        self.records.clear();
    }
}

pub(crate) fn add(_: &mut State, _: &Caller, _: Kind, _: &Map<String, Value>) -> Result<Value, ApiError> {
    Err(ApiError::method_not_found())
}

pub(crate) fn update(_: &mut State, _: &Caller, _: Kind, _: &Map<String, Value>) -> Result<Value, ApiError> {
    Err(ApiError::method_not_found())
}

pub(crate) fn delete(_: &mut State, _: &Caller, _: Kind, _: &Map<String, Value>) -> Result<Value, ApiError> {
    Err(ApiError::method_not_found())
}

pub(crate) fn list(_: &mut State, _: &Caller, _: Kind) -> Result<Value, ApiError> {
    Err(ApiError::method_not_found())
}
