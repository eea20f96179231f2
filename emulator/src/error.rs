//! REST errors with the codes, texts and HTTP statuses of the real server.

use axum::http::StatusCode;
use serde_json::json;

/// A REST error as the portal answers it: `{"error": code, "error_description": text}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// `error`.
    pub code: String,
    /// `error_description`.
    pub description: String,
}

impl ApiError {
    /// Any error.
    #[must_use]
    pub fn new(status: StatusCode, code: &str, description: impl Into<String>) -> Self {
        Self { status, code: code.to_owned(), description: description.into() }
    }

    /// `ERROR_ACTIVITY_VALIDATION_FAILURE`, 400: the registration methods' general failure.
    #[must_use]
    pub fn validation(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ERROR_ACTIVITY_VALIDATION_FAILURE", description)
    }

    /// `ACCESS_DENIED`, 403, with the given text.
    #[must_use]
    pub fn access_denied(description: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "ACCESS_DENIED", description)
    }

    /// `ERROR_METHOD_NOT_FOUND`, 404.
    #[must_use]
    pub fn method_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "ERROR_METHOD_NOT_FOUND", "Method not found!")
    }

    /// `NO_AUTH_FOUND`, 401.
    #[must_use]
    pub fn no_auth() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "NO_AUTH_FOUND", "Wrong authorization data")
    }

    /// `expired_token`, 401.
    #[must_use]
    pub fn expired_token() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "expired_token", "The access token provided has expired.")
    }

    /// `invalid_token`, 401.
    #[must_use]
    pub fn invalid_token() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token", "The access token provided is invalid.")
    }

    /// `QUERY_LIMIT_EXCEEDED`, 503.
    #[must_use]
    pub fn query_limit() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "QUERY_LIMIT_EXCEEDED", "Too many requests")
    }

    /// The JSON body.
    #[must_use]
    pub fn body(&self) -> serde_json::Value {
        json!({ "error": self.code, "error_description": self.description })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status.as_u16(), self.description)
    }
}

impl std::error::Error for ApiError {}
