//! What the app keeps of each portal that installed it.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::Secret;

/// One installed portal: its address, the app's tokens there, and the application token that
/// proves a request came from it. `Debug` shows no secret.
///
/// ```
/// use bizproc::handler::PortalRecord;
///
/// let portal = PortalRecord::new("a223c6b3", "acme.bitrix24.com", "https://acme.bitrix24.com/rest/", "51856fef");
/// assert_eq!(portal.member_id, "a223c6b3");
/// assert!(!format!("{portal:?}").contains("51856fef"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalRecord {
    /// The portal's id.
    pub member_id: String,
    /// Its address.
    pub domain: String,
    /// Its REST base.
    pub client_endpoint: String,
    /// Its authorization server's REST base.
    pub server_endpoint: String,
    /// The secret Bitrix24 sends with every event and robot call of this app.
    pub application_token: Secret,
    /// The app's access token there.
    pub access_token: Secret,
    /// The app's refresh token there.
    pub refresh_token: Secret,
}

impl PortalRecord {
    /// A record without OAuth tokens.
    pub fn new(
        member_id: impl Into<String>,
        domain: impl Into<String>,
        client_endpoint: impl Into<String>,
        application_token: impl Into<Secret>,
    ) -> Self {
        Self {
            member_id: member_id.into(),
            domain: domain.into(),
            client_endpoint: client_endpoint.into(),
            server_endpoint: String::new(),
            application_token: application_token.into(),
            access_token: Secret::default(),
            refresh_token: Secret::default(),
        }
    }
}

/// Where portal records live. The default, [`SqlitePortalStore`](super::SqlitePortalStore),
/// keeps them across restarts; [`MemoryPortalStore`] is for tests.
///
/// ```
/// use bizproc::handler::{MemoryPortalStore, PortalRecord, PortalStore};
///
/// let store = MemoryPortalStore::default();
/// store.put(&PortalRecord::new("m1", "a.example.com", "https://a.example.com/rest/", "t")).unwrap();
/// assert!(store.get("m1").unwrap().is_some());
/// store.remove("m1").unwrap();
/// assert!(store.get("m1").unwrap().is_none());
/// ```
pub trait PortalStore: Send + Sync + 'static {
    /// The record of a portal.
    ///
    /// # Errors
    /// Why the store could not be read.
    fn get(&self, member_id: &str) -> Result<Option<PortalRecord>, String>;

    /// Adds or replaces a portal's record.
    ///
    /// # Errors
    /// Why the store could not be written.
    fn put(&self, record: &PortalRecord) -> Result<(), String>;

    /// Forgets a portal.
    ///
    /// # Errors
    /// Why the store could not be written.
    fn remove(&self, member_id: &str) -> Result<(), String>;
}

/// A [`PortalStore`] in memory.
#[derive(Debug, Default)]
pub struct MemoryPortalStore {
    records: Mutex<HashMap<String, PortalRecord>>,
}

impl PortalStore for MemoryPortalStore {
    fn get(&self, member_id: &str) -> Result<Option<PortalRecord>, String> {
        Ok(self.records.lock().map_err(|_| "poisoned lock".to_owned())?.get(member_id).cloned())
    }

    fn put(&self, record: &PortalRecord) -> Result<(), String> {
        self.records.lock().map_err(|_| "poisoned lock".to_owned())?.insert(record.member_id.clone(), record.clone());
        Ok(())
    }

    fn remove(&self, member_id: &str) -> Result<(), String> {
        self.records.lock().map_err(|_| "poisoned lock".to_owned())?.remove(member_id);
        Ok(())
    }
}

/// A [`TokenStore`](crate::client::TokenStore) that keeps renewed OAuth tokens in the
/// portal's record.
///
/// ```
/// use std::sync::Arc;
/// use bizproc::client::{PortalTokens, TokenStore};
/// use bizproc::handler::{MemoryPortalStore, PortalRecord, PortalStore, PortalTokenStore};
///
/// let portals = Arc::new(MemoryPortalStore::default());
/// portals.put(&PortalRecord::new("m1", "a.example.com", "https://a.example.com/rest/", "t")).unwrap();
/// let tokens = PortalTokenStore::new(portals.clone());
/// tokens.save(&PortalTokens::new("m1", "https://a.example.com/rest/", "new-access", "new-refresh")).unwrap();
/// assert_eq!(portals.get("m1").unwrap().unwrap().access_token.expose(), "new-access");
/// ```
#[cfg(feature = "client")]
#[derive(Clone)]
pub struct PortalTokenStore(std::sync::Arc<dyn PortalStore>);

#[cfg(feature = "client")]
impl PortalTokenStore {
    /// Keeps tokens in `portals`.
    pub fn new(portals: std::sync::Arc<dyn PortalStore>) -> Self {
        Self(portals)
    }
}

#[cfg(feature = "client")]
impl crate::client::TokenStore for PortalTokenStore {
    fn save(&self, tokens: &crate::client::PortalTokens) -> Result<(), String> {
        let mut record =
            self.0.get(&tokens.member_id)?.ok_or_else(|| format!("portal `{}` is not installed", tokens.member_id))?;
        record.access_token = tokens.access_token.clone();
        record.refresh_token = tokens.refresh_token.clone();
        record.client_endpoint.clone_from(&tokens.client_endpoint);
        self.0.put(&record)
    }

    fn load(&self, member_id: &str) -> Result<Option<crate::client::PortalTokens>, String> {
        Ok(self.0.get(member_id)?.map(|record| {
            crate::client::PortalTokens::new(
                record.member_id,
                record.client_endpoint,
                record.access_token,
                record.refresh_token,
            )
        }))
    }
}
