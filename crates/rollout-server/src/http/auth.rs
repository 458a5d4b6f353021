//! The authentication hook of the GraphQL endpoint: [`RequestAuthenticator`] looks at the
//! request's headers and where it came from ([`RequestMeta`]) and either hands back values to
//! put into the GraphQL request data ([`AuthData`]) or refuses the request ([`AuthRejection`]).
//!
//! It decides who is asking, never what they may do: authorisation belongs to the use cases.
//! It runs once per HTTP request, after rate limiting and before any GraphQL parsing, so an
//! unauthenticated caller learns nothing about the document it sent.

use std::any::Any;
use std::net::SocketAddr;

use async_trait::async_trait;
use axum::http::{HeaderMap, StatusCode};

/// Where a request came from, for the audit trail. Inserted into every GraphQL request's data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMeta {
    /// The `x-request-id` the client sent (if well-formed) or the one the server generated.
    pub request_id: Option<String>,
    /// The TCP peer; behind a reverse proxy this is the proxy.
    pub client_addr: Option<SocketAddr>,
}

/// Decides who is calling. Implementations must be cheap on refusal: they run on every request.
#[async_trait]
pub trait RequestAuthenticator: Send + Sync {
    async fn authenticate(
        &self,
        headers: &HeaderMap,
        meta: &RequestMeta,
    ) -> Result<AuthData, AuthRejection>;
}

type Inserter = Box<dyn Fn(&mut async_graphql::Request) + Send + Sync>;

/// Values an authenticator adds to the GraphQL request data (a principal, an actor). Each value
/// is cloned into every operation of a batch, which is why they must be `Clone`. Routes other
/// than GraphQL (the report download) read them with [`AuthData::get`].
#[derive(Default)]
pub struct AuthData {
    inserters: Vec<Inserter>,
    values: Vec<Box<dyn Any + Send + Sync>>,
}

impl AuthData {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `value`, replacing an earlier value of the same type.
    pub fn with<T: Any + Clone + Send + Sync>(mut self, value: T) -> Self {
        self.insert(value);
        self
    }

    pub fn insert<T: Any + Clone + Send + Sync>(&mut self, value: T) {
        self.values.push(Box::new(value.clone()));
        self.inserters.push(Box::new(move |request| {
            request.data.insert(value.clone());
        }));
    }

    /// The value of type `T` (the latest added), as a GraphQL request would see it.
    pub fn get<T: Any>(&self) -> Option<&T> {
        self.values.iter().rev().find_map(|v| v.downcast_ref::<T>())
    }

    pub fn len(&self) -> usize {
        self.inserters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inserters.is_empty()
    }

    pub(crate) fn apply(&self, request: &mut async_graphql::Request) {
        for insert in &self.inserters {
            insert(request);
        }
    }
}

impl std::fmt::Debug for AuthData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthData")
            .field("values", &self.inserters.len())
            .finish()
    }
}

/// Why a request is refused before execution. Rendered as a GraphQL-over-HTTP error response
/// with this status and `extensions.code`; a 401 also carries `WWW-Authenticate: Bearer`, and a
/// `retry_after` becomes `Retry-After` and `extensions.retryAfter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRejection {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Whole seconds before trying again is worth it.
    pub retry_after: Option<u64>,
}

impl AuthRejection {
    /// 401 `UNAUTHENTICATED`: no usable credentials.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "UNAUTHENTICATED",
            message: message.into(),
            retry_after: None,
        }
    }

    /// 403 `FORBIDDEN`: valid credentials that may not use the API at all. (A disabled account is
    /// 401 like any other refused credential: the client learns nothing more.)
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            code: "FORBIDDEN",
            message: message.into(),
            retry_after: None,
        }
    }

    /// 429 `RATE_LIMITED`: too many failed authentications; try again in `seconds`.
    pub fn rate_limited(seconds: u64) -> Self {
        Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "RATE_LIMITED",
            message: format!("too many failed authentications: retry after {seconds} s"),
            retry_after: Some(seconds),
        }
    }

    /// 400 `VALIDATION`: a malformed identity header.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "VALIDATION",
            message: message.into(),
            retry_after: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Who(&'static str);

    #[test]
    fn auth_data_is_copied_into_each_request() {
        let data = AuthData::new()
            .with(Who("bob"))
            .with(Who("alice"))
            .with(7_u32);
        assert_eq!(data.len(), 3);
        assert_eq!(data.get::<Who>(), Some(&Who("alice")));
        assert_eq!(data.get::<u32>(), Some(&7));
        assert_eq!(data.get::<String>(), None);
        assert_eq!(format!("{data:?}"), "AuthData { values: 3 }");
        for _ in 0..2 {
            let mut request = async_graphql::Request::new("{ __typename }");
            data.apply(&mut request);
            assert_eq!(
                request
                    .data
                    .get(&std::any::TypeId::of::<Who>())
                    .and_then(|v| v.downcast_ref::<Who>()),
                Some(&Who("alice"))
            );
            assert_eq!(
                request
                    .data
                    .get(&std::any::TypeId::of::<u32>())
                    .and_then(|v| v.downcast_ref::<u32>()),
                Some(&7)
            );
        }
    }

    #[test]
    fn rejections_carry_their_status_and_code() {
        let r = AuthRejection::unauthenticated("no token");
        assert_eq!((r.status.as_u16(), r.code), (401, "UNAUTHENTICATED"));
        let r = AuthRejection::forbidden("disabled");
        assert_eq!((r.status.as_u16(), r.code), (403, "FORBIDDEN"));
        let r = AuthRejection::invalid("bad header");
        assert_eq!(
            (r.status.as_u16(), r.code, r.message.as_str()),
            (400, "VALIDATION", "bad header")
        );
    }
}
