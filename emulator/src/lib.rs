//! A local Bitrix24 portal for developing and testing business-process robots.
//!
//! The emulator speaks the wire protocol of Bitrix24's REST API for robots and activities:
//! registration with the server's validation rules in the server's order, robot runs that POST
//! the real handler request to the app, `bizproc.event.send` with the server's silent cases,
//! `batch`, OAuth with expiring and rotating tokens, the request-rate and operating-time
//! limits, app events, and injected faults. It records what the real server would hide, so
//! tests can show that nothing was lost.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = bizproc_emulator::Emulator::builder().start().await?;
//! println!("REST base: {}", emulator.credentials().client_endpoint);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod app_events;
mod batch;
mod config;
mod control;
mod convert;
mod emulator;
mod error;
mod events;
mod faults;
mod inspect;
mod keys;
mod limits;
mod log;
mod methods;
mod oauth;
mod registration;
mod rest;
mod runs;
mod server;
mod state;

pub use app_events::{AppEvent, AppEventError, AppEventOutcome};
pub use config::{OperatingLimit, PortalConfig, RateLimit};
pub use emulator::{Credentials, Emulator, EmulatorBuilder, StartError};
pub use error::ApiError;
pub use faults::{Fault, RandomFaults};
pub use log::{AuthKind, LogEntry};
pub use registration::{Kind, StoredRegistration};
pub use runs::{
    DEFAULT_LOG_MESSAGE, Document, IgnoreReason, IgnoredCall, MAX_TIMEOUT_DURATION, RunError, RunId, RunOptions,
    RunRecord, RunState, ValueMisfit,
};
