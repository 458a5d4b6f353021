//! The failed-authentication budget: [`Guarded`] wraps the [`RequestAuthenticator`] (for HTTP
//! requests and WebSocket `connection_init` alike) so that credentials nobody has shown to be
//! valid cannot be tried faster than [`AuthFailureLimit`] allows, per client address and for
//! everyone together. Over budget the answer is 429 `RATE_LIMITED` with `Retry-After`, given
//! before the authenticator runs, so a flood of forged tokens costs no database work and leaves
//! no audit rows.
//!
//! - An attempt with credentials not known good spends one unit of the global budget and one of
//!   its address's (the global one first, so refused addresses create no entries; a unit taken
//!   from the global budget by a request its address then refuses is given back, so one address
//!   cannot drain it). Only a refusal (401) keeps the units spent: an accepted credential, or a
//!   check that could not run, gives them back.
//! - Credentials accepted in the last [`KNOWN_FOR`] are "known good" (by SHA-256 of the
//!   `Authorization` value, never the value) and skip the budget entirely: their users keep
//!   working from an address under attack and during a global flood. A known credential that is
//!   then refused (revoked, expired) is forgotten at once.
//! - A valid credential never seen before shares its address's budget and the global one: during
//!   a flood from many addresses it may get 429 until the budget refills.
//!
//! Deliberately not here: the per-request rate limit (`rate_limit`), and what is recorded about
//! refusals (the authenticator's business, which aggregates them).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use sha2::{Digest, Sha256};

use super::auth::{AuthData, AuthRejection, RequestAuthenticator, RequestMeta};
use super::rate_limit::retry_after_secs;
use super::settings::AuthFailureLimit;

/// How long an accepted credential skips the budget.
pub const KNOWN_FOR: Duration = Duration::from_secs(15 * 60);

/// Known-good credentials remembered at most; beyond, new ones are simply not remembered.
const KNOWN_MAX: usize = 10_000;

/// How often full buckets and expired credentials are swept from the maps.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

/// A budget of `capacity` attempts, refilled evenly over a minute.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(capacity: f64, now: Instant) -> Self {
        Self {
            tokens: capacity,
            at: now,
        }
    }

    fn refill(&mut self, capacity: f64, now: Instant) {
        let per_second = capacity / 60.0;
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * per_second).min(capacity);
        self.at = now;
    }

    /// Spends one unit, or says how long until one is there.
    fn take(&mut self, capacity: f64, now: Instant) -> Result<(), Duration> {
        self.refill(capacity, now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - self.tokens) * 60.0 / capacity,
            ))
        }
    }

    fn give_back(&mut self, capacity: f64) {
        self.tokens = (self.tokens + 1.0).min(capacity);
    }
}

#[derive(Debug)]
struct State {
    global: Bucket,
    /// `None`: requests without a known peer (only tests that call the router directly).
    clients: HashMap<Option<IpAddr>, Bucket>,
    known: HashMap<[u8; 32], Instant>,
    last_sweep: Instant,
}

/// What [`Budget::admit`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Admission {
    Known,
    Spent,
    Refused(Duration),
}

/// The budgets and the known-good credentials.
#[derive(Debug)]
struct Budget {
    per_client: f64,
    global: f64,
    state: Mutex<State>,
}

impl Budget {
    fn new(limit: AuthFailureLimit, now: Instant) -> Self {
        let (per_client, global) = (
            f64::from(limit.per_client.get()),
            f64::from(limit.global.get()),
        );
        Self {
            per_client,
            global,
            state: Mutex::new(State {
                global: Bucket::full(global, now),
                clients: HashMap::new(),
                known: HashMap::new(),
                last_sweep: now,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn admit(
        &self,
        credential: Option<&[u8; 32]>,
        client: Option<IpAddr>,
        now: Instant,
    ) -> Admission {
        let mut state = self.state();
        self.sweep_if_due(&mut state, now);
        if credential
            .and_then(|c| state.known.get(c))
            .is_some_and(|since| now.saturating_duration_since(*since) < KNOWN_FOR)
        {
            return Admission::Known;
        }
        if let Err(wait) = state.global.take(self.global, now) {
            return Admission::Refused(wait);
        }
        let per_client = self.per_client;
        let bucket = state
            .clients
            .entry(client)
            .or_insert_with(|| Bucket::full(per_client, now));
        match bucket.take(per_client, now) {
            Ok(()) => Admission::Spent,
            Err(wait) => {
                state.global.give_back(self.global);
                Admission::Refused(wait)
            }
        }
    }

    /// After the authenticator answered: `refused` is a 401.
    fn settle(
        &self,
        credential: Option<[u8; 32]>,
        client: Option<IpAddr>,
        spent: bool,
        outcome: Result<(), StatusCode>,
        now: Instant,
    ) {
        let mut state = self.state();
        let refused = outcome == Err(StatusCode::UNAUTHORIZED);
        if spent && !refused {
            state.global.give_back(self.global);
            if let Some(bucket) = state.clients.get_mut(&client) {
                bucket.give_back(self.per_client);
            }
        }
        let Some(credential) = credential else {
            return;
        };
        if refused {
            state.known.remove(&credential);
        } else if outcome.is_ok()
            && (state.known.len() < KNOWN_MAX || state.known.contains_key(&credential))
        {
            state.known.insert(credential, now);
        }
    }

    fn sweep_if_due(&self, state: &mut State, now: Instant) {
        if now.saturating_duration_since(state.last_sweep) < SWEEP_EVERY {
            return;
        }
        let per_client = self.per_client;
        state.clients.retain(|_, bucket| {
            bucket.refill(per_client, now);
            bucket.tokens < per_client
        });
        state
            .known
            .retain(|_, since| now.saturating_duration_since(*since) < KNOWN_FOR);
        state.last_sweep = now;
    }
}

/// An authenticator behind the failed-authentication budget.
pub struct Guarded {
    inner: Arc<dyn RequestAuthenticator>,
    budget: Budget,
}

impl std::fmt::Debug for Guarded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guarded").finish_non_exhaustive()
    }
}

impl Guarded {
    pub fn new(inner: Arc<dyn RequestAuthenticator>, limit: AuthFailureLimit) -> Self {
        Self {
            inner,
            budget: Budget::new(limit, Instant::now()),
        }
    }
}

#[async_trait]
impl RequestAuthenticator for Guarded {
    async fn authenticate(
        &self,
        headers: &HeaderMap,
        meta: &RequestMeta,
    ) -> Result<AuthData, AuthRejection> {
        let credential: Option<[u8; 32]> = headers
            .get(AUTHORIZATION)
            .map(|value| Sha256::digest(value.as_bytes()).into());
        let client = meta.client_addr.map(|addr| addr.ip());
        let spent = match self
            .budget
            .admit(credential.as_ref(), client, Instant::now())
        {
            Admission::Known => false,
            Admission::Spent => true,
            Admission::Refused(wait) => {
                tracing::debug!(client = ?client, "refused: failed-authentication budget spent");
                return Err(AuthRejection::rate_limited(retry_after_secs(wait).max(1)));
            }
        };
        let outcome = self.inner.authenticate(headers, meta).await;
        let status = outcome.as_ref().map(|_| ()).map_err(|r| r.status);
        self.budget
            .settle(credential, client, spent, status, Instant::now());
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    fn budget(per_client: u32, global: u32) -> (Budget, Instant) {
        let now = Instant::now();
        let limit = AuthFailureLimit {
            per_client: NonZeroU32::new(per_client).unwrap(),
            global: NonZeroU32::new(global).unwrap(),
        };
        (Budget::new(limit, now), now)
    }

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    const FORGED: [u8; 32] = [1; 32];
    const VALID: [u8; 32] = [2; 32];
    const UNAUTHORIZED: Result<(), StatusCode> = Err(StatusCode::UNAUTHORIZED);

    /// Refused attempts from `client` until its budget is gone.
    fn flood(b: &Budget, client: Option<IpAddr>, n: usize, now: Instant) -> usize {
        let mut admitted = 0;
        for _ in 0..n {
            if b.admit(Some(&FORGED), client, now) == Admission::Spent {
                b.settle(Some(FORGED), client, true, UNAUTHORIZED, now);
                admitted += 1;
            }
        }
        admitted
    }

    #[test]
    fn an_address_gets_its_budget_and_then_waits() {
        let (b, now) = budget(3, 100);
        assert_eq!(flood(&b, ip(1), 10, now), 3);
        let Admission::Refused(wait) = b.admit(Some(&FORGED), ip(1), now) else {
            panic!("the fourth attempt was admitted");
        };
        assert!(
            wait > Duration::from_secs(19) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert_eq!(
            flood(&b, ip(2), 1, now),
            1,
            "another address has its own budget"
        );
        assert_eq!(
            flood(&b, ip(1), 1, now + Duration::from_secs(20)),
            1,
            "a third of a minute refills one"
        );
    }

    #[test]
    fn accepted_credentials_give_their_attempt_back_and_then_skip_the_budget() {
        let (b, now) = budget(2, 100);
        // A check that could not run, and a valid credential's first use, cost nothing.
        assert_eq!(b.admit(Some(&VALID), ip(1), now), Admission::Spent);
        b.settle(
            Some(VALID),
            ip(1),
            true,
            Err(StatusCode::SERVICE_UNAVAILABLE),
            now,
        );
        assert!(b.state().known.is_empty());
        assert_eq!(b.admit(Some(&VALID), ip(1), now), Admission::Spent);
        b.settle(Some(VALID), ip(1), true, Ok(()), now);
        assert_eq!(flood(&b, ip(1), 10, now), 2, "the whole budget was left");
        assert_eq!(
            b.admit(Some(&VALID), ip(1), now),
            Admission::Known,
            "works while its address is refused"
        );
        let later = now + KNOWN_FOR;
        assert_eq!(
            b.admit(Some(&VALID), ip(1), later),
            Admission::Spent,
            "known no more"
        );
        b.settle(Some(VALID), ip(1), true, Ok(()), later);
        b.settle(Some(VALID), ip(1), false, UNAUTHORIZED, later);
        assert!(
            b.state().known.is_empty(),
            "a refused credential is forgotten"
        );
    }

    #[test]
    fn the_global_budget_spares_known_credentials_and_is_not_drained_by_one_address() {
        let (b, now) = budget(2, 5);
        assert_eq!(b.admit(Some(&VALID), ip(9), now), Admission::Spent);
        b.settle(Some(VALID), ip(9), true, Ok(()), now);
        assert_eq!(flood(&b, ip(1), 50, now), 2, "one address: its own budget");
        let spread: usize = (2..10).map(|i| flood(&b, ip(i), 1, now)).sum();
        assert_eq!(spread, 3, "the global budget: 5 in all");
        assert!(matches!(
            b.admit(Some(&FORGED), ip(20), now),
            Admission::Refused(_)
        ));
        assert_eq!(b.admit(Some(&VALID), ip(20), now), Admission::Known);
        assert!(
            b.state().clients.len() <= 10,
            "refused addresses make no entries"
        );
    }
}
