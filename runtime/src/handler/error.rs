//! Why a robot call or an app event was refused.

use crate::InputError;
use crate::form::FormError;

/// Why a handler request could not be read. Each names the field and what was wrong.
///
/// ```
/// use bizproc::handler::InvocationError;
///
/// let err = InvocationError::MissingField("event_token");
/// assert_eq!(err.to_string(), "the request has no `event_token`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvocationError {
    /// The body is larger than the limit; it was not read.
    #[error("the request body is {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// The body's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The form body is malformed.
    #[error("the form body is malformed: {0}")]
    Form(#[from] FormError),
    /// The JSON body is malformed.
    #[error("the JSON body is malformed: {0}")]
    Json(String),
    /// A required field is absent or empty.
    #[error("the request has no `{0}`")]
    MissingField(&'static str),
    /// A field has a value of the wrong shape.
    #[error("field `{field}` {reason}")]
    InvalidField {
        /// The field, e.g. `document_id` or `auth[expires]`.
        field: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The request is for another robot.
    #[error("the request is for robot `{found}`, not `{expected}`")]
    WrongCode {
        /// This handler's robot.
        expected: &'static str,
        /// The request's `code`.
        found: String,
    },
    /// The input properties do not fit the robot's input type.
    #[error(transparent)]
    Input(#[from] InputError),
}

/// Why a request was not accepted as coming from Bitrix24.
///
/// ```
/// use bizproc::handler::VerifyError;
/// assert_eq!(VerifyError::UnknownPortal.status(), 401);
/// assert_eq!(VerifyError::TokenMismatch.status(), 403);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// No installed portal has this `member_id`.
    #[error("no installed portal has this member_id")]
    UnknownPortal,
    /// The `application_token` is not the one the portal was installed with.
    #[error("the application token does not match the portal's")]
    TokenMismatch,
    /// `ts` is outside the freshness window.
    #[error("the request was queued {age_seconds} s ago, outside the {window_seconds} s window")]
    Stale {
        /// How old the request is (negative: from the future).
        age_seconds: i64,
        /// The window.
        window_seconds: u64,
    },
    /// The portal store failed.
    #[error("the portal store failed: {0}")]
    Store(String),
}

impl VerifyError {
    /// The HTTP status to refuse with.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::UnknownPortal => 401,
            Self::TokenMismatch | Self::Stale { .. } => 403,
            Self::Store(_) => 500,
        }
    }
}
