//! `ONAPPINSTALL`, `ONAPPUPDATE` and `ONAPPUNINSTALL`: what the app keeps of each portal.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::fields::{Fields, shorten};
use super::invocation::decode_body;
use super::{InvocationAuth, InvocationError, PortalRecord, PortalStore, RequestLimits, VerifyError, verify};
use crate::Secret;
use crate::client::{AppCredentials, Client, PortalTokens};

/// Which app event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEventKind {
    /// `ONAPPINSTALL`.
    Install,
    /// `ONAPPUPDATE`.
    Update,
    /// `ONAPPUNINSTALL`.
    Uninstall,
}

/// An app event as Bitrix24 posts it: `event`, `data[...]`, `ts`, `auth[...]`.
///
/// ```
/// use bizproc::handler::{AppEvent, AppEventKind, RequestLimits};
///
/// let body = "event=ONAPPUNINSTALL&data%5BCLEAN%5D=1&ts=1696527000&auth%5Bmember_id%5D=m1&auth%5Bapplication_token%5D=t";
/// let event = AppEvent::parse(body.as_bytes(), None, &RequestLimits::default()).unwrap();
/// assert_eq!(event.kind, AppEventKind::Uninstall);
/// assert!(event.clean());
/// ```
#[derive(Debug, Clone)]
pub struct AppEvent {
    /// Which event.
    pub kind: AppEventKind,
    /// `data`.
    pub data: Map<String, Value>,
    /// `ts`.
    pub ts: Option<DateTime<Utc>>,
    /// `auth`.
    pub auth: InvocationAuth,
}

impl AppEvent {
    /// Reads an app event, form or JSON.
    ///
    /// # Errors
    /// An [`InvocationError`] naming the field at fault.
    pub fn parse(body: &[u8], content_type: Option<&str>, limits: &RequestLimits) -> Result<Self, InvocationError> {
        let mut fields = Fields(decode_body(body, content_type, limits)?);
        let event = fields.required("event")?;
        let kind = match event.to_ascii_uppercase().as_str() {
            "ONAPPINSTALL" => AppEventKind::Install,
            "ONAPPUPDATE" => AppEventKind::Update,
            "ONAPPUNINSTALL" => AppEventKind::Uninstall,
            _ => {
                let reason = format!("`{}` is not an app event this handler takes", shorten(&event));
                return Err(InvocationError::InvalidField { field: "event", reason });
            }
        };
        let data = fields.object("data")?.map(|d| d.0.into_map()).unwrap_or_default();
        let ts = fields.integer("ts")?.and_then(|ts| DateTime::from_timestamp(ts, 0));
        let auth = InvocationAuth::read(fields.object("auth")?.ok_or(InvocationError::MissingField("auth"))?)?;
        Ok(Self { kind, data, ts, auth })
    }

    /// `data[CLEAN]`: whether the user asked to remove the app's data on uninstall.
    #[must_use]
    pub fn clean(&self) -> bool {
        matches!(self.data.get("CLEAN").and_then(Value::as_str), Some("1" | "Y"))
    }
}

/// What an app event changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleOutcome {
    /// The portal was recorded.
    Installed(PortalRecord),
    /// The portal's tokens were replaced; its robots must be registered again.
    Updated(PortalRecord),
    /// The portal was forgotten.
    Uninstalled {
        /// The portal.
        member_id: String,
        /// Whether the user asked to remove the app's data too.
        clean: bool,
    },
}

/// Why an app event was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LifecycleError {
    /// The event could not be read.
    #[error(transparent)]
    Invalid(#[from] InvocationError),
    /// The event is not from the portal it names.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// An install or update without OAuth tokens.
    #[error("the event carries no OAuth tokens")]
    MissingTokens,
    /// The portal did not accept the update's tokens.
    #[error("the portal did not confirm the update: {0}")]
    NotConfirmed(#[source] crate::client::Error),
    /// The portal store failed.
    #[error("the portal store failed: {0}")]
    Store(String),
}

impl LifecycleError {
    /// The HTTP status to answer with.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(_) | Self::MissingTokens => 400,
            Self::Verify(e) => e.status(),
            Self::NotConfirmed(_) => 403,
            Self::Store(_) => 500,
        }
    }
}

/// Keeps portal records in step with app events.
#[derive(Clone)]
pub struct Lifecycle {
    store: Arc<dyn PortalStore>,
    app: AppCredentials,
}

impl std::fmt::Debug for Lifecycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lifecycle").field("app", &self.app).finish_non_exhaustive()
    }
}

impl Lifecycle {
    /// Events go to `store`; `app` is used to confirm updates with the portal.
    pub fn new(store: Arc<dyn PortalStore>, app: AppCredentials) -> Self {
        Self { store, app }
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &Arc<dyn PortalStore> {
        &self.store
    }

    /// Applies an event.
    ///
    /// - Install: records the portal, its tokens and its application token. A portal already
    ///   recorded must first accept the event's access token at its stored address, so that a
    ///   forged install cannot take over a known portal; a first install is taken on trust.
    /// - Update: the event carries the *new* application token, so it cannot be checked
    ///   against the stored one; instead the portal must already be installed and must
    ///   accept the event's access token at its stored REST address (`app.info`). Then the
    ///   new tokens replace the old.
    /// - Uninstall: verified by the stored application token (the only proof the event
    ///   carries), then the portal is forgotten.
    ///
    /// # Errors
    /// A [`LifecycleError`]; nothing was changed.
    pub async fn handle(&self, event: &AppEvent) -> Result<LifecycleOutcome, LifecycleError> {
        match event.kind {
            AppEventKind::Install => {
                let stored = self.store.get(&event.auth.member_id).map_err(LifecycleError::Store)?;
                let record = Self::record_from(event, stored.as_ref())?;
                // A reinstall must not let a stranger replace a known portal's tokens: the
                // portal has to accept the new access token at its stored address. A first
                // install has nothing to check against and is taken on trust.
                if stored.is_some() {
                    self.confirm(&record).await?;
                }
                self.store.put(&record).map_err(LifecycleError::Store)?;
                Ok(LifecycleOutcome::Installed(record))
            }
            AppEventKind::Update => {
                let stored = self
                    .store
                    .get(&event.auth.member_id)
                    .map_err(LifecycleError::Store)?
                    .ok_or(VerifyError::UnknownPortal)?;
                let record = Self::record_from(event, Some(&stored))?;
                self.confirm(&record).await?;
                self.store.put(&record).map_err(LifecycleError::Store)?;
                Ok(LifecycleOutcome::Updated(record))
            }
            AppEventKind::Uninstall => {
                verify(self.store.as_ref(), &event.auth, None, None)?;
                self.store.remove(&event.auth.member_id).map_err(LifecycleError::Store)?;
                Ok(LifecycleOutcome::Uninstalled { member_id: event.auth.member_id.clone(), clean: event.clean() })
            }
        }
    }

    /// Asks the portal, at the record's (stored) address, to accept the record's access token.
    async fn confirm(&self, record: &PortalRecord) -> Result<(), LifecycleError> {
        let tokens = PortalTokens::new(
            &record.member_id,
            &record.client_endpoint,
            record.access_token.clone(),
            record.refresh_token.clone(),
        );
        let client = Client::builder().oauth(self.app.clone(), tokens).build().map_err(LifecycleError::NotConfirmed)?;
        client.call_idempotent::<Value>("app.info", Map::new()).await.map_err(LifecycleError::NotConfirmed)?;
        Ok(())
    }

    fn record_from(event: &AppEvent, stored: Option<&PortalRecord>) -> Result<PortalRecord, LifecycleError> {
        let auth = &event.auth;
        let (Some(access), Some(refresh)) = (&auth.access_token, &auth.refresh_token) else {
            return Err(LifecycleError::MissingTokens);
        };
        let endpoint = match stored {
            Some(stored) => stored.client_endpoint.clone(),
            None => auth.client_endpoint.clone(),
        };
        Ok(PortalRecord {
            member_id: auth.member_id.clone(),
            domain: auth.domain.clone(),
            client_endpoint: endpoint,
            server_endpoint: auth.server_endpoint.clone(),
            application_token: auth.application_token.clone(),
            access_token: Secret::new(access.expose()),
            refresh_token: Secret::new(refresh.expose()),
        })
    }
}
