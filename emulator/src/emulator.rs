//! Starting, configuring and stopping an emulator, and the credentials it hands out.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::{OperatingLimit, PortalConfig, RateLimit, Settings};
use crate::server::{self, Running};
use crate::state::{Shared, State};

/// A running local Bitrix24 portal (or several), bound to 127.0.0.1.
///
/// Dropping it stops the server at once; [`shutdown`](Self::shutdown) stops it gracefully.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use bizproc_emulator::Emulator;
///
/// let emulator = Emulator::builder().start().await?;
/// let credentials = emulator.credentials();
/// assert!(credentials.client_endpoint.starts_with("http://127.0.0.1:"));
/// assert!(credentials.webhook_url.ends_with('/'));
/// emulator.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct Emulator {
    pub(crate) shared: Shared,
    base_url: String,
    server: Option<Running>,
}

/// Sets up an [`Emulator`].
///
/// ```
/// use bizproc_emulator::{Emulator, PortalConfig, RateLimit};
/// let builder = Emulator::builder()
///     .portal(PortalConfig::new("acme.bitrix24.test"))
///     .rate_limit(RateLimit::ENTERPRISE);
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct EmulatorBuilder {
    settings: Settings,
}

/// Why an emulator could not start.
#[derive(Debug, thiserror::Error)]
#[error("the emulator could not start: {0}")]
pub struct StartError(#[from] std::io::Error);

impl Emulator {
    /// A builder with one portal, the standard rate limit, no operating-time limit, access
    /// tokens that last an hour, and plain HTTP on a free port.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            settings: Settings {
                port: 0,
                portals: Vec::new(),
                rate_limit: RateLimit::default(),
                operating_limit: None,
                token_lifetime: Duration::from_secs(3600),
                tls_certificate: None,
            },
        }
    }

    /// `http://127.0.0.1:<port>` (or `https://`).
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The credentials of the first portal.
    ///
    /// # Panics
    /// Never: an emulator always has a portal.
    #[must_use]
    pub fn credentials(&self) -> Credentials {
        let member_id = self.shared.lock().portals.keys().next().cloned().expect("an emulator always has a portal");
        self.credentials_of(&member_id).expect("the first portal exists")
    }

    /// The credentials of the portal with this member id.
    #[must_use]
    pub fn credentials_of(&self, member_id: &str) -> Option<Credentials> {
        let state = self.shared.lock();
        let portal = state.portals.get(member_id)?;
        let config = &portal.config;
        let (access_token, refresh_token) = (config.access_token.clone(), config.refresh_token.clone());
        Some(Credentials {
            domain: config.domain.clone(),
            member_id: config.member_id.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            access_token,
            refresh_token,
            application_token: portal.application_token.clone(),
            client_endpoint: state.client_endpoint(),
            server_endpoint: state.server_endpoint(),
            oauth_token_url: format!("{}/oauth/token/", state.base_url),
            webhook_url: format!("{}/rest/{}/{}/", state.base_url, config.webhook_user_id, config.webhook_secret),
            user_id: config.admin_user_id,
        })
    }

    /// The member ids of every portal, in the order they were added.
    #[must_use]
    pub fn portals(&self) -> Vec<String> {
        self.shared.lock().portals.keys().cloned().collect()
    }

    /// Stops the server, letting calls under way finish for up to two seconds.
    pub async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl EmulatorBuilder {
    /// The port to bind on 127.0.0.1; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.settings.port = port;
        self
    }

    /// Adds a portal. Without any, the emulator has one at `portal.bitrix24.test`.
    pub fn portal(mut self, portal: PortalConfig) -> Self {
        self.settings.portals.push(portal);
        self
    }

    /// The request-rate limit of every portal.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.settings.rate_limit = limit;
        self
    }

    /// Switches on the operating-time limit.
    pub fn operating_limit(mut self, limit: OperatingLimit) -> Self {
        self.settings.operating_limit = Some(limit);
        self
    }

    /// How long access tokens last before `401 expired_token`.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.settings.token_lifetime = lifetime;
        self
    }

    /// Serves HTTPS with a new self-signed certificate for 127.0.0.1, written as PEM to `path`.
    pub fn https(mut self, certificate: impl Into<PathBuf>) -> Self {
        self.settings.tls_certificate = Some(certificate.into());
        self
    }

    /// Binds and starts serving.
    ///
    /// # Errors
    /// When the port cannot be bound or the certificate cannot be written.
    pub async fn start(mut self) -> Result<Emulator, StartError> {
        if self.settings.portals.is_empty() {
            self.settings.portals.push(PortalConfig::new("portal.bitrix24.test"));
        }
        let listener = server::bind(self.settings.port)?;
        let addr = listener.local_addr()?;
        let tls = match &self.settings.tls_certificate {
            Some(path) => Some(server::tls_config(path).await?),
            None => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{addr}");
        let http =
            reqwest::Client::builder().timeout(Duration::from_secs(30)).build().map_err(std::io::Error::other)?;
        let shared = Shared::new(State::new(self.settings, base_url.clone()), http);
        let running = server::serve(listener, tls, server::router(shared.clone()))?;
        Ok(Emulator { shared, base_url, server: Some(running) })
    }
}

/// What an app needs to talk to one emulated portal. `Debug` shows no secret.
#[derive(Clone, serde::Serialize)]
pub struct Credentials {
    /// The portal's address.
    pub domain: String,
    /// The portal's id.
    pub member_id: String,
    /// The app's OAuth client id.
    pub client_id: String,
    /// The app's OAuth client secret.
    pub client_secret: String,
    /// An access token of the administrator.
    pub access_token: String,
    /// Its refresh token.
    pub refresh_token: String,
    /// The app's per-portal secret.
    pub application_token: String,
    /// The REST base, `<base>/rest/`.
    pub client_endpoint: String,
    /// The authorization server's REST base.
    pub server_endpoint: String,
    /// The token endpoint, `<base>/oauth/token/`.
    pub oauth_token_url: String,
    /// An incoming webhook, `<base>/rest/<user>/<secret>/`.
    pub webhook_url: String,
    /// The administrator's user id.
    pub user_id: u32,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("domain", &self.domain)
            .field("member_id", &self.member_id)
            .field("client_id", &self.client_id)
            .field("client_endpoint", &self.client_endpoint)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}
