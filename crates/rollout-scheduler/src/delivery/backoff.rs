//! When to try a failed delivery again: capped exponential backoff with equal jitter, and the
//! [`RetryPolicy`] that turns an attempt's [`Outcome`] into the next step.
//!
//! Pure functions: the caller draws the jitter (a number in `0..=1`) and reads the clock, so tests
//! pin both. Equal jitter rather than full jitter: full jitter may draw a delay near zero, which
//! hammers a receiver that has just failed; equal jitter keeps at least half the backoff while
//! still spreading many reminders that failed together (one receiver down at 9:00) apart.

use std::time::Duration;

use super::Outcome;

/// The delay before the attempt after attempt number `attempt` (1-based: pass 1 after the first
/// attempt failed). The un-jittered backoff is `base * 2^(attempt-1)`, capped at `max`; the
/// result is half of that plus `jitter` times the other half, so it lies in `[cap/2, cap]`.
/// A `jitter` outside `0..=1` is clamped, and a non-finite one counts as 0.
pub fn next_attempt_delay(attempt: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    // 2^31 times any base of a second or more is far past any sensible `max`; capping the
    // exponent keeps the shift defined and `saturating_mul` keeps the product finite.
    let exponent = attempt.saturating_sub(1).min(31);
    let capped = base.saturating_mul(1u32 << exponent).min(max);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let half = capped / 2;
    half + (capped - half).mul_f64(jitter)
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// The message was delivered; nothing more to do.
    Done,
    /// Try again after this long.
    RetryIn(Duration),
    /// Give up: the failure is permanent or the attempts are used up.
    Dead,
}

/// How many times, and how far apart, a delivery is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; after this many failures the message is dead.
    pub max_attempts: u32,
    /// The backoff after the first failure (before jitter).
    pub base: Duration,
    /// The longest backoff (before jitter).
    pub max: Duration,
}

impl Default for RetryPolicy {
    /// Eight attempts from 30 s doubling to an hour: 30 s, 1, 2, 4, 8, 16, 32 min (halved by
    /// jitter at worst), so a receiver that is down for an hour or so still gets the reminder.
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base: Duration::from_secs(30),
            max: Duration::from_secs(3600),
        }
    }
}

impl RetryPolicy {
    /// The next step after attempt number `attempt` (1-based) ended in `outcome`.
    ///
    /// A `Retry-After` is honoured as a floor: the delay is the larger of the jittered backoff and
    /// what the receiver asked for, so a receiver's short hint never makes us retry sooner than
    /// the backoff, and a long one is respected (the channels cap it at an hour).
    pub fn decide(&self, attempt: u32, outcome: &Outcome, jitter: f64) -> Next {
        match outcome {
            Outcome::Delivered => Next::Done,
            Outcome::Dead { .. } => Next::Dead,
            Outcome::Retry { .. } if attempt >= self.max_attempts => Next::Dead,
            Outcome::Retry { after, .. } => {
                let backoff = next_attempt_delay(attempt, self.base, self.max, jitter);
                Next::RetryIn(after.map_or(backoff, |after| after.max(backoff)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn backoff_doubles_from_base_and_stops_at_max() {
        // jitter 1.0 gives the un-jittered cap itself.
        let cases = [
            (1, 30),
            (2, 60),
            (3, 120),
            (4, 240),
            (7, 1920),
            (8, 3600),
            (9, 3600),
            (40, 3600),
        ];
        for (attempt, want) in cases {
            assert_eq!(
                next_attempt_delay(attempt, S(30), S(3600), 1.0),
                S(want),
                "attempt {attempt}"
            );
        }
    }

    #[test]
    fn equal_jitter_keeps_at_least_half_the_backoff() {
        assert_eq!(next_attempt_delay(3, S(30), S(3600), 0.0), S(60));
        assert_eq!(next_attempt_delay(3, S(30), S(3600), 0.5), S(90));
        assert_eq!(next_attempt_delay(3, S(30), S(3600), 1.0), S(120));
    }

    #[test]
    fn jitter_out_of_range_is_clamped_and_nan_counts_as_zero() {
        assert_eq!(next_attempt_delay(1, S(30), S(3600), -3.0), S(15));
        assert_eq!(next_attempt_delay(1, S(30), S(3600), 7.0), S(30));
        assert_eq!(next_attempt_delay(1, S(30), S(3600), f64::NAN), S(15));
        assert_eq!(next_attempt_delay(1, S(30), S(3600), f64::INFINITY), S(15));
    }

    #[test]
    fn attempt_zero_is_treated_as_the_first() {
        assert_eq!(next_attempt_delay(0, S(30), S(3600), 1.0), S(30));
    }

    #[test]
    fn huge_attempts_do_not_overflow() {
        assert_eq!(
            next_attempt_delay(u32::MAX, Duration::MAX / 2, Duration::MAX, 1.0),
            Duration::MAX
        );
    }

    fn retry(after: Option<u64>) -> Outcome {
        Outcome::Retry {
            after: after.map(S),
            error: "HTTP 503".into(),
        }
    }

    #[test]
    fn delivered_is_done_and_dead_stays_dead() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.decide(1, &Outcome::Delivered, 0.5), Next::Done);
        assert_eq!(
            policy.decide(
                1,
                &Outcome::Dead {
                    error: "HTTP 410".into()
                },
                0.5
            ),
            Next::Dead
        );
    }

    #[test]
    fn retry_waits_the_jittered_backoff() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.decide(1, &retry(None), 0.0), Next::RetryIn(S(15)));
        assert_eq!(policy.decide(2, &retry(None), 1.0), Next::RetryIn(S(60)));
    }

    #[test]
    fn retry_after_is_a_floor_not_a_ceiling() {
        let policy = RetryPolicy::default();
        // Longer than the backoff: the receiver's wish wins.
        assert_eq!(
            policy.decide(1, &retry(Some(600)), 1.0),
            Next::RetryIn(S(600))
        );
        // Shorter than the backoff: the backoff wins.
        assert_eq!(
            policy.decide(3, &retry(Some(7)), 1.0),
            Next::RetryIn(S(120))
        );
    }

    #[test]
    fn the_last_attempt_failing_is_dead() {
        let policy = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.decide(2, &retry(None), 1.0), Next::RetryIn(S(60)));
        assert_eq!(policy.decide(3, &retry(None), 1.0), Next::Dead);
        assert_eq!(policy.decide(4, &retry(Some(5)), 1.0), Next::Dead);
    }

    #[test]
    fn default_policy_is_eight_attempts_from_thirty_seconds_to_an_hour() {
        assert_eq!(
            RetryPolicy::default(),
            RetryPolicy {
                max_attempts: 8,
                base: S(30),
                max: S(3600)
            }
        );
    }
}
