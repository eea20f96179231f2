//! Injected faults: scripted per method, or random at a rate from a seed.

use std::time::Duration;

use crate::error::ApiError;

/// What an injected fault does to one call.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answer with this error instead of running the method.
    Error(ApiError),
    /// Wait this long, then run the method.
    Delay(Duration),
    /// Cut the connection before answering.
    Drop,
}

/// The faults waiting to happen.
#[derive(Debug, Default)]
pub(crate) struct Faults {}

impl Faults {
    /// The fault for this call of `method`, if any.
    pub fn take(&mut self, _method: &str) -> Option<Fault> {
        None
    }
}
