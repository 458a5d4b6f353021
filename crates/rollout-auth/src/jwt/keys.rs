//! Where the verifier's public keys come from and when they are reloaded. A file is read once at
//! start-up. A URL is fetched at start-up and again when a token names a key the set does not
//! have (the provider has rotated), at most once per [`MIN_REFETCH_INTERVAL`], so that a stream
//! of tokens with made-up `kid`s cannot turn rollout into a load generator against the
//! provider. A failed refetch keeps the keys already held.
//!
//! There is no periodic refresh: a key the provider withdraws stays trusted until a restart or
//! the next refetch. Providers keep withdrawn keys published for a while anyway, and a timer would
//! be a background task this crate would then have to own and stop.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::{Client, Url};
use tokio::sync::Mutex;

use super::JwtError;
use super::config::{JwksSource, check_jwks_url, is_loopback};
use super::jwks::KeySet;

/// The least time between two refetches of a URL source.
pub(crate) const MIN_REFETCH_INTERVAL: TimeDelta = TimeDelta::seconds(60);

/// A JWK Set is a few kilobytes; anything far larger is not one.
const MAX_DOCUMENT_BYTES: usize = 1 << 20;

const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) struct KeyCache {
    origin: Origin,
    keys: RwLock<Arc<KeySet>>,
    /// When the last refetch was attempted (successful or not); the lock also makes concurrent
    /// misses wait for one fetch instead of each starting their own.
    last_refetch: Mutex<Option<DateTime<Utc>>>,
}

enum Origin {
    File,
    Url { url: Url, client: Client },
}

impl KeyCache {
    pub(crate) async fn load(source: &JwksSource) -> Result<Self, JwtError> {
        let (origin, keys) = match source {
            JwksSource::File(path) => {
                let bytes = tokio::fs::read(path).await.map_err(|e| {
                    JwtError::KeySource(format!("cannot read {}: {e}", path.display()))
                })?;
                let keys = KeySet::parse(&bytes)
                    .map_err(|e| JwtError::KeySource(format!("{}: {e}", path.display())))?;
                (Origin::File, keys)
            }
            JwksSource::Url(raw) => {
                let url = check_jwks_url(raw)?;
                let client = http_client(&url)?;
                let keys = fetch(&client, &url).await?;
                (Origin::Url { url, client }, keys)
            }
        };
        tracing::info!(keys = keys.len(), "loaded OIDC signing keys");
        Ok(Self {
            origin,
            keys: RwLock::new(Arc::new(keys)),
            last_refetch: Mutex::new(None),
        })
    }

    pub(crate) fn current(&self) -> Arc<KeySet> {
        Arc::clone(&self.keys.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Called when `seen` had no key for a token. Returns a newer set to look in again, or
    /// `None` when there is nothing newer to be had (file source, or refetched too recently).
    pub(crate) async fn refresh_after_miss(
        &self,
        seen: &Arc<KeySet>,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<KeySet>>, JwtError> {
        let Origin::Url { url, client } = &self.origin else {
            return Ok(None);
        };
        let mut last = self.last_refetch.lock().await;
        let current = self.current();
        if !Arc::ptr_eq(&current, seen) {
            // Another request refetched while this one waited for the lock.
            return Ok(Some(current));
        }
        if last
            .and_then(|at| at.checked_add_signed(MIN_REFETCH_INTERVAL))
            .is_some_and(|next| now < next)
        {
            return Ok(None);
        }
        *last = Some(now);
        match fetch(client, url).await {
            Ok(keys) => {
                tracing::info!(
                    keys = keys.len(),
                    "refetched OIDC signing keys after an unknown kid"
                );
                let keys = Arc::new(keys);
                *self.keys.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&keys);
                Ok(Some(keys))
            }
            Err(e) => {
                tracing::warn!(error = %e, "refetching OIDC signing keys failed; keeping the old ones");
                Err(e)
            }
        }
    }

    pub(crate) fn key_count(&self) -> usize {
        self.current().len()
    }
}

fn http_client(url: &Url) -> Result<Client, JwtError> {
    let builder = Client::builder()
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(FETCH_TIMEOUT)
        .user_agent(concat!("rollout/", env!("CARGO_PKG_VERSION")))
        // A redirect could lead from https to plain http; identity providers serve their JWKS
        // URL directly, so a redirect is reported as a misconfiguration instead.
        .redirect(reqwest::redirect::Policy::none());
    // HTTPS_PROXY is honoured for the provider, but a loopback URL (development, tests) must
    // not be sent to a proxy, which would resolve "127.0.0.1" as itself.
    let builder = if is_loopback(url) {
        builder.no_proxy()
    } else {
        builder
    };
    builder
        .build()
        .map_err(|e| JwtError::KeySource(format!("cannot build an HTTP client: {e}")))
}

async fn fetch(client: &Client, url: &Url) -> Result<KeySet, JwtError> {
    let fail = |what: String| JwtError::KeySource(format!("{url}: {what}"));
    let mut response = client
        .get(url.clone())
        .header(
            reqwest::header::ACCEPT,
            "application/jwk-set+json, application/json",
        )
        .send()
        .await
        .map_err(|e| fail(error_chain(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(fail(format!("HTTP {status}")));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
    {
        return Err(fail(format!("larger than {MAX_DOCUMENT_BYTES} bytes")));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| fail(error_chain(&e)))? {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(fail(format!("larger than {MAX_DOCUMENT_BYTES} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    KeySet::parse(&body).map_err(fail)
}

/// reqwest's top-level message ("error sending request") hides the cause (refused, TLS, DNS).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
