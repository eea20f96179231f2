//! `Invocation<R>` as an axum extractor: read, verified, typed.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::handler::{Invocation, InvocationError, PortalRecord, PortalStore, RequestLimits, Run, verify};
use crate::{BizprocReturn, PortalLocale};

/// What the extractor needs: where portals are recorded, how inputs are read, and how fresh
/// a request must be.
#[derive(Clone)]
pub struct HandlerConfig {
    /// The installed portals.
    pub store: Arc<dyn PortalStore>,
    /// How dates in inputs are written (the portals' format).
    pub locale: PortalLocale,
    /// Bounds on request bodies.
    pub limits: RequestLimits,
    /// How far `ts` may be from now; `None` accepts any.
    pub freshness: Option<Duration>,
}

impl std::fmt::Debug for HandlerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandlerConfig")
            .field("locale", &self.locale)
            .field("limits", &self.limits)
            .field("freshness", &self.freshness)
            .finish_non_exhaustive()
    }
}

/// Why a robot call was refused: the status and a message naming what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The HTTP status.
    pub status: StatusCode,
    /// What was wrong.
    pub message: String,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        (self.status, self.message).into_response()
    }
}

/// A verified robot call and the record of its portal.
pub struct Verified<R: BizprocReturn> {
    /// The call.
    pub invocation: Invocation<R>,
    /// The portal it came from.
    pub portal: PortalRecord,
}

/// A verified call whose input did not fit the robot: it can still be completed.
pub(crate) struct BadInput<R: BizprocReturn> {
    pub run: Run<R>,
    pub portal: PortalRecord,
    pub error: InvocationError,
}

fn rejection(error: &InvocationError) -> Rejection {
    let status = match error {
        InvocationError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    };
    Rejection { status, message: error.to_string() }
}

/// Reads and verifies a robot call; nothing of a refused request is acted on. The input is
/// decoded only once the request is known to come from the portal, so strangers learn
/// nothing of the robot's inputs.
pub(crate) fn accept<R: BizprocReturn>(
    config: &HandlerConfig,
    body: &[u8],
    content_type: Option<&str>,
) -> Result<Result<Verified<R>, BadInput<R>>, Rejection> {
    let run = Run::<R>::parse(body, content_type, &config.limits).map_err(|e| rejection(&e))?;
    let portal = verify(config.store.as_ref(), &run.auth, Some(run.queued_at), config.freshness).map_err(|e| {
        Rejection { status: StatusCode::from_u16(e.status()).unwrap_or(StatusCode::FORBIDDEN), message: e.to_string() }
    })?;
    Ok(match run.input(&config.locale) {
        Ok(input) => Ok(Verified { invocation: Invocation { input, run }, portal }),
        Err(error) => Err(BadInput { run, portal, error }),
    })
}

impl<R, S> FromRequest<S> for Verified<R>
where
    R: BizprocReturn + Send + 'static,
    S: Send + Sync,
    HandlerConfig: FromRef<S>,
{
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let config = HandlerConfig::from_ref(state);
        let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = axum::body::to_bytes(request.into_body(), config.limits.max_body).await.map_err(|_| Rejection {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: format!("the request body is over the limit of {} bytes", config.limits.max_body),
        })?;
        accept(&config, &body, content_type.as_deref())?.map_err(|bad| rejection(&bad.error))
    }
}

impl<R, S> FromRequest<S> for Invocation<R>
where
    R: BizprocReturn + Send + 'static,
    S: Send + Sync,
    HandlerConfig: FromRef<S>,
{
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Verified::<R>::from_request(request, state).await.map(|verified| verified.invocation)
    }
}
