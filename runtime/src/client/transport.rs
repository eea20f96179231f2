//! One call to the portal: limits, retries, token renewal, and reading the envelope.

use std::time::{Duration, Instant};

use chrono::DateTime;
use serde_json::{Map, Value};

use super::{Auth, Error, ErrorCode, Inner, PortalTokens, Secret};

/// How often and how long a call is tried again.
///
/// A call refused by a limit (`QUERY_LIMIT_EXCEEDED`, `OPERATION_TIME_LIMIT`) did not run and
/// is always tried again. A call that got no answer, or a 5xx, is tried again only when it is
/// safe to repeat: `bizproc.event.send`, `bizproc.activity.log`, the list methods, and calls
/// marked idempotent.
///
/// ```
/// use std::time::Duration;
/// use bizproc::client::RetryPolicy;
///
/// let policy = RetryPolicy::default();
/// assert_eq!(policy.max_attempts, 8);
/// let patient = RetryPolicy { max_wait: Duration::from_secs(600), ..policy };
/// assert!(patient.max_wait > policy.max_wait);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Most attempts of one call, the first included.
    pub max_attempts: u32,
    /// Most time spent waiting between attempts of one call.
    pub max_wait: Duration,
    /// The first delay; each further one doubles, with jitter.
    pub base_delay: Duration,
    /// The longest single delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            max_wait: Duration::from_secs(120),
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// The delay before attempt `attempt + 1`: exponential, with ±50% jitter so that clients
    /// refused together do not come back together.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self.base_delay.saturating_mul(2u32.saturating_pow(attempt.min(16)));
        exponential.min(self.max_delay).mul_f64(0.5 + fastrand::f64())
    }
}

/// What an attempt came to.
enum Outcome {
    Done(Value),
    Failed(Error),
}

impl Inner {
    /// Runs `method` with `params`, retrying as the policy and `idempotent` allow.
    pub(crate) async fn execute(
        &self,
        method: &str,
        params: &Map<String, Value>,
        idempotent: bool,
    ) -> Result<Value, Error> {
        let mut attempt = 0;
        let mut waited = Duration::ZERO;
        let mut refreshed = false;
        loop {
            attempt += 1;
            self.limiter.acquire().await;
            // A method the portal blocked: wait for its reset if the policy allows that long;
            // otherwise let the portal answer (the call fails below without waiting).
            if let Some(wait) = self.operating_wait(method)
                && waited + wait <= self.policy.max_wait
            {
                waited += wait;
                tokio::time::sleep(wait).await;
            }
            let sent_token = self.access_token();
            let error = match self.attempt(method, params, sent_token.as_ref()).await {
                Outcome::Done(result) => return Ok(result),
                Outcome::Failed(error) => error,
            };
            let code = error.code().cloned();
            // Renewed once per call: a token that fails again after renewal will not be helped
            // by another renewal, and each one spends a refresh token.
            let renewable = !refreshed
                && matches!(code, Some(ErrorCode::ExpiredToken | ErrorCode::InvalidToken | ErrorCode::NoAuthFound));
            if renewable && let Some(sent) = &sent_token {
                refreshed = true;
                self.refresh(sent).await?;
                attempt -= 1; // renewing the token is not a failed attempt
                continue;
            }
            let delay = match code {
                Some(ErrorCode::QueryLimitExceeded) => {
                    self.limiter.saturate();
                    Some(self.policy.backoff(attempt))
                }
                Some(ErrorCode::OperationTimeLimit) => {
                    self.blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(method.to_owned());
                    Some(self.operating_wait(method).unwrap_or_else(|| self.policy.backoff(attempt)))
                }
                _ if idempotent && error.is_retryable() => Some(self.policy.backoff(attempt)),
                _ => None,
            };
            match delay {
                Some(delay) if attempt < self.policy.max_attempts && waited + delay <= self.policy.max_wait => {
                    waited += delay;
                    tokio::time::sleep(delay).await;
                }
                _ => return Err(error),
            }
        }
    }

    fn access_token(&self) -> Option<Secret> {
        match &self.auth {
            Auth::Webhook { .. } => None,
            Auth::OAuth { tokens, .. } => {
                Some(tokens.read().unwrap_or_else(std::sync::PoisonError::into_inner).access_token.clone())
            }
        }
    }

    fn url(&self, method: &str) -> String {
        match &self.auth {
            Auth::Webhook { base } => format!("{}{method}", base.expose()),
            Auth::OAuth { tokens, .. } => {
                let endpoint = tokens.read().unwrap_or_else(std::sync::PoisonError::into_inner).client_endpoint.clone();
                format!("{endpoint}{method}")
            }
        }
    }

    async fn attempt(&self, method: &str, params: &Map<String, Value>, token: Option<&Secret>) -> Outcome {
        let mut body = params.clone();
        if let Some(token) = token {
            body.insert("auth".to_owned(), Value::String(token.expose().to_owned()));
        }
        let response = match self.http.post(self.url(method)).json(&body).send().await {
            Ok(response) => response,
            Err(source) => return Outcome::Failed(Error::transport(method, source)),
        };
        let status = response.status().as_u16();
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(source) => return Outcome::Failed(Error::transport(method, source)),
        };
        let envelope: Value = match serde_json::from_slice(&bytes) {
            Ok(value) => value,
            Err(e) => {
                return Outcome::Failed(Error::Decode { method: method.to_owned(), status, reason: e.to_string() });
            }
        };
        if let Some(code) = envelope.get("error").and_then(Value::as_str) {
            let description = envelope.get("error_description").and_then(Value::as_str).unwrap_or_default();
            return Outcome::Failed(Error::api(method, status, code, description));
        }
        let Some(result) = envelope.get("result") else {
            let reason = "the answer has neither `result` nor `error`".to_owned();
            return Outcome::Failed(Error::Decode { method: method.to_owned(), status, reason });
        };
        if let Some(time) = envelope.get("time") {
            self.learn(method, time);
        }
        Outcome::Done(result.clone())
    }

    /// Remembers the portal's UTC offset and when the method's operating time resets.
    fn learn(&self, method: &str, time: &Value) {
        if let Some(offset) =
            time.get("date_start").and_then(Value::as_str).and_then(|d| DateTime::parse_from_rfc3339(d).ok())
        {
            *self.offset.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(*offset.offset());
        }
        self.blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(method);
        if let Some(reset_at) = time.get("operating_reset_at").and_then(Value::as_u64) {
            let mut resets = self.operating.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            resets.insert(method.to_owned(), reset_at);
        }
    }

    /// How long to wait before calling a method that the portal has blocked, if it has.
    fn operating_wait(&self, method: &str) -> Option<Duration> {
        let resets = self.operating.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let reset_at = *resets.get(method)?;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        let blocked = self.blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        (blocked.contains(method) && reset_at > now).then(|| Duration::from_secs(reset_at - now))
    }

    /// Renews the token pair, once for all the calls that met the expired `sent` token.
    async fn refresh(&self, sent: &Secret) -> Result<(), Error> {
        let Auth::OAuth { app, tokens, store, refresh_lock } = &self.auth else {
            return Ok(());
        };
        let _guard = refresh_lock.lock().await;
        let current = tokens.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        if current.access_token != *sent {
            return Ok(()); // another call renewed it while this one waited
        }
        let started = Instant::now();
        let response = self
            .http
            .get(&app.token_url)
            .query(&[
                ("grant_type", "refresh_token"),
                ("client_id", app.client_id.as_str()),
                ("client_secret", app.client_secret.expose()),
                ("refresh_token", current.refresh_token.expose()),
            ])
            .send()
            .await
            .map_err(|source| Error::transport("oauth/token", source))?;
        let status = response.status().as_u16();
        let answer: Value = response.json().await.map_err(|source| Error::transport("oauth/token", source))?;
        let text = |key: &str| answer.get(key).and_then(Value::as_str).map(str::to_owned);
        if let Some(code) = text("error") {
            return Err(Error::Auth {
                code: ErrorCode::parse(&code),
                description: text("error_description").unwrap_or_default(),
            });
        }
        let (Some(access), Some(refresh)) = (text("access_token"), text("refresh_token")) else {
            let reason = format!("the token answer lacks a token pair (after {:?})", started.elapsed());
            return Err(Error::Decode { method: "oauth/token".to_owned(), status, reason });
        };
        let renewed = PortalTokens {
            member_id: current.member_id.clone(),
            client_endpoint: text("client_endpoint").unwrap_or(current.client_endpoint.clone()),
            access_token: Secret::new(access),
            refresh_token: Secret::new(refresh),
        };
        // Kept before use: the old refresh token is already spent.
        store.save(&renewed).map_err(Error::TokenStore)?;
        *tokens.write().unwrap_or_else(std::sync::PoisonError::into_inner) = renewed;
        Ok(())
    }
}
