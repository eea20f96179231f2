//! OAuth credentials, and where renewed tokens are kept.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::Secret;

/// The app's OAuth credentials: what the authorization server knows it by.
///
/// ```
/// use bizproc::client::AppCredentials;
///
/// let app = AppCredentials::new("local.5f1e8c.12345678", "client-secret");
/// assert_eq!(app.token_url, "https://oauth.bitrix.info/oauth/token/");
/// assert!(!format!("{app:?}").contains("client-secret"));
/// ```
#[derive(Debug, Clone)]
pub struct AppCredentials {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`: sent only to the authorization server.
    pub client_secret: Secret,
    /// The token endpoint.
    pub token_url: String,
}

impl AppCredentials {
    /// Credentials for Bitrix24's authorization server.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            token_url: "https://oauth.bitrix.info/oauth/token/".to_owned(),
        }
    }

    /// Another token endpoint, such as an emulator's.
    #[must_use]
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }
}

/// One portal's OAuth tokens and REST address.
///
/// ```
/// use bizproc::client::PortalTokens;
///
/// let tokens = PortalTokens::new("a223c6b3", "https://acme.bitrix24.com/rest/", "access", "refresh");
/// assert_eq!(tokens.member_id, "a223c6b3");
/// assert!(!format!("{tokens:?}").contains("refresh\""));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalTokens {
    /// The portal's id.
    pub member_id: String,
    /// The REST base, `client_endpoint`, ending in `/`.
    pub client_endpoint: String,
    /// The access token.
    pub access_token: Secret,
    /// The refresh token; each one works once.
    pub refresh_token: Secret,
}

impl PortalTokens {
    /// A portal's tokens.
    pub fn new(
        member_id: impl Into<String>,
        client_endpoint: impl Into<String>,
        access_token: impl Into<Secret>,
        refresh_token: impl Into<Secret>,
    ) -> Self {
        let mut client_endpoint = client_endpoint.into();
        if !client_endpoint.ends_with('/') {
            client_endpoint.push('/');
        }
        Self {
            member_id: member_id.into(),
            client_endpoint,
            access_token: access_token.into(),
            refresh_token: refresh_token.into(),
        }
    }
}

/// Where a client puts renewed tokens, before it uses them: a refresh token works once, so a
/// pair that is used but not kept locks the app out of the portal.
///
/// ```
/// use bizproc::client::{MemoryTokenStore, PortalTokens, TokenStore};
///
/// let store = MemoryTokenStore::default();
/// store.save(&PortalTokens::new("m1", "https://a.example.com/rest/", "a", "r")).unwrap();
/// assert_eq!(store.load("m1").unwrap().unwrap().access_token.expose(), "a");
/// ```
pub trait TokenStore: Send + Sync + 'static {
    /// Keeps `tokens` for their portal, replacing the pair it had.
    ///
    /// # Errors
    /// A message saying why they could not be kept.
    fn save(&self, tokens: &PortalTokens) -> Result<(), String>;

    /// The tokens kept for a portal.
    ///
    /// # Errors
    /// A message saying why they could not be read.
    fn load(&self, member_id: &str) -> Result<Option<PortalTokens>, String>;
}

/// A [`TokenStore`] in memory, for tests and short-lived tools.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    tokens: Mutex<HashMap<String, PortalTokens>>,
}

impl TokenStore for MemoryTokenStore {
    fn save(&self, tokens: &PortalTokens) -> Result<(), String> {
        let mut map = self.tokens.lock().map_err(|_| "the token store's lock is poisoned".to_owned())?;
        map.insert(tokens.member_id.clone(), tokens.clone());
        Ok(())
    }

    fn load(&self, member_id: &str) -> Result<Option<PortalTokens>, String> {
        let map = self.tokens.lock().map_err(|_| "the token store's lock is poisoned".to_owned())?;
        Ok(map.get(member_id).cloned())
    }
}
