//! The request log: what every REST call got, for tests to assert on.

use std::time::SystemTime;

use serde::Serialize;

/// How a REST call authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// An app's OAuth access token.
    OAuth,
    /// An incoming webhook URL.
    Webhook,
    /// No valid credentials.
    None,
}

/// One REST call, or one command inside a `batch`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    /// The method, lower-cased, e.g. `bizproc.event.send`.
    pub method: String,
    /// The portal, when the caller was recognized.
    pub member_id: Option<String>,
    /// How the call authenticated.
    pub auth: AuthKind,
    /// The HTTP status answered (for a batch command, the status it would have had alone).
    pub status: u16,
    /// The `error` code, if it failed.
    pub error: Option<String>,
    /// Whether this was a command inside a `batch` call rather than an HTTP request.
    pub in_batch: bool,
    /// When it was answered.
    #[serde(with = "unix_seconds")]
    pub at: SystemTime,
}

mod unix_seconds {
    use std::time::{SystemTime, UNIX_EPOCH};

    use serde::Serializer;

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` hands fields by reference
    pub(crate) fn serialize<S: Serializer>(at: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(at.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64()))
    }
}
