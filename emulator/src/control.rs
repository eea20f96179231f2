//! `/_emulator/...`: the control endpoint, under a path no Bitrix24 method can take.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub(crate) async fn handle() -> Response {
    StatusCode::NOT_FOUND.into_response()
}
