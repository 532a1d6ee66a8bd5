//! Delivery retry schedule: exponential with full jitter, capped, honouring Retry-After.
//! The ceiling schedule is an iterator so tests can assert exact delays.

use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// When to retry a failed delivery, and when to give up.
///
/// ```
/// use invoice_core::RetryPolicy;
/// use std::time::Duration;
/// let p = RetryPolicy { max_attempts: 5, first_backoff: Duration::from_secs(5), max_backoff: Duration::from_secs(30) };
/// let ceilings: Vec<u64> = p.ceilings().map(|d| d.as_secs()).collect();
/// assert_eq!(ceilings, [5, 10, 20, 30]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Attempts before dead-lettering (the first attempt counts).
    pub max_attempts: u32,
    /// Ceiling of the first retry delay.
    pub first_backoff: Duration,
    /// Cap of every delay, Retry-After included.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 12 attempts, 5 s first backoff, 6 h cap (the design's defaults).
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 12,
            first_backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(6 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The delay ceiling after failed attempt `attempt` (1-based):
    /// `min(max_backoff, first_backoff * 2^(attempt-1))`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.first_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    /// The ceilings of every retry this policy allows, in order.
    pub fn ceilings(&self) -> impl Iterator<Item = Duration> + '_ {
        (1..self.max_attempts).map(|a| self.ceiling(a))
    }

    /// True when `attempts` made so far exhaust the policy.
    pub fn exhausted(&self, attempts: u32) -> bool {
        attempts >= self.max_attempts
    }

    /// The delay before the next attempt after failed attempt `attempt`: uniform in
    /// `[0, ceiling]` (full jitter), but never less than the portal's Retry-After (capped at
    /// `max_backoff`).
    pub fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        rng: &mut impl Rng,
    ) -> Duration {
        let ceiling = self.ceiling(attempt);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        let jittered = Duration::from_millis(rng.gen_range(0..=millis));
        match retry_after {
            Some(ra) => jittered.max(ra.min(self.max_backoff)),
            None => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn jitter_stays_within_ceiling_and_honours_retry_after() {
        let p = RetryPolicy::default();
        let mut rng = StdRng::seed_from_u64(7);
        for attempt in 1..40 {
            let d = p.delay(attempt, None, &mut rng);
            assert!(d <= p.ceiling(attempt));
            let d = p.delay(attempt, Some(Duration::from_secs(120)), &mut rng);
            assert!(d >= Duration::from_secs(120));
        }
        let huge = p.delay(1, Some(Duration::from_secs(10 * 86400)), &mut rng);
        assert_eq!(huge, p.max_backoff);
    }

    #[test]
    fn ceiling_never_overflows() {
        let p = RetryPolicy {
            max_attempts: u32::MAX,
            first_backoff: Duration::from_secs(u64::MAX / 2),
            max_backoff: Duration::from_secs(60),
        };
        assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(60));
    }
}
