//! The client's own leaky bucket, so that a well-behaved client never meets the portal's.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A request-rate limit: the bucket holds `burst` requests and drains `per_second`.
///
/// ```
/// use bizproc::client::RateLimit;
/// assert_eq!(RateLimit::default(), RateLimit::new(2.0, 50.0));
/// assert_eq!(RateLimit::ENTERPRISE.burst, 250.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests drained per second.
    pub per_second: f64,
    /// Requests the bucket holds.
    pub burst: f64,
}

impl RateLimit {
    /// Every plan but Enterprise: 2 per second, 50 at once.
    pub const STANDARD: Self = Self { per_second: 2.0, burst: 50.0 };
    /// Enterprise: 5 per second, 250 at once.
    pub const ENTERPRISE: Self = Self { per_second: 5.0, burst: 250.0 };

    /// A bucket of `burst` draining `per_second`.
    #[must_use]
    pub const fn new(per_second: f64, burst: f64) -> Self {
        Self { per_second, burst }
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::STANDARD
    }
}

pub(crate) struct Limiter {
    limit: RateLimit,
    state: Mutex<(f64, Instant)>,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Self {
        Self { limit, state: Mutex::new((0.0, Instant::now())) }
    }

    /// Waits until one more request fits the bucket, then counts it.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let now = Instant::now();
                let drained = now.saturating_duration_since(state.1).as_secs_f64() * self.limit.per_second;
                state.0 = (state.0 - drained).max(0.0);
                state.1 = now;
                // Keep a little headroom: the portal's clock and ours do not start together.
                let capacity = (self.limit.burst - 1.0).max(1.0);
                if state.0 + 1.0 <= capacity {
                    state.0 += 1.0;
                    return;
                }
                Duration::from_secs_f64((state.0 + 1.0 - capacity) / self.limit.per_second)
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Counts the bucket as full: the portal said so.
    pub fn saturate(&self) {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        state.0 = state.0.max(self.limit.burst - 1.0);
        state.1 = Instant::now();
    }
}
