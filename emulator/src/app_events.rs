//! App events (spec §8): `ONAPPINSTALL`, `ONAPPUPDATE` and `ONAPPUNINSTALL`, sent as
//! form-encoded `POST`s to the app's event URL.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::random_hex;
use crate::emulator::Emulator;
use crate::limits::unix_now;
use crate::state::{Portal, Shared, State};

/// The language the emulated portal reports.
const LANGUAGE_ID: &str = "en";

/// The app's scopes, as the token endpoint reports them.
const SCOPE: &str = "bizproc,crm";

/// One of the three app lifecycle events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppEvent {
    /// `ONAPPINSTALL`.
    #[serde(rename = "ONAPPINSTALL")]
    Install,
    /// `ONAPPUPDATE`.
    #[serde(rename = "ONAPPUPDATE")]
    Update,
    /// `ONAPPUNINSTALL`.
    #[serde(rename = "ONAPPUNINSTALL")]
    Uninstall,
}

impl AppEvent {
    /// The event's name as sent in `event`.
    ///
    /// ```
    /// assert_eq!(bizproc_emulator::AppEvent::Update.name(), "ONAPPUPDATE");
    /// ```
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Install => "ONAPPINSTALL",
            Self::Update => "ONAPPUPDATE",
            Self::Uninstall => "ONAPPUNINSTALL",
        }
    }
}

impl fmt::Display for AppEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the app was sent and how it answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppEventOutcome {
    /// The event.
    pub event: AppEvent,
    /// Where it went.
    pub url: String,
    /// The exact form body sent.
    pub body: String,
    /// The app's HTTP status.
    pub status: u16,
    /// The start of the app's answer (up to 4 KiB).
    pub response: String,
    /// The application token the event carried (the new one after an update).
    pub application_token: String,
}

/// Why an app event could not be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppEventError {
    /// No portal has this member id.
    #[error("no portal has member id `{member_id}`")]
    UnknownPortal {
        /// The member id asked for.
        member_id: String,
    },
    /// Update and uninstall need an installed app (see [`Emulator::install_app`]).
    #[error("the app is not installed on portal `{member_id}`")]
    NotInstalled {
        /// The portal.
        member_id: String,
    },
    /// The app's event URL could not be reached. What the event does to the portal (install,
    /// wiped robots, new application token, uninstall) has happened all the same.
    #[error("{event} could not be delivered to {url}: {error}")]
    Delivery {
        /// The event.
        event: AppEvent,
        /// Where it was going.
        url: String,
        /// What went wrong.
        error: String,
    },
}

fn text<T: ToString + ?Sized>(value: &T) -> Value {
    Value::String(value.to_string())
}

/// The full `auth` block of install and update, in the order of the docs' fixture.
fn full_auth(state: &mut State, member_id: &str) -> Map<String, Value> {
    let lifetime = state.settings.token_lifetime;
    let (client_endpoint, server_endpoint) = (state.client_endpoint(), state.server_endpoint());
    let portal = state.portals.get_mut(member_id).expect("the caller checked the portal");
    let (access_token, refresh_token) = portal.issue_tokens(portal.config.admin_user_id, lifetime);
    let mut auth = Map::new();
    auth.insert("domain".into(), text(&portal.config.domain));
    auth.insert("scope".into(), text(SCOPE));
    auth.insert("access_token".into(), text(&access_token));
    auth.insert("refresh_token".into(), text(&refresh_token));
    auth.insert("expires_in".into(), text(&lifetime.as_secs()));
    auth.insert("server_endpoint".into(), text(&server_endpoint));
    auth.insert("status".into(), text(&portal.config.app_status));
    auth.insert("client_endpoint".into(), text(&client_endpoint));
    auth.insert("member_id".into(), text(&member_id));
    auth.insert("application_token".into(), text(&portal.application_token));
    auth
}

/// `event`, `data`, `ts`, `auth`, form-encoded.
fn payload(event: AppEvent, data: Map<String, Value>, auth: Map<String, Value>) -> String {
    let mut body = Map::new();
    body.insert("event".into(), text(&event.name()));
    body.insert("data".into(), Value::Object(data));
    body.insert("ts".into(), text(&unix_now()));
    body.insert("auth".into(), Value::Object(auth));
    bizproc::form::encode(&Value::Object(body))
}

fn portal<'a>(state: &'a mut State, member_id: &str) -> Result<&'a mut Portal, AppEventError> {
    state.portals.get_mut(member_id).ok_or_else(|| AppEventError::UnknownPortal { member_id: member_id.to_owned() })
}

/// The installed app's event URL.
fn event_url(portal: &Portal, member_id: &str) -> Result<String, AppEventError> {
    match (&portal.event_url, portal.installed) {
        (Some(url), true) => Ok(url.clone()),
        _ => Err(AppEventError::NotInstalled { member_id: member_id.to_owned() }),
    }
}

/// What to send, decided under the lock.
struct Prepared {
    event: AppEvent,
    url: String,
    body: String,
    application_token: String,
}

/// POSTs the event; the lock is not held.
async fn deliver(shared: &Shared, prepared: Prepared) -> Result<AppEventOutcome, AppEventError> {
    let Prepared { event, url, body, application_token } = prepared;
    let answer = shared
        .http
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body.clone())
        .send()
        .await;
    match answer {
        Ok(response) => {
            let status = response.status().as_u16();
            let mut response = response.text().await.unwrap_or_default();
            if response.len() > 4096 {
                let mut end = 4096;
                while !response.is_char_boundary(end) {
                    end -= 1;
                }
                response.truncate(end);
            }
            Ok(AppEventOutcome { event, url, body, status, response, application_token })
        }
        Err(error) => Err(AppEventError::Delivery { event, url, error: error.to_string() }),
    }
}

/// Installs the app on the portal: stores `event_url`, marks the app installed and sends
/// `ONAPPINSTALL` with a fresh token pair of the administrator and the current application
/// token. Installing again sends the event again.
pub(crate) async fn install_app(
    shared: &Shared,
    member_id: &str,
    event_url: &str,
) -> Result<AppEventOutcome, AppEventError> {
    let prepared = {
        let mut state = shared.lock();
        let portal = portal(&mut state, member_id)?;
        portal.event_url = Some(event_url.to_owned());
        portal.installed = true;
        let version = portal.app_version;
        let mut data = Map::new();
        data.insert("VERSION".into(), text(&version));
        data.insert("ACTIVE".into(), text("Y"));
        data.insert("INSTALLED".into(), text("Y"));
        data.insert("LANGUAGE_ID".into(), text(LANGUAGE_ID));
        let auth = full_auth(&mut state, member_id);
        let application_token = state.portals[member_id].application_token.clone();
        Prepared {
            event: AppEvent::Install,
            url: event_url.to_owned(),
            body: payload(AppEvent::Install, data, auth),
            application_token,
        }
    };
    deliver(shared, prepared).await
}

/// Updates the app: first deletes all its robots and activities, generates a new application
/// token and bumps the version, then sends `ONAPPUPDATE` with the new token.
pub(crate) async fn update_app(shared: &Shared, member_id: &str) -> Result<AppEventOutcome, AppEventError> {
    let prepared = {
        let mut state = shared.lock();
        let portal = portal(&mut state, member_id)?;
        let url = event_url(portal, member_id)?;
        portal.store.clear();
        portal.application_token = random_hex(16);
        let previous = portal.app_version;
        portal.app_version += 1;
        let mut data = Map::new();
        data.insert("VERSION".into(), text(&portal.app_version));
        data.insert("PREVIOUS_VERSION".into(), text(&previous));
        data.insert("LANGUAGE_ID".into(), text(LANGUAGE_ID));
        let auth = full_auth(&mut state, member_id);
        let application_token = state.portals[member_id].application_token.clone();
        Prepared { event: AppEvent::Update, url, body: payload(AppEvent::Update, data, auth), application_token }
    };
    deliver(shared, prepared).await
}

/// Uninstalls the app: marks it uninstalled, deletes its robots and activities, revokes its
/// tokens (API access ends with the app), then sends `ONAPPUNINSTALL` whose `auth` holds only
/// `domain`, `server_endpoint`, `client_endpoint`, `member_id` and `application_token`.
pub(crate) async fn uninstall_app(
    shared: &Shared,
    member_id: &str,
    clean: bool,
) -> Result<AppEventOutcome, AppEventError> {
    let prepared = {
        let mut state = shared.lock();
        let (client_endpoint, server_endpoint) = (state.client_endpoint(), state.server_endpoint());
        let portal = portal(&mut state, member_id)?;
        let url = event_url(portal, member_id)?;
        portal.installed = false;
        portal.store.clear();
        portal.access_tokens.clear();
        portal.refresh_tokens.clear();
        let mut data = Map::new();
        data.insert("LANGUAGE_ID".into(), text(LANGUAGE_ID));
        data.insert("CLEAN".into(), text(&if clean { "1" } else { "0" }));
        let mut auth = Map::new();
        auth.insert("domain".into(), text(&portal.config.domain));
        auth.insert("server_endpoint".into(), text(&server_endpoint));
        auth.insert("client_endpoint".into(), text(&client_endpoint));
        auth.insert("member_id".into(), text(&member_id));
        auth.insert("application_token".into(), text(&portal.application_token));
        Prepared {
            event: AppEvent::Uninstall,
            url,
            body: payload(AppEvent::Uninstall, data, auth),
            application_token: portal.application_token.clone(),
        }
    };
    deliver(shared, prepared).await
}

impl Emulator {
    /// Installs the app on portal `member_id` and POSTs `ONAPPINSTALL` to `event_url` (spec §8)
    /// with a fresh token pair of the administrator and the portal's application token. Later
    /// update and uninstall events go to the same URL.
    ///
    /// # Errors
    /// An unknown portal, or an event URL that cannot be reached (the app is installed anyway).
    pub async fn install_app(&self, member_id: &str, event_url: &str) -> Result<AppEventOutcome, AppEventError> {
        install_app(&self.shared, member_id, event_url).await
    }

    /// Updates the app as the portal does: deletes all its robots and activities, replaces the
    /// application token, bumps the version, then POSTs `ONAPPUPDATE` with the new token.
    ///
    /// # Errors
    /// An unknown portal, an app that is not installed, or an event URL that cannot be reached
    /// (the update has happened anyway).
    pub async fn update_app(&self, member_id: &str) -> Result<AppEventOutcome, AppEventError> {
        update_app(&self.shared, member_id).await
    }

    /// Uninstalls the app: deletes its robots and activities, revokes every token of the
    /// portal (the credentials from [`credentials`](Self::credentials) stop working until the
    /// app is installed again, which hands out a new pair), then POSTs `ONAPPUNINSTALL` with
    /// `CLEAN` = `1` when `clean` (the user chose to clear the app's data).
    ///
    /// # Errors
    /// An unknown portal, an app that is not installed, or an event URL that cannot be reached
    /// (the app is uninstalled anyway).
    pub async fn uninstall_app(&self, member_id: &str, clean: bool) -> Result<AppEventOutcome, AppEventError> {
        uninstall_app(&self.shared, member_id, clean).await
    }
}
