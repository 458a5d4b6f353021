//! Per-client rate limiting of the GraphQL routes: a GCRA token bucket (`governor`) per bearer
//! credential, or per client IP address for requests without one. Over the limit the answer is
//! 429 with `Retry-After` in whole seconds. Probes (`/healthz`, `/readyz`) are not behind it.
//!
//! It runs before authentication, so it keys on the `Authorization` header as sent: the SHA-256
//! of its value, never the value, is what the key map holds. Keying a forged token only buys
//! its sender a bucket of their own, which the sweep drops as soon as it is full again; what
//! stops a stream of forged tokens is the failed-authentication budget (`auth_limit`), which
//! keys on the client address.
//!
//! The key map is swept (`retain_recent`) at most every [`SWEEP_EVERY`], from the request path
//! rather than a background task, so the limiter needs no runtime or shutdown of its own.
//! Behind a reverse proxy every credential-less request shares the proxy's address; the proxy
//! should then limit by client itself (X-Forwarded-For is deliberately not trusted here).

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use sha2::{Digest, Sha256};

use super::settings::RateLimit;

/// How often the key map is swept of clients whose bucket is full again.
pub const SWEEP_EVERY: Duration = Duration::from_secs(10);

/// Whom a bucket belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// SHA-256 of the `Authorization` header value.
    Credential([u8; 32]),
    Address(IpAddr),
    /// Neither (only in tests that call the router without a socket).
    Unknown,
}

impl ClientKey {
    pub fn of(request: &Request) -> Self {
        if let Some(value) = request.headers().get(AUTHORIZATION) {
            return Self::Credential(Sha256::digest(value.as_bytes()).into());
        }
        match request.extensions().get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(addr)) => Self::Address(addr.ip()),
            None => Self::Unknown,
        }
    }
}

/// The shared limiter.
#[derive(Debug)]
pub struct RateLimiter {
    limiter: DefaultKeyedRateLimiter<ClientKey>,
    last_sweep: Mutex<Instant>,
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> Self {
        let period = limit.replenish_interval.max(Duration::from_nanos(1));
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(limit.burst))
            .allow_burst(limit.burst);
        Self {
            limiter: DefaultKeyedRateLimiter::dashmap(quota),
            last_sweep: Mutex::new(Instant::now()),
        }
    }

    /// `Ok` to proceed, or how long until the client may try again.
    pub fn check(&self, key: &ClientKey) -> Result<(), Duration> {
        let outcome = self
            .limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()));
        self.sweep_if_due();
        outcome
    }

    fn sweep_if_due(&self) {
        // Whoever holds the lock sweeps; everyone else goes on without waiting.
        let Ok(mut last) = self.last_sweep.try_lock() else {
            return;
        };
        if last.elapsed() >= SWEEP_EVERY {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
            *last = Instant::now();
        }
    }
}

/// Whole seconds to wait, at least 1 (a `Retry-After` of 0 invites an immediate retry storm).
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// The middleware: refuses over-limit requests before they reach the handler.
pub async fn limit(
    State(limiter): State<Arc<RateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    match limiter.check(&ClientKey::of(&request)) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many_requests(retry_after_secs(wait).max(1)),
    }
}

fn too_many_requests(seconds: u64) -> Response {
    rollout_graphql::error_codes::count(
        rollout_graphql::error_codes::ErrorKind::Refused,
        "RATE_LIMITED",
    );
    let body = serde_json::json!({ "errors": [{
        "message": format!("too many requests: retry after {seconds} s"),
        "extensions": { "code": "RATE_LIMITED", "retryAfter": seconds },
    }] });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    let headers = response.headers_mut();
    headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    fn limiter(burst: u32) -> RateLimiter {
        RateLimiter::new(RateLimit {
            replenish_interval: Duration::from_secs(3600),
            burst: NonZeroU32::new(burst).unwrap(),
        })
    }

    fn request(authorization: Option<&str>, addr: Option<&str>) -> Request {
        let mut builder = Request::builder().uri("/graphql");
        if let Some(value) = authorization {
            builder = builder.header(AUTHORIZATION, value);
        }
        let mut request = builder.body(Body::empty()).unwrap();
        if let Some(addr) = addr {
            request
                .extensions_mut()
                .insert(ConnectInfo(addr.parse::<SocketAddr>().unwrap()));
        }
        request
    }

    #[test]
    fn each_client_has_its_own_bucket() {
        let l = limiter(2);
        let alice = ClientKey::of(&request(Some("Bearer alice"), Some("10.0.0.1:1")));
        let bob = ClientKey::of(&request(Some("Bearer bob"), Some("10.0.0.1:2")));
        let anonymous = ClientKey::of(&request(None, Some("10.0.0.1:3")));
        assert_eq!(l.check(&alice), Ok(()));
        assert_eq!(l.check(&alice), Ok(()));
        let wait = l.check(&alice).unwrap_err();
        assert!(
            wait > Duration::from_secs(3590) && wait <= Duration::from_secs(3600),
            "{wait:?}"
        );
        assert_eq!(l.check(&bob), Ok(()));
        assert_eq!(l.check(&anonymous), Ok(()));
        assert_eq!(l.limiter.len(), 3);
    }

    #[test]
    fn keys_hash_the_credential_and_fall_back_to_the_address() {
        let key = ClientKey::of(&request(Some("Bearer s3cret"), Some("10.0.0.1:1")));
        let ClientKey::Credential(hash) = key else {
            panic!("{key:?}")
        };
        assert_eq!(hash, <[u8; 32]>::from(Sha256::digest(b"Bearer s3cret")));
        assert!(!format!("{key:?}").contains("s3cret"));
        assert_eq!(
            ClientKey::of(&request(None, Some("192.0.2.7:5000"))),
            ClientKey::Address("192.0.2.7".parse().unwrap())
        );
        assert_eq!(ClientKey::of(&request(None, None)), ClientKey::Unknown);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(2001)), 3);
        assert_eq!(too_many_requests(3).headers()[RETRY_AFTER], "3");
    }
}
