//! The app side: typed robot calls, verified as coming from Bitrix24, and the app lifecycle.
//!
//! Bitrix24 POSTs a form to a robot's handler when a workflow runs it. [`Invocation`] reads
//! that request into typed fields and the robot's input type; [`verify`] checks its
//! `application_token` against the one stored for the portal; [`Lifecycle`] keeps portal
//! records in step with install, update and uninstall events, in a [`PortalStore`]
//! ([`SqlitePortalStore`] by default).

mod error;
mod fields;
mod invocation;
#[cfg(feature = "client")]
mod lifecycle;
mod portal;
#[cfg(feature = "sqlite")]
mod sqlite;
mod verify;

pub use error::{InvocationError, VerifyError};
pub use invocation::{Invocation, InvocationAuth, Run};
#[cfg(feature = "client")]
pub use lifecycle::{AppEvent, AppEventKind, Lifecycle, LifecycleError, LifecycleOutcome};
#[cfg(feature = "client")]
pub use portal::PortalTokenStore;
pub use portal::{MemoryPortalStore, PortalRecord, PortalStore};
#[cfg(feature = "sqlite")]
pub use sqlite::SqlitePortalStore;
pub use verify::verify;

use crate::form::FormLimits;

/// Bounds on a request before it is read.
///
/// ```
/// let limits = bizproc::handler::RequestLimits::default();
/// assert_eq!(limits.max_body, 1024 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// The largest body read (1 MiB unless set).
    pub max_body: usize,
    /// Bounds on the form's fields.
    pub form: FormLimits,
}

impl Default for RequestLimits {
    fn default() -> Self {
        Self { max_body: 1024 * 1024, form: FormLimits::default() }
    }
}
