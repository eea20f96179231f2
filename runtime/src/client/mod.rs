//! The REST client: sends results, registers robots, and keeps to Bitrix24's limits.
//!
//! A [`Client`] talks to one portal, through an incoming webhook or as an OAuth app. It keeps
//! its own leaky bucket so that the portal's `QUERY_LIMIT_EXCEEDED` is rare, waits and tries
//! again when it happens anyway, renews an expired access token once for all concurrent calls,
//! and repeats after a lost answer only the calls that are safe to repeat.
//!
//! ```no_run
//! # async fn run() -> Result<(), bizproc::client::Error> {
//! use bizproc::client::Client;
//!
//! let client = Client::webhook("https://acme.bitrix24.com/rest/1/abcdef123456/")?;
//! let robots: Vec<String> = client.robot_list().await.unwrap_or_default();
//! # Ok(())
//! # }
//! ```

mod batch;
mod error;
mod limiter;
mod sync;
mod tokens;
mod transport;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::FixedOffset;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

pub use crate::{EventToken, Secret};
pub use batch::{Batch, BatchCommand, BatchResults};
pub use error::{Error, ErrorCode};
pub use limiter::RateLimit;
pub use sync::{SyncOptions, SyncReport};
pub use tokens::{AppCredentials, MemoryTokenStore, PortalTokens, TokenStore};
pub use transport::RetryPolicy;

use crate::{BizprocReturn, DateFormat, PortalLocale, Registration, ReturnValues};
use limiter::Limiter;

/// A client of one portal. Cheap to clone; clones share the rate-limit bucket, the tokens
/// and what the client has learned of the portal.
///
/// ```
/// use bizproc::client::{AppCredentials, Client, PortalTokens};
///
/// let client = Client::builder()
///     .oauth(
///         AppCredentials::new("local.5f1e8c.12345678", "client-secret"),
///         PortalTokens::new("a223c6b3", "https://acme.bitrix24.com/rest/", "access", "refresh"),
///     )
///     .build()
///     .unwrap();
/// assert!(!format!("{client:?}").contains("access"));
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[allow(clippy::large_enum_variant)] // one per client, behind an Arc
pub(crate) enum Auth {
    /// `https://<portal>/rest/<user>/<code>/`: the code is a secret.
    Webhook { base: Secret },
    OAuth {
        app: AppCredentials,
        tokens: RwLock<PortalTokens>,
        store: Arc<dyn TokenStore>,
        /// One refresh at a time: refresh tokens are single-use.
        refresh_lock: tokio::sync::Mutex<()>,
    },
}

pub(crate) struct Inner {
    http: reqwest::Client,
    auth: Auth,
    limiter: Limiter,
    policy: RetryPolicy,
    /// The portal's UTC offset, from the `time` of its answers.
    offset: Mutex<Option<FixedOffset>>,
    /// When each method's operating time resets, from the `time` of its answers.
    operating: Mutex<HashMap<String, u64>>,
    /// Methods the portal blocked for operating time.
    blocked: Mutex<HashSet<String>>,
    /// The registrations this client last sent, by kind and code, so a repeated sync is a no-op.
    synced: Mutex<HashMap<(bool, String), Value>>,
}

/// Sets up a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use bizproc::client::{Client, RateLimit};
///
/// let client = Client::builder()
///     .webhook("https://acme.bitrix24.com/rest/1/abcdef123456/")
///     .rate_limit(RateLimit::ENTERPRISE)
///     .timeout(Duration::from_secs(20))
///     .build()
///     .unwrap();
/// ```
#[must_use]
pub struct ClientBuilder {
    auth: Option<Auth>,
    store: Option<Arc<dyn TokenStore>>,
    rate_limit: RateLimit,
    policy: RetryPolicy,
    timeout: Duration,
    offset: Option<FixedOffset>,
    root_certificates: Vec<reqwest::Certificate>,
}

impl Client {
    /// A client that calls through an incoming webhook
    /// (`https://<portal>/rest/<user_id>/<code>/`). Webhooks cannot register robots.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn webhook(url: impl Into<String>) -> Result<Self, Error> {
        Self::builder().webhook(url).build()
    }

    /// A client that calls as an OAuth app, keeping renewed tokens in memory.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn oauth(app: AppCredentials, tokens: PortalTokens) -> Result<Self, Error> {
        Self::builder().oauth(app, tokens).build()
    }

    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            auth: None,
            store: None,
            rate_limit: RateLimit::default(),
            policy: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
            offset: None,
            root_certificates: Vec::new(),
        }
    }

    /// Calls any method and reads its `result`. The call is not repeated after a lost answer.
    ///
    /// # Errors
    /// The portal's error, a transport error, or a `result` that does not read as `T`.
    pub async fn call<T: DeserializeOwned>(&self, method: &str, params: impl Serialize) -> Result<T, Error> {
        self.call_with(method, params, false).await
    }

    /// Calls a method that is safe to repeat: after a lost answer or a 5xx it is tried again.
    ///
    /// # Errors
    /// As [`call`](Self::call).
    pub async fn call_idempotent<T: DeserializeOwned>(&self, method: &str, params: impl Serialize) -> Result<T, Error> {
        self.call_with(method, params, true).await
    }

    async fn call_with<T: DeserializeOwned>(
        &self,
        method: &str,
        params: impl Serialize,
        idempotent: bool,
    ) -> Result<T, Error> {
        let params = to_params(method, params)?;
        let result = self.inner.execute(method, &params, idempotent).await?;
        decode(method, result)
    }

    /// `bizproc.robot.add`, after [`Registration::validate`].
    ///
    /// # Errors
    /// [`Error::Registration`] before any call, or the portal's error.
    pub async fn robot_add(&self, registration: &Registration) -> Result<(), Error> {
        registration.validate()?;
        self.expect_true("bizproc.robot.add", registration.robot_add_payload(), false).await
    }

    /// `bizproc.robot.update` with every field.
    ///
    /// # Errors
    /// [`Error::Registration`] before any call, or the portal's error.
    pub async fn robot_update(&self, registration: &Registration) -> Result<(), Error> {
        registration.validate()?;
        self.expect_true("bizproc.robot.update", registration.update_payload(), false).await
    }

    /// `bizproc.robot.delete`.
    ///
    /// # Errors
    /// The portal's error, e.g. [`ErrorCode::ActivityNotFound`].
    pub async fn robot_delete(&self, code: &str) -> Result<(), Error> {
        self.expect_true("bizproc.robot.delete", json!({ "CODE": code }), false).await
    }

    /// `bizproc.robot.list`: the codes of this app's robots.
    ///
    /// # Errors
    /// The portal's error.
    pub async fn robot_list(&self) -> Result<Vec<String>, Error> {
        self.list("bizproc.robot.list").await
    }

    /// `bizproc.activity.add`, after [`Registration::validate`].
    ///
    /// # Errors
    /// [`Error::Registration`] before any call, or the portal's error.
    pub async fn activity_add(&self, registration: &Registration) -> Result<(), Error> {
        registration.validate()?;
        self.expect_true("bizproc.activity.add", registration.activity_add_payload(), false).await
    }

    /// `bizproc.activity.update` with every field.
    ///
    /// # Errors
    /// [`Error::Registration`] before any call, or the portal's error.
    pub async fn activity_update(&self, registration: &Registration) -> Result<(), Error> {
        registration.validate()?;
        self.expect_true("bizproc.activity.update", registration.update_payload(), false).await
    }

    /// `bizproc.activity.delete`.
    ///
    /// # Errors
    /// The portal's error.
    pub async fn activity_delete(&self, code: &str) -> Result<(), Error> {
        self.expect_true("bizproc.activity.delete", json!({ "CODE": code }), false).await
    }

    /// `bizproc.activity.list`: the codes of this app's activities.
    ///
    /// # Errors
    /// The portal's error.
    pub async fn activity_list(&self) -> Result<Vec<String>, Error> {
        self.list("bizproc.activity.list").await
    }

    /// `bizproc.activity.log`: a line in the workflow log of a run that keeps waiting.
    ///
    /// # Errors
    /// The portal's error, e.g. [`ErrorCode::AccessDenied`] for a bad token.
    pub async fn activity_log(&self, event_token: &str, message: &str) -> Result<(), Error> {
        let params = json!({ "EVENT_TOKEN": event_token, "LOG_MESSAGE": message });
        self.expect_true("bizproc.activity.log", params, true).await
    }

    /// `bizproc.event.send` with raw values: completes a run. `true` from the portal means
    /// "accepted", not "delivered": a closed run, an unknown key or a bad value is dropped
    /// silently. Prefer [`BizprocReturn::send_result`], which sends only declared ids in their
    /// declared types.
    ///
    /// # Errors
    /// The portal's error, e.g. [`ErrorCode::AccessDenied`] for a bad token.
    pub async fn event_send(
        &self,
        event_token: &str,
        values: &ReturnValues,
        log_message: Option<&str>,
    ) -> Result<(), Error> {
        self.expect_true("bizproc.event.send", event_send_params(event_token, values, log_message), true).await
    }

    /// Completes a run of robot `R` with `result`, its dates written at the portal's UTC
    /// offset.
    ///
    /// # Errors
    /// As [`event_send`](Self::event_send).
    pub async fn send_result<R: BizprocReturn>(
        &self,
        result: &R,
        token: &EventToken<R>,
        log_message: Option<&str>,
    ) -> Result<(), Error> {
        let values = result.return_values_in(&self.portal_locale().await?);
        self.event_send(token.as_str(), &values, log_message).await
    }

    /// The portal's locale as far as the client knows it: its UTC offset comes from the
    /// portal's answers (one `server.time` call if none came yet).
    ///
    /// # Errors
    /// When the portal cannot be asked.
    pub async fn portal_locale(&self) -> Result<PortalLocale, Error> {
        let known = *self.inner.offset.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let offset = if let Some(offset) = known {
            offset
        } else {
            self.call_idempotent::<Value>("server.time", json!({})).await?;
            let learned = *self.inner.offset.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            learned.unwrap_or_else(|| PortalLocale::utc().utc_offset())
        };
        Ok(PortalLocale::new(DateFormat::DAY_MONTH_YEAR, offset))
    }

    async fn expect_true(&self, method: &str, params: Value, idempotent: bool) -> Result<(), Error> {
        match self.call_with::<Value>(method, params, idempotent).await? {
            Value::Bool(true) => Ok(()),
            other => Err(Error::Decode {
                method: method.to_owned(),
                status: 200,
                reason: format!("expected `true`, got {other}"),
            }),
        }
    }

    async fn list(&self, method: &str) -> Result<Vec<String>, Error> {
        match self.call_with::<Value>(method, json!({}), true).await? {
            Value::Array(items) => Ok(items.into_iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()),
            // An empty list may come as an empty object.
            Value::Object(map) => Ok(map.into_iter().filter_map(|(_, v)| v.as_str().map(str::to_owned)).collect()),
            other => Err(Error::Decode {
                method: method.to_owned(),
                status: 200,
                reason: format!("expected a list, got {other}"),
            }),
        }
    }
}

pub(crate) fn event_send_params(event_token: &str, values: &ReturnValues, log_message: Option<&str>) -> Value {
    let mut params = json!({ "EVENT_TOKEN": event_token, "RETURN_VALUES": values });
    if let Some(message) = log_message {
        params["LOG_MESSAGE"] = message.into();
    }
    params
}

fn to_params(method: &str, params: impl Serialize) -> Result<Map<String, Value>, Error> {
    match serde_json::to_value(params) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(other) => Err(Error::Decode {
            method: method.to_owned(),
            status: 0,
            reason: format!("parameters must be an object, got {other}"),
        }),
        Err(e) => Err(Error::Decode {
            method: method.to_owned(),
            status: 0,
            reason: format!("parameters do not serialize: {e}"),
        }),
    }
}

fn decode<T: DeserializeOwned>(method: &str, result: Value) -> Result<T, Error> {
    serde_json::from_value(result).map_err(|e| Error::Decode {
        method: method.to_owned(),
        status: 200,
        reason: format!("unexpected `result`: {e}"),
    })
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.inner.auth {
            Auth::Webhook { .. } => "webhook",
            Auth::OAuth { .. } => "oauth",
        };
        f.debug_struct("Client").field("auth", &kind).field("policy", &self.inner.policy).finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Calls through an incoming webhook URL.
    pub fn webhook(mut self, url: impl Into<String>) -> Self {
        let mut url = url.into();
        if !url.ends_with('/') {
            url.push('/');
        }
        self.auth = Some(Auth::Webhook { base: Secret::new(url) });
        self
    }

    /// Calls as an OAuth app with a portal's tokens.
    pub fn oauth(mut self, app: AppCredentials, tokens: PortalTokens) -> Self {
        self.auth = Some(Auth::OAuth {
            app,
            tokens: RwLock::new(tokens),
            store: Arc::new(MemoryTokenStore::default()),
            refresh_lock: tokio::sync::Mutex::new(()),
        });
        self
    }

    /// Where renewed tokens are kept (in memory unless set).
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The client's own request-rate limit (2 per second, 50 at once, unless set).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = limit;
        self
    }

    /// How calls are tried again.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// How long one HTTP request may take (60 s, the portal's own cut-off, unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The portal's UTC offset, when known before any call.
    pub fn utc_offset(mut self, offset: FixedOffset) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Trusts this PEM certificate as well, e.g. an emulator's self-signed one.
    ///
    /// # Errors
    /// When the PEM cannot be read.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        let certificate = reqwest::Certificate::from_pem(pem).map_err(|e| Error::transport("(setup)", e))?;
        self.root_certificates.push(certificate);
        Ok(self)
    }

    /// Builds the client.
    ///
    /// # Errors
    /// When no credentials were given, or the HTTP client cannot be built.
    pub fn build(self) -> Result<Client, Error> {
        let mut auth = self.auth.ok_or_else(|| Error::Decode {
            method: "(setup)".to_owned(),
            status: 0,
            reason: "a client needs a webhook URL or OAuth credentials".to_owned(),
        })?;
        if let (Auth::OAuth { store, .. }, Some(custom)) = (&mut auth, self.store) {
            *store = custom;
        }
        let mut http = reqwest::Client::builder()
            .timeout(self.timeout)
            .user_agent(concat!("bizproc-rs/", env!("CARGO_PKG_VERSION")));
        for certificate in self.root_certificates {
            http = http.add_root_certificate(certificate);
        }
        let http = http.build().map_err(|e| Error::transport("(setup)", e))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                auth,
                limiter: Limiter::new(self.rate_limit),
                policy: self.policy,
                offset: Mutex::new(self.offset),
                operating: Mutex::new(HashMap::new()),
                blocked: Mutex::new(HashSet::new()),
                synced: Mutex::new(HashMap::new()),
            }),
        })
    }
}
