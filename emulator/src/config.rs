//! How an emulator is set up: its portals, limits and transport.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use bizproc::{DateFormat, PortalLocale};
use chrono::FixedOffset;
use rand::RngCore;

/// A leaky bucket: each request adds one, the bucket drains `drain_per_second`, and a request
/// that would lift it above `burst` is refused with `503 QUERY_LIMIT_EXCEEDED`.
///
/// ```
/// use bizproc_emulator::RateLimit;
/// assert_eq!(RateLimit::default(), RateLimit::new(2.0, 50.0));
/// assert_eq!(RateLimit::ENTERPRISE, RateLimit::new(5.0, 250.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests drained per second.
    pub drain_per_second: f64,
    /// Requests the bucket holds.
    pub burst: f64,
}

impl RateLimit {
    /// The Enterprise plan: 5 per second, 250 at once.
    pub const ENTERPRISE: Self = Self { drain_per_second: 5.0, burst: 250.0 };
    /// Every other plan: 2 per second, 50 at once.
    pub const STANDARD: Self = Self { drain_per_second: 2.0, burst: 50.0 };
    /// No limit.
    pub const UNLIMITED: Self = Self { drain_per_second: f64::INFINITY, burst: f64::INFINITY };

    /// A bucket of `burst` draining `drain_per_second`.
    #[must_use]
    pub const fn new(drain_per_second: f64, burst: f64) -> Self {
        Self { drain_per_second, burst }
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::STANDARD
    }
}

/// The execution-time limit per method: once the seconds a method has run in the last ten
/// one-minute buckets exceed `limit`, its calls get `429 OPERATION_TIME_LIMIT`. Each call is
/// counted as `cost_per_call`, since the emulator itself runs in microseconds.
///
/// ```
/// use std::time::Duration;
/// let limit = bizproc_emulator::OperatingLimit::new(Duration::from_secs(480), Duration::from_secs(10));
/// assert_eq!(limit.limit, Duration::from_secs(480));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperatingLimit {
    /// Seconds of execution allowed per ten minutes.
    pub limit: Duration,
    /// Seconds one call counts for.
    pub cost_per_call: Duration,
}

impl OperatingLimit {
    /// A limit of `limit`, each call counting `cost_per_call`.
    #[must_use]
    pub const fn new(limit: Duration, cost_per_call: Duration) -> Self {
        Self { limit, cost_per_call }
    }
}

/// One portal: its identity, its locale and the credentials of the installed app.
///
/// Every secret is random unless set. `Debug` shows none of them.
///
/// ```
/// use bizproc_emulator::PortalConfig;
/// let portal = PortalConfig::new("acme.bitrix24.test");
/// assert_eq!(portal.domain, "acme.bitrix24.test");
/// assert_eq!(portal.member_id.len(), 32);
/// assert!(!format!("{portal:?}").contains(&portal.access_token));
/// ```
#[derive(Clone)]
pub struct PortalConfig {
    /// The portal's address, e.g. `acme.bitrix24.test`.
    pub domain: String,
    /// The portal's id.
    pub member_id: String,
    /// Date format and UTC offset: `DD.MM.YYYY` at +03:00 unless set.
    pub locale: PortalLocale,
    /// The app's OAuth client id.
    pub client_id: String,
    /// The app's OAuth client secret.
    pub client_secret: String,
    /// The app's per-portal secret sent with every event and robot call.
    pub application_token: String,
    /// The first access token, of [`admin_user_id`](Self::admin_user_id).
    pub access_token: String,
    /// The first refresh token.
    pub refresh_token: String,
    /// The administrator who installed the app.
    pub admin_user_id: u32,
    /// The incoming webhook's user.
    pub webhook_user_id: u32,
    /// The incoming webhook's secret code.
    pub webhook_secret: String,
    /// `app.info` `STATUS`, and `auth[status]` of robot calls: `L` local unless set.
    pub app_status: String,
}

impl PortalConfig {
    /// A portal at `domain` with random credentials, a `DD.MM.YYYY` portal at +03:00.
    ///
    /// # Panics
    /// Never: +03:00 is a valid offset.
    pub fn new(domain: impl Into<String>) -> Self {
        Self {
            domain: domain.into(),
            member_id: random_hex(16),
            locale: PortalLocale::new(
                DateFormat::DAY_MONTH_YEAR,
                FixedOffset::east_opt(3 * 3600).expect("+03:00 is a valid offset"),
            ),
            client_id: format!("local.{}.{}", random_hex(7), random_hex(4)),
            client_secret: random_hex(25),
            application_token: random_hex(16),
            access_token: random_hex(16),
            refresh_token: random_hex(16),
            admin_user_id: 1,
            webhook_user_id: 1,
            webhook_secret: random_hex(8),
            app_status: "L".to_owned(),
        }
    }

    /// Sets the locale.
    #[must_use]
    pub fn locale(mut self, locale: PortalLocale) -> Self {
        self.locale = locale;
        self
    }

    /// Sets the member id.
    #[must_use]
    pub fn member_id(mut self, member_id: impl Into<String>) -> Self {
        self.member_id = member_id.into();
        self
    }
}

impl fmt::Debug for PortalConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PortalConfig")
            .field("domain", &self.domain)
            .field("member_id", &self.member_id)
            .field("locale", &self.locale)
            .field("client_id", &self.client_id)
            .field("admin_user_id", &self.admin_user_id)
            .finish_non_exhaustive()
    }
}

/// Lowercase hex of `bytes` random bytes.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Everything the emulator is started with.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub port: u16,
    pub portals: Vec<PortalConfig>,
    pub rate_limit: RateLimit,
    pub operating_limit: Option<OperatingLimit>,
    pub token_lifetime: Duration,
    pub tls_certificate: Option<PathBuf>,
}
