//! The client's one error type.

use std::fmt;

use crate::InvalidRegistration;

/// An `error` code of a REST answer. Decisions are made on codes, never on texts, which the
/// server words differently between versions and languages.
///
/// ```
/// use bizproc::client::ErrorCode;
///
/// assert_eq!(ErrorCode::parse("QUERY_LIMIT_EXCEEDED"), ErrorCode::QueryLimitExceeded);
/// assert_eq!(ErrorCode::parse("SOMETHING_NEW").as_str(), "SOMETHING_NEW");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `ACCESS_DENIED`.
    AccessDenied,
    /// `ERROR_ACTIVITY_VALIDATION_FAILURE`.
    ActivityValidationFailure,
    /// `ERROR_ACTIVITY_ALREADY_INSTALLED`.
    ActivityAlreadyInstalled,
    /// `ERROR_ACTIVITY_NOT_FOUND`.
    ActivityNotFound,
    /// `ERROR_ACTIVITY_ADD_FAILURE`.
    ActivityAddFailure,
    /// `ERROR_WRONG_HANDLER_URL`.
    WrongHandlerUrl,
    /// `ERROR_UNSUPPORTED_PROTOCOL`.
    UnsupportedProtocol,
    /// `ERROR_EMPTY_LOG_MESSAGE`.
    EmptyLogMessage,
    /// `QUERY_LIMIT_EXCEEDED`: the request-rate limit; the call did not run.
    QueryLimitExceeded,
    /// `OPERATION_TIME_LIMIT`: the method's execution-time limit; the call did not run.
    OperationTimeLimit,
    /// `expired_token`.
    ExpiredToken,
    /// `invalid_token`.
    InvalidToken,
    /// `NO_AUTH_FOUND`.
    NoAuthFound,
    /// `INVALID_CREDENTIALS`.
    InvalidCredentials,
    /// `insufficient_scope`.
    InsufficientScope,
    /// `INTERNAL_SERVER_ERROR`.
    InternalServerError,
    /// `ERROR_UNEXPECTED_ANSWER`.
    UnexpectedAnswer,
    /// `ERROR_BATCH_LENGTH_EXCEEDED`.
    BatchLengthExceeded,
    /// `ERROR_BATCH_METHOD_NOT_ALLOWED`.
    BatchMethodNotAllowed,
    /// `ERROR_METHOD_NOT_FOUND`.
    MethodNotFound,
    /// `PORTAL_DELETED`.
    PortalDeleted,
    /// `OVERLOAD_LIMIT`.
    OverloadLimit,
    /// `INVALID_REQUEST`.
    InvalidRequest,
    /// `invalid_grant`: the refresh token is dead; the app must be authorized again.
    InvalidGrant,
    /// `invalid_client`.
    InvalidClient,
    /// Any other code.
    Other(String),
}

const CODES: [(ErrorCode, &str); 25] = [
    (ErrorCode::AccessDenied, "ACCESS_DENIED"),
    (ErrorCode::ActivityValidationFailure, "ERROR_ACTIVITY_VALIDATION_FAILURE"),
    (ErrorCode::ActivityAlreadyInstalled, "ERROR_ACTIVITY_ALREADY_INSTALLED"),
    (ErrorCode::ActivityNotFound, "ERROR_ACTIVITY_NOT_FOUND"),
    (ErrorCode::ActivityAddFailure, "ERROR_ACTIVITY_ADD_FAILURE"),
    (ErrorCode::WrongHandlerUrl, "ERROR_WRONG_HANDLER_URL"),
    (ErrorCode::UnsupportedProtocol, "ERROR_UNSUPPORTED_PROTOCOL"),
    (ErrorCode::EmptyLogMessage, "ERROR_EMPTY_LOG_MESSAGE"),
    (ErrorCode::QueryLimitExceeded, "QUERY_LIMIT_EXCEEDED"),
    (ErrorCode::OperationTimeLimit, "OPERATION_TIME_LIMIT"),
    (ErrorCode::ExpiredToken, "expired_token"),
    (ErrorCode::InvalidToken, "invalid_token"),
    (ErrorCode::NoAuthFound, "NO_AUTH_FOUND"),
    (ErrorCode::InvalidCredentials, "INVALID_CREDENTIALS"),
    (ErrorCode::InsufficientScope, "insufficient_scope"),
    (ErrorCode::InternalServerError, "INTERNAL_SERVER_ERROR"),
    (ErrorCode::UnexpectedAnswer, "ERROR_UNEXPECTED_ANSWER"),
    (ErrorCode::BatchLengthExceeded, "ERROR_BATCH_LENGTH_EXCEEDED"),
    (ErrorCode::BatchMethodNotAllowed, "ERROR_BATCH_METHOD_NOT_ALLOWED"),
    (ErrorCode::MethodNotFound, "ERROR_METHOD_NOT_FOUND"),
    (ErrorCode::PortalDeleted, "PORTAL_DELETED"),
    (ErrorCode::OverloadLimit, "OVERLOAD_LIMIT"),
    (ErrorCode::InvalidRequest, "INVALID_REQUEST"),
    (ErrorCode::InvalidGrant, "invalid_grant"),
    (ErrorCode::InvalidClient, "invalid_client"),
];

impl ErrorCode {
    /// The code for an `error` string.
    #[must_use]
    pub fn parse(code: &str) -> Self {
        CODES.iter().find(|(_, text)| *text == code).map_or_else(|| Self::Other(code.to_owned()), |(c, _)| c.clone())
    }

    /// The `error` string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(code) => code,
            known => CODES.iter().find(|(c, _)| c == known).map_or("", |(_, text)| text),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a call can fail with. Messages name the method and the code; neither
/// `Display` nor `Debug` ever contains a token or a webhook secret.
///
/// ```
/// use bizproc::client::{Error, ErrorCode};
///
/// let err = Error::api("bizproc.robot.add", 400, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL");
/// assert_eq!(err.code(), Some(&ErrorCode::WrongHandlerUrl));
/// assert_eq!(err.to_string(), "bizproc.robot.add failed: ERROR_WRONG_HANDLER_URL (HTTP 400): Wrong handler URL");
/// assert!(!err.is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The portal answered with an error.
    #[error("{method} failed: {code} (HTTP {status}): {description}")]
    Api {
        /// The method called.
        method: String,
        /// `error`.
        code: ErrorCode,
        /// `error_description`.
        description: String,
        /// The HTTP status.
        status: u16,
    },
    /// The request did not get an answer (connection refused or cut, timeout).
    #[error("{method} failed: no answer from the portal: {source}")]
    Transport {
        /// The method called.
        method: String,
        /// The cause, with any URL removed.
        #[source]
        source: reqwest::Error,
    },
    /// The answer could not be read.
    #[error("{method} failed: unreadable answer (HTTP {status}): {reason}")]
    Decode {
        /// The method called.
        method: String,
        /// The HTTP status.
        status: u16,
        /// What was wrong.
        reason: String,
    },
    /// The access token could not be renewed.
    #[error("token refresh failed: {code}: {description}")]
    Auth {
        /// The authorization server's `error`.
        code: ErrorCode,
        /// Its `error_description`.
        description: String,
    },
    /// A registration was refused before any call.
    #[error(transparent)]
    Registration(#[from] InvalidRegistration),
    /// The same `CODE` is declared as a robot and as an activity, or taken by the other kind.
    #[error("code `{code}` is used by both a robot and an activity; Bitrix24 keeps one namespace for both")]
    CodeConflict {
        /// The code.
        code: String,
    },
    /// A batch command that did not run: an earlier one failed with `halt` on.
    #[error("{method} was not run: the batch halted at an earlier failure")]
    NotRun {
        /// The command's method.
        method: String,
    },
    /// The token store refused the new tokens.
    #[error("the token store failed: {0}")]
    TokenStore(String),
}

impl Error {
    /// A REST error.
    #[must_use]
    pub fn api(method: &str, status: u16, code: &str, description: &str) -> Self {
        Self::Api {
            method: method.to_owned(),
            code: ErrorCode::parse(code),
            description: description.to_owned(),
            status,
        }
    }

    pub(crate) fn transport(method: &str, source: reqwest::Error) -> Self {
        Self::Transport { method: method.to_owned(), source: source.without_url() }
    }

    /// The REST or authorization `error` code, if the portal answered with one.
    #[must_use]
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Api { code, .. } | Self::Auth { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the same call may succeed later: limits, server errors and lost connections.
    /// Whether it is safe to repeat is another matter: see [`Client`](super::Client).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { code, status, .. } => {
                // A manual overload block and a deleted portal do not lift on their own.
                let permanent = matches!(code, ErrorCode::OverloadLimit | ErrorCode::PortalDeleted);
                matches!(code, ErrorCode::QueryLimitExceeded | ErrorCode::OperationTimeLimit)
                    || (*status >= 500 && !permanent)
            }
            Self::Transport { .. } => true,
            Self::Decode { status, .. } => *status >= 500,
            Self::Auth { .. }
            | Self::Registration(_)
            | Self::CodeConflict { .. }
            | Self::NotRun { .. }
            | Self::TokenStore(_) => false,
        }
    }

    /// A copy; a transport error becomes a decode error with the same text.
    pub(crate) fn duplicate(&self) -> Self {
        match self {
            Self::Api { method, code, description, status } => Self::Api {
                method: method.clone(),
                code: code.clone(),
                description: description.clone(),
                status: *status,
            },
            Self::Transport { method, source } => {
                Self::Decode { method: method.clone(), status: 0, reason: source.to_string() }
            }
            Self::Decode { method, status, reason } => {
                Self::Decode { method: method.clone(), status: *status, reason: reason.clone() }
            }
            Self::Auth { code, description } => Self::Auth { code: code.clone(), description: description.clone() },
            Self::Registration(e) => Self::Registration(e.clone()),
            Self::CodeConflict { code } => Self::CodeConflict { code: code.clone() },
            Self::NotRun { method } => Self::NotRun { method: method.clone() },
            Self::TokenStore(e) => Self::TokenStore(e.clone()),
        }
    }
}
