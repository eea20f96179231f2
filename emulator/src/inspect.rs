//! Looking into and adjusting a running emulator from Rust: the request log and the limits.

use crate::config::RateLimit;
use crate::emulator::Emulator;
use crate::log::LogEntry;

impl Emulator {
    /// Every REST call answered so far, oldest first: HTTP requests and, marked
    /// [`in_batch`](LogEntry::in_batch), the commands inside `batch` calls (each batch's
    /// commands come before the batch's own entry).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = bizproc_emulator::Emulator::builder().start().await?;
    /// assert!(emulator.requests().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn requests(&self) -> Vec<LogEntry> {
        self.shared.lock().log.clone()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.shared.lock().log.clear();
    }

    /// Changes the request-rate limit of the portal with this member id, keeping what its
    /// bucket holds; answers whether there is such a portal.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use bizproc_emulator::{Emulator, RateLimit};
    ///
    /// let emulator = Emulator::builder().start().await?;
    /// let member_id = emulator.credentials().member_id;
    /// assert!(emulator.set_rate_limit(&member_id, RateLimit::new(2.0, 5.0)));
    /// assert!(!emulator.set_rate_limit("no such portal", RateLimit::UNLIMITED));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use = "false means there is no such portal"]
    pub fn set_rate_limit(&self, member_id: &str, limit: RateLimit) -> bool {
        match self.shared.lock().portals.get_mut(member_id) {
            Some(portal) => {
                portal.bucket.set_limit(limit);
                true
            }
            None => false,
        }
    }
}
