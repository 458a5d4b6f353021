//! The HTTP layer's settings: request limits, introspection, CORS origins, rate limiting, the
//! failed-authentication budget and the connection limits, with their defaults. `config.rs` fills them from the file and the environment; this module only
//! says what they mean and validates the values that have a shape (origins, non-zero rates).

use std::num::NonZeroU32;
use std::time::Duration;

use axum::http::HeaderValue;

/// Everything the GraphQL endpoint and its middleware can be tuned with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    pub limits: Limits,
    /// Whether `__schema` and `__type` may be queried. On by default for development and for
    /// GraphiQL; production deployments should turn it off so that the API's shape is not handed
    /// to anyone who can reach it (`__typename` keeps working either way).
    pub introspection: bool,
    /// Origins (`https://portal.example.jp`) whose pages may call the API from a browser. Empty
    /// means same-origin only: no CORS headers are sent at all.
    pub cors_origins: Vec<CorsOrigin>,
    /// `None` turns rate limiting off (for a deployment that limits at its reverse proxy).
    pub rate_limit: Option<RateLimit>,
    /// `None` turns the failed-authentication budget off.
    pub auth_failures: Option<AuthFailureLimit>,
    pub connections: ConnectionLimits,
    /// How a stopping server hands over its work (SIGTERM).
    pub shutdown: ShutdownTiming,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            introspection: true,
            cors_origins: Vec::new(),
            rate_limit: Some(RateLimit::default()),
            auth_failures: Some(AuthFailureLimit::default()),
            connections: ConnectionLimits::default(),
            shutdown: ShutdownTiming::default(),
        }
    }
}

/// How a stopping server (SIGTERM) hands over: `/readyz` answers 503 at once while requests
/// are still served for `delay` (load balancers and Kubernetes endpoints stop sending new ones),
/// then the listener closes, requests in flight finish, subscriptions are closed with 1001 and
/// the scheduler finishes the work it claimed, all within `grace` counted from the signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownTiming {
    pub delay: Duration,
    pub grace: Duration,
}

impl Default for ShutdownTiming {
    /// No delay (a bare process has no load balancer to wait for); 25 s of grace, inside
    /// Kubernetes' default 30 s before SIGKILL.
    fn default() -> Self {
        Self {
            delay: Duration::ZERO,
            grace: Duration::from_secs(25),
        }
    }
}

/// How many authentication attempts with credentials not recently seen valid may be made a
/// minute, per client address and by everyone together. Each budget may be spent at once and
/// refills evenly over the minute; an accepted credential gives its attempt back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthFailureLimit {
    pub per_client: NonZeroU32,
    pub global: NonZeroU32,
}

impl Default for AuthFailureLimit {
    /// A person mistyping a token, or a test suite, stays far below 30 a minute; 300 a minute
    /// for everyone keeps an address-spraying flood from reaching the database more often.
    fn default() -> Self {
        Self {
            per_client: nonzero(30),
            global: nonzero(300),
        }
    }
}

/// Bounds on each TCP connection and on how many there are (`http::serve`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request head (request line and headers) must arrive complete within this, counted from
    /// the connection's opening or the first byte after an idle spell.
    pub header_read_timeout: Duration,
    /// A keep-alive connection with no request in flight is closed after this long (also when
    /// the client stops reading a response).
    pub idle_timeout: Duration,
    /// Connections accepted over this number are closed at once.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
        }
    }
}

/// Bounds on what one HTTP request may ask of the server. Each is reported, when exceeded, as a
/// GraphQL error with `extensions.code` `LIMIT_EXCEEDED` naming the setting and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Fields nested inside each other, the outermost counting 1. The standard introspection
    /// query (graphql-js `getIntrospectionQuery`, which GraphiQL sends) is 15 deep, so a lower
    /// value only suits a deployment with introspection off.
    pub max_depth: usize,
    /// Roughly the number of values a response may hold: each field counts 1, and a paginated
    /// field multiplies what is below it by its page size (`first`, or its default of 50).
    pub max_complexity: u64,
    /// Aliased fields in one document; aliases are how one request repeats an expensive field.
    pub max_aliases: usize,
    /// Operations in one JSON-array (batch) request; 0 refuses batches altogether.
    pub max_batch: usize,
    /// Request bodies above this size are refused with 413.
    pub max_body_bytes: usize,
    /// Execution of one HTTP request (a whole batch included) is abandoned after this long.
    pub execution_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 15,
            // A page of 500 procedures with 40 fields each (about 21,000) fits; 500 procedures
            // each with a page of 50 history records (about 80,000) does not.
            max_complexity: 25_000,
            max_aliases: 30,
            max_batch: 10,
            max_body_bytes: 1024 * 1024,
            execution_timeout: Duration::from_secs(10),
        }
    }
}

/// A token bucket per client: `burst` requests at once, refilled at one request per
/// `replenish_interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub replenish_interval: Duration,
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// `per_second` requests per second on average, `burst` at once.
    pub fn per_second(per_second: NonZeroU32, burst: NonZeroU32) -> Self {
        Self {
            replenish_interval: Duration::from_secs(1) / per_second.get(),
            burst,
        }
    }
}

impl Default for RateLimit {
    /// Generous for people and scripts alike (an import loop stays under it); a client that
    /// needs more is better given its own deployment-specific setting than a higher default.
    fn default() -> Self {
        Self::per_second(nonzero(50), nonzero(100))
    }
}

const fn nonzero(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => NonZeroU32::MIN,
    }
}

/// A browser origin: `scheme://host[:port]`, nothing more. Kept as the header value CORS
/// answers with, so it can only be built from a valid one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsOrigin(HeaderValue);

impl CorsOrigin {
    /// Accepts `http://` or `https://` origins without path, query or trailing slash, or why not.
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        let refused = || {
            format!(
                "CORS origin {value:?} is not an origin like https://portal.example.jp (scheme, host and optional port, no path)"
            )
        };
        let rest = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"))
            .ok_or_else(refused)?;
        let host_ok = !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        if !host_ok {
            return Err(refused());
        }
        HeaderValue::from_str(value)
            .map(Self)
            .map_err(|_| refused())
    }

    pub fn header_value(&self) -> &HeaderValue {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        for ok in [
            "https://portal.example.jp",
            "http://localhost:5173",
            "http://[::1]:8080",
        ] {
            let origin = CorsOrigin::parse(ok).unwrap();
            assert_eq!(origin.header_value().to_str().unwrap(), ok);
        }
        for bad in [
            "portal.example.jp",
            "https://portal.example.jp/",
            "https://portal.example.jp/app",
            "*",
            "https://",
            "ftp://x",
            "https://a b",
        ] {
            let err = CorsOrigin::parse(bad).unwrap_err();
            assert!(err.starts_with("CORS origin"), "{bad}: {err}");
        }
    }

    #[test]
    fn rates_become_intervals() {
        let limit = RateLimit::per_second(nonzero(4), nonzero(8));
        assert_eq!(limit.replenish_interval, Duration::from_millis(250));
        assert_eq!(limit.burst.get(), 8);
        let default = RateLimit::default();
        assert_eq!(default.replenish_interval, Duration::from_millis(20));
        assert_eq!(default.burst.get(), 100);
    }
}
