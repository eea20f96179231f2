//! The authorization server's token endpoint (`/oauth/token/`): refresh with rotation.

use axum::body::Bytes;
use axum::extract::{RawQuery, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::limits::unix_now;
use crate::state::Shared;

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    (status, axum::Json(json!({ "error": code, "error_description": description }))).into_response()
}

fn text<'a>(params: &'a Map<String, Value>, key: &str) -> &'a str {
    params.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// `grant_type=refresh_token&client_id=..&client_secret=..&refresh_token=..`, in the query or
/// a form body. Each refresh token works once; the answer carries a new pair.
pub(crate) async fn token(AxumState(shared): AxumState<Shared>, RawQuery(query): RawQuery, body: Bytes) -> Response {
    let mut params = Map::new();
    for source in [query.unwrap_or_default().as_bytes(), &body[..]] {
        match bizproc::form::decode(source) {
            Ok(Value::Object(map)) => params.extend(map),
            Ok(_) => {}
            Err(e) => return error(StatusCode::BAD_REQUEST, "invalid_request", &e.to_string()),
        }
    }
    if text(&params, "grant_type") != "refresh_token" {
        return error(StatusCode::BAD_REQUEST, "invalid_request", "grant_type must be refresh_token");
    }
    let mut state = shared.lock();
    let lifetime = state.settings.token_lifetime;
    let client_endpoint = state.client_endpoint();
    let server_endpoint = state.server_endpoint();
    let (client_id, client_secret) = (text(&params, "client_id"), text(&params, "client_secret"));
    let Some(portal) = state.portals.values_mut().find(|p| p.config.client_id == client_id) else {
        return error(StatusCode::UNAUTHORIZED, "invalid_client", "Invalid client id");
    };
    if portal.config.client_secret != client_secret {
        return error(StatusCode::UNAUTHORIZED, "invalid_client", "Invalid client secret");
    }
    let Some(user_id) = portal.refresh_tokens.remove(text(&params, "refresh_token")) else {
        return error(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid refresh token");
    };
    let (access, refresh) = portal.issue_tokens(user_id, lifetime);
    let expires_in = lifetime.as_secs();
    (
        StatusCode::OK,
        axum::Json(json!({
            "access_token": access,
            "client_endpoint": client_endpoint,
            "domain": "oauth.bitrix.info",
            "expires": unix_now() + expires_in,
            "expires_in": expires_in,
            "member_id": portal.config.member_id,
            "refresh_token": refresh,
            "scope": "bizproc,crm",
            "server_endpoint": server_endpoint,
            "status": portal.config.app_status,
            "user_id": user_id,
        })),
    )
        .into_response()
}
