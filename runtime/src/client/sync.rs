//! Registration sync: make the portal's robots and activities exactly the declared ones.

use std::collections::HashSet;

use super::{Client, Error, ErrorCode};
use crate::Registration;

/// How [`Client::sync`] treats what the portal has.
///
/// ```
/// let options = bizproc::client::SyncOptions { delete_undeclared: true };
/// assert!(!bizproc::client::SyncOptions::default().delete_undeclared);
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncOptions {
    /// Delete the app's codes (of the kinds synced) that are not declared.
    pub delete_undeclared: bool,
}

/// What a sync did, by code.
///
/// ```
/// let report = bizproc::client::SyncReport::default();
/// assert!(report.is_noop());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Registered anew.
    pub added: Vec<String>,
    /// Sent again with every field.
    pub updated: Vec<String>,
    /// Already as declared: this client registered the same thing and the portal still has it.
    pub unchanged: Vec<String>,
    /// Deleted as undeclared.
    pub deleted: Vec<String>,
}

impl SyncReport {
    /// Whether the sync changed nothing on the portal.
    #[must_use]
    pub fn is_noop(&self) -> bool {
        self.added.is_empty() && self.updated.is_empty() && self.deleted.is_empty()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Robot,
    Activity,
}

impl Client {
    /// Makes the portal's robots the declared ones; activities are left alone.
    ///
    /// # Errors
    /// As [`sync`](Self::sync).
    pub async fn sync_robots(&self, robots: &[Registration]) -> Result<SyncReport, Error> {
        self.sync_kinds(Some(robots), None, SyncOptions::default()).await
    }

    /// Makes the portal's activities the declared ones; robots are left alone.
    ///
    /// # Errors
    /// As [`sync`](Self::sync).
    pub async fn sync_activities(&self, activities: &[Registration]) -> Result<SyncReport, Error> {
        self.sync_kinds(None, Some(activities), SyncOptions::default()).await
    }

    /// Registers what is missing, updates what exists with every field, and with
    /// `delete_undeclared` deletes the rest. Every registration is validated, and codes
    /// checked against the one namespace robots and activities share, before the first call.
    /// A code that appears between the list and the add (`ERROR_ACTIVITY_ALREADY_INSTALLED`)
    /// is updated instead. Syncing the same declarations twice changes nothing the second
    /// time.
    ///
    /// # Errors
    /// [`Error::Registration`] or [`Error::CodeConflict`] before any change; the portal's
    /// error otherwise.
    pub async fn sync(
        &self,
        robots: &[Registration],
        activities: &[Registration],
        options: SyncOptions,
    ) -> Result<SyncReport, Error> {
        self.sync_kinds(Some(robots), Some(activities), options).await
    }

    async fn sync_kinds(
        &self,
        robots: Option<&[Registration]>,
        activities: Option<&[Registration]>,
        options: SyncOptions,
    ) -> Result<SyncReport, Error> {
        let declared: Vec<(Kind, &Registration)> = robots
            .unwrap_or_default()
            .iter()
            .map(|r| (Kind::Robot, r))
            .chain(activities.unwrap_or_default().iter().map(|r| (Kind::Activity, r)))
            .collect();
        let mut codes = HashSet::new();
        for (_, registration) in &declared {
            registration.validate()?;
            if !codes.insert(registration.code()) {
                return Err(Error::CodeConflict { code: registration.code().to_owned() });
            }
        }
        let listed_robots = self.robot_list().await?;
        let listed_activities = self.activity_list().await?;
        for (kind, registration) in &declared {
            let other = if *kind == Kind::Robot { &listed_activities } else { &listed_robots };
            let other_synced = if *kind == Kind::Robot { activities.is_some() } else { robots.is_some() };
            // The other kind holds this code and is not being synced away: refuse locally.
            if other.iter().any(|c| c == registration.code()) && !(other_synced && options.delete_undeclared) {
                return Err(Error::CodeConflict { code: registration.code().to_owned() });
            }
        }

        let mut report = SyncReport::default();
        if options.delete_undeclared {
            for (kind, listed, synced) in [
                (Kind::Robot, &listed_robots, robots.is_some()),
                (Kind::Activity, &listed_activities, activities.is_some()),
            ] {
                for code in listed.iter().filter(|code| synced && !codes.contains(code.as_str())) {
                    self.delete(kind, code).await?;
                    self.forget(kind, code);
                    report.deleted.push(code.clone());
                }
            }
        }
        for (kind, registration) in declared {
            let listed = if kind == Kind::Robot { &listed_robots } else { &listed_activities };
            let code = registration.code().to_owned();
            let payload = registration.update_payload();
            if listed.contains(&code) {
                if self.remembered(kind, &code).as_ref() == Some(&payload) {
                    report.unchanged.push(code);
                    continue;
                }
                self.update(kind, registration).await?;
                report.updated.push(code.clone());
            } else {
                match self.add(kind, registration).await {
                    Ok(()) => report.added.push(code.clone()),
                    Err(e) if e.code() == Some(&ErrorCode::ActivityAlreadyInstalled) => {
                        self.update(kind, registration).await?;
                        report.updated.push(code.clone());
                    }
                    Err(e) => return Err(e),
                }
            }
            self.remember(kind, &code, payload);
        }
        Ok(report)
    }

    async fn add(&self, kind: Kind, registration: &Registration) -> Result<(), Error> {
        match kind {
            Kind::Robot => self.robot_add(registration).await,
            Kind::Activity => self.activity_add(registration).await,
        }
    }

    async fn update(&self, kind: Kind, registration: &Registration) -> Result<(), Error> {
        match kind {
            Kind::Robot => self.robot_update(registration).await,
            Kind::Activity => self.activity_update(registration).await,
        }
    }

    async fn delete(&self, kind: Kind, code: &str) -> Result<(), Error> {
        match kind {
            Kind::Robot => self.robot_delete(code).await,
            Kind::Activity => self.activity_delete(code).await,
        }
    }

    fn remembered(&self, kind: Kind, code: &str) -> Option<serde_json::Value> {
        let synced = self.inner.synced.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        synced.get(&(kind == Kind::Activity, code.to_owned())).cloned()
    }

    fn remember(&self, kind: Kind, code: &str, payload: serde_json::Value) {
        let mut synced = self.inner.synced.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        synced.insert((kind == Kind::Activity, code.to_owned()), payload);
    }

    fn forget(&self, kind: Kind, code: &str) {
        let mut synced = self.inner.synced.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        synced.remove(&(kind == Kind::Activity, code.to_owned()));
    }
}
