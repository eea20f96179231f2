//! The request-rate bucket and the execution-time limit (spec §7.5).

use std::collections::HashMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::config::{OperatingLimit, RateLimit};

/// A leaky bucket per portal.
pub(crate) struct Bucket {
    limit: RateLimit,
    level: f64,
    updated: Instant,
}

impl Bucket {
    pub fn new(limit: RateLimit, now: Instant) -> Self {
        Self { limit, level: 0.0, updated: now }
    }

    /// Counts a request, or refuses it without counting it: a refused request did not run.
    pub fn try_acquire(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.level = (self.level - elapsed * self.limit.drain_per_second).max(0.0);
        self.updated = now;
        if self.level + 1.0 > self.limit.burst {
            return false;
        }
        self.level += 1.0;
        true
    }

    pub fn set_limit(&mut self, limit: RateLimit) {
        self.limit = limit;
    }
}

/// Seconds of execution per method, in one-minute buckets that stop counting ten minutes
/// after their first call.
#[derive(Default)]
pub(crate) struct Operating {
    /// Per method: (bucket start as Unix seconds, seconds counted).
    buckets: HashMap<String, Vec<(u64, f64)>>,
}

/// What `time` reports for a counted method.
pub(crate) struct OperatingReport {
    pub operating: f64,
    pub reset_at: u64,
}

const WINDOW: u64 = 600;

pub(crate) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Operating {
    /// Refuses the call when the method is over the limit; otherwise counts it.
    pub fn charge(&mut self, method: &str, limit: OperatingLimit, now: u64) -> Result<OperatingReport, u64> {
        let buckets = self.buckets.entry(method.to_owned()).or_default();
        buckets.retain(|(start, _)| start + WINDOW > now);
        let used: f64 = buckets.iter().map(|(_, seconds)| seconds).sum();
        let reset_at = buckets.first().map_or(now + WINDOW, |(start, _)| start + WINDOW);
        if used > limit.limit.as_secs_f64() {
            return Err(reset_at);
        }
        let cost = limit.cost_per_call.as_secs_f64();
        match buckets.last_mut() {
            Some((start, seconds)) if *start + 60 > now => *seconds += cost,
            _ => buckets.push((now, cost)),
        }
        let reset_at = buckets.first().map_or(now + WINDOW, |(start, _)| start + WINDOW);
        Ok(OperatingReport { operating: used + cost, reset_at })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn bucket_lets_a_burst_through_then_refuses() {
        let start = Instant::now();
        let mut bucket = Bucket::new(RateLimit::new(2.0, 5.0), start);
        let passed = (0..10).filter(|_| bucket.try_acquire(start)).count();
        assert_eq!(passed, 5);
        // One second drains two requests.
        let later = start + Duration::from_secs(1);
        assert_eq!((0..10).filter(|_| bucket.try_acquire(later)).count(), 2);
    }

    #[test]
    fn operating_time_refuses_once_over_the_limit_until_buckets_expire() {
        let limit = OperatingLimit::new(Duration::from_secs(20), Duration::from_secs(10));
        let mut operating = Operating::default();
        let now = 1_000_000;
        assert!(operating.charge("m", limit, now).is_ok());
        assert!(operating.charge("m", limit, now).is_ok());
        assert!(operating.charge("m", limit, now).is_ok(), "20 s used is not over 20 s");
        assert_eq!(operating.charge("m", limit, now).err(), Some(now + WINDOW));
        assert!(operating.charge("other", limit, now).is_ok(), "limits are per method");
        assert!(operating.charge("m", limit, now + WINDOW).is_ok());
    }
}
