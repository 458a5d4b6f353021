//! The limit on user reviews per review intake identity: governor's GCRA keyed by user id,
//! running on the app's [`Clock`] rather than a monotonic one, so that a test on a fixed clock
//! decides exactly when the limit refills. A burst of `per_minute` reviews, then one every
//! `60 / per_minute` seconds.
//!
//! Per process: each replica counts on its own (like the HTTP rate limit), so behind N replicas
//! an identity may get up to N times the rate. Only identities allowed to submit reviews reach
//! it (permissions are checked first), so its keys are a handful of service identities.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Reference;
use governor::middleware::NoOpMiddleware;
use governor::{Quota, RateLimiter, state::keyed::DashMapStateStore};
use rollout_domain::UserId;

use crate::Clock;

/// The app's clock as governor's: instants are durations since the Unix epoch (a clock set
/// back saturates at the limiter's start, never panics).
#[derive(Debug, Clone)]
struct AppClock(Arc<dyn Clock>);

impl governor::clock::Clock for AppClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        (self.0.now() - chrono::DateTime::UNIX_EPOCH)
            .to_std()
            .unwrap_or_default()
    }
}

pub(crate) struct ReviewLimiter {
    limiter: RateLimiter<UserId, DashMapStateStore<UserId>, AppClock, NoOpMiddleware<Duration>>,
    clock: AppClock,
    per_minute: NonZeroU32,
}

impl std::fmt::Debug for ReviewLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReviewLimiter")
            .field("per_minute", &self.per_minute)
            .finish_non_exhaustive()
    }
}

impl ReviewLimiter {
    /// `per_minute` below 1 is taken as 1.
    pub(crate) fn new(per_minute: u32, clock: Arc<dyn Clock>) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        let clock = AppClock(clock);
        Self {
            limiter: RateLimiter::dashmap_with_clock(Quota::per_minute(per_minute), clock.clone()),
            clock,
            per_minute,
        }
    }

    /// Takes one review from `who`'s budget, or says in how many seconds (at least 1) one is
    /// there again.
    pub(crate) fn take(&self, who: UserId) -> Result<(), u64> {
        self.limiter.check_key(&who).map_err(|not_until| {
            let now = governor::clock::Clock::now(&self.clock);
            let wait = not_until.earliest_possible().duration_since(now);
            Duration::from(wait).as_secs().max(1)
        })
    }

    pub(crate) fn per_minute(&self) -> u32 {
        self.per_minute.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixedClock;

    #[test]
    fn a_burst_then_one_per_interval_on_the_apps_clock() {
        let start = "2026-01-05T09:00:00+09:00".parse().unwrap();
        let clock = Arc::new(FixedClock::new(start));
        let limiter = ReviewLimiter::new(3, clock.clone());
        let (a, b) = (
            UserId(uuid::Uuid::from_u128(1)),
            UserId(uuid::Uuid::from_u128(2)),
        );
        for _ in 0..3 {
            assert_eq!(limiter.take(a), Ok(()));
        }
        assert_eq!(limiter.take(a), Err(20), "one more in 20 s");
        assert_eq!(limiter.take(b), Ok(()), "each identity has its own budget");
        clock.set(start + chrono::Duration::seconds(19));
        assert_eq!(limiter.take(a), Err(1));
        clock.set(start + chrono::Duration::seconds(20));
        assert_eq!(limiter.take(a), Ok(()));
        assert!(limiter.take(a).is_err());
        clock.set(start + chrono::Duration::minutes(5));
        for _ in 0..3 {
            assert_eq!(limiter.take(a), Ok(()), "refilled to the burst, not beyond");
        }
        assert!(limiter.take(a).is_err());
        assert_eq!(ReviewLimiter::new(0, clock).per_minute(), 1);
    }
}
