//! What the emulator holds: portals with their tokens, robots and limits, runs, faults and
//! the request log. One lock guards it; no lock is held across an `.await`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use indexmap::IndexMap;

use crate::config::{PortalConfig, Settings, random_hex};
use crate::faults::Faults;
use crate::limits::{Bucket, Operating};
use crate::log::LogEntry;
use crate::registration::Store;
use crate::runs::Runs;

/// The emulator's state, shared by the server and the handle.
#[derive(Clone)]
pub(crate) struct Shared {
    inner: Arc<Mutex<State>>,
    /// For the calls the portal makes: robot handlers and app events.
    pub http: reqwest::Client,
}

impl Shared {
    pub fn new(state: State, http: reqwest::Client) -> Self {
        Self { inner: Arc::new(Mutex::new(state)), http }
    }

    /// Locks the state; a panic elsewhere does not make it unusable.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub(crate) struct State {
    pub settings: Settings,
    /// Portals by member id.
    pub portals: IndexMap<String, Portal>,
    pub runs: Runs,
    pub faults: Faults,
    pub log: Vec<LogEntry>,
    /// Signs event tokens.
    pub signing_key: Vec<u8>,
    /// `http://127.0.0.1:<port>` (or `https`).
    pub base_url: String,
}

/// A granted access token.
pub(crate) struct Grant {
    pub user_id: u32,
    pub expires_at: Instant,
}

pub(crate) struct Portal {
    pub config: PortalConfig,
    /// The current application token (replaced on app update).
    pub application_token: String,
    pub access_tokens: HashMap<String, Grant>,
    /// Unused refresh tokens and their users; each is spent by one refresh.
    pub refresh_tokens: HashMap<String, u32>,
    pub store: Store,
    pub bucket: Bucket,
    pub operating: Operating,
    /// Where app events go, once the app is installed.
    pub event_url: Option<String>,
    pub installed: bool,
    pub app_version: u32,
}

impl Portal {
    pub fn new(config: PortalConfig, settings: &Settings) -> Self {
        let now = Instant::now();
        let mut access_tokens = HashMap::new();
        access_tokens.insert(
            config.access_token.clone(),
            Grant { user_id: config.admin_user_id, expires_at: now + settings.token_lifetime },
        );
        let mut refresh_tokens = HashMap::new();
        refresh_tokens.insert(config.refresh_token.clone(), config.admin_user_id);
        Self {
            application_token: config.application_token.clone(),
            access_tokens,
            refresh_tokens,
            store: Store::default(),
            bucket: Bucket::new(settings.rate_limit, now),
            operating: Operating::default(),
            event_url: None,
            installed: false,
            app_version: 1,
            config,
        }
    }

    /// Issues a new token pair for `user_id`.
    pub fn issue_tokens(&mut self, user_id: u32, lifetime: Duration) -> (String, String) {
        let access = random_hex(16);
        let refresh = random_hex(16);
        self.access_tokens.insert(access.clone(), Grant { user_id, expires_at: Instant::now() + lifetime });
        self.refresh_tokens.insert(refresh.clone(), user_id);
        (access, refresh)
    }

    /// Whether `user_id` administers the portal.
    pub fn is_admin(&self, user_id: u32) -> bool {
        user_id == self.config.admin_user_id
    }
}

impl State {
    pub fn new(settings: Settings, base_url: String) -> Self {
        let portals = settings
            .portals
            .iter()
            .map(|config| (config.member_id.clone(), Portal::new(config.clone(), &settings)))
            .collect();
        Self {
            portals,
            runs: Runs::default(),
            faults: Faults::default(),
            log: Vec::new(),
            signing_key: random_hex(32).into_bytes(),
            base_url,
            settings,
        }
    }

    /// The portal whose access token this is, with the grant.
    pub fn portal_by_token(&mut self, token: &str) -> Option<(&mut Portal, u32, Instant)> {
        self.portals.values_mut().find_map(|portal| {
            let grant = portal.access_tokens.get(token)?;
            let (user, expires) = (grant.user_id, grant.expires_at);
            Some((portal, user, expires))
        })
    }

    /// The REST base URL portals report as `client_endpoint`.
    pub fn client_endpoint(&self) -> String {
        format!("{}/rest/", self.base_url)
    }

    /// The authorization server's base, the separate host of the real thing.
    pub fn server_endpoint(&self) -> String {
        format!("{}/oauth/rest/", self.base_url)
    }
}
