//! PostgreSQL's LISTEN/NOTIFY as raw primitives: [`PgStore::notify`] sends a payload string on a
//! channel to every session listening on it ([`PgStore::notify_all`] several, in one statement),
//! [`PgStore::listen`] opens a [`Listener`] that yields the payloads sent on one channel. What the payloads mean (procedure events, their
//! format) is the caller's business; this module neither parses nor orders them beyond what
//! PostgreSQL guarantees (notifications arrive in the order their transactions committed, those
//! of one transaction in the order they were sent; each listener gets each notification once;
//! identical payloads sent in one transaction arrive once).
//!
//! Notifications are not stored: a listener receives only what is sent while its connection is
//! up. When the connection drops, the listener logs a warning and reconnects (sqlx's `PgListener`
//! re-issues `LISTEN`); whatever was sent in the gap is lost, which suits best-effort uses whose
//! durable record is elsewhere. The listener has a connection of its own, outside the store's
//! pool, so that it never takes a connection from the requests.

use std::time::Duration;

use rollout_store::{StoreError, StoreResult};
use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};

use crate::{PgStore, errors};

/// PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more (in the default configuration).
pub const MAX_PAYLOAD_BYTES: usize = 7_999;

/// The first pause after a failed reconnection; it doubles up to [`MAX_RETRY_PAUSE`].
const FIRST_RETRY_PAUSE: Duration = Duration::from_secs(1);
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(30);

impl PgStore {
    /// Sends `payload` to every session listening on `channel`, when this statement commits (it
    /// runs on its own, so at once). A payload over [`MAX_PAYLOAD_BYTES`] is refused here,
    /// with a message saying so, rather than by the server.
    pub async fn notify(&self, channel: &str, payload: &str) -> StoreResult<()> {
        check_size(channel, payload)?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&self.pool)
            .await
            .map_err(errors::db("notify"))?;
        Ok(())
    }

    /// Sends `payloads` on `channel` in this order, in one statement and so one transaction:
    /// all or none (one payload over the limit refuses them all, before anything is sent). One
    /// round trip for many payloads is what lets a busy sender keep up.
    pub async fn notify_all(&self, channel: &str, payloads: &[String]) -> StoreResult<()> {
        for payload in payloads {
            check_size(channel, payload)?;
        }
        // `unnest` yields the array in order and `pg_notify` runs once per row as it comes.
        sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload")
            .bind(channel)
            .bind(payloads)
            .execute(&self.pool)
            .await
            .map_err(errors::db("notify"))?;
        Ok(())
    }

    /// Listens on `channel` from the moment this returns: a notification sent after it is
    /// received (while the connection holds), one sent before is not.
    pub async fn listen(&self, channel: &str) -> StoreResult<Listener> {
        // One connection, never reaped for age or idleness: a listener is idle by nature, and
        // a replaced connection would lose notifications.
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .connect_with((*self.pool.connect_options()).clone())
            .await
            .map_err(errors::db("connect the listener"))?;
        let mut listener = Listener {
            pool,
            channel: channel.to_owned(),
            inner: None,
            retry_pause: FIRST_RETRY_PAUSE,
        };
        listener.inner = Some(listener.subscribe().await?);
        Ok(listener)
    }
}

fn check_size(channel: &str, payload: &str) -> StoreResult<()> {
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(StoreError::corrupt(format!(
            "a NOTIFY payload on {channel} has {} bytes; PostgreSQL takes at most {MAX_PAYLOAD_BYTES}",
            payload.len()
        )));
    }
    Ok(())
}

/// What [`Listener::recv_or_gap`] yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Payload(String),
    /// The connection was lost and is back: notifications sent in between are lost.
    Gap,
}

/// Payloads sent on one channel, in the order PostgreSQL delivers them. Reconnects by itself;
/// see the module documentation for what a dropped connection costs.
pub struct Listener {
    /// The listener's own pool of one connection; closing it ends the listener.
    pool: PgPool,
    channel: String,
    /// `None` after an error, until the next [`Listener::recv`] reconnects.
    inner: Option<PgListener>,
    /// How long to wait before the next reconnection attempt.
    retry_pause: Duration,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("channel", &self.channel)
            .field("connected", &self.inner.is_some())
            .finish()
    }
}

impl Listener {
    async fn subscribe(&self) -> StoreResult<PgListener> {
        let mut inner = PgListener::connect_with(&self.pool)
            .await
            .map_err(errors::db("connect the listener"))?;
        inner
            .listen(&self.channel)
            .await
            .map_err(errors::db("listen"))?;
        Ok(inner)
    }

    /// The next payload; `None` once [`Listener::close`] has run. A lost connection is logged
    /// and re-established (retried with a growing pause while the server cannot be reached),
    /// so this only returns with a payload or at the end.
    pub async fn recv(&mut self) -> Option<String> {
        loop {
            match self.recv_or_gap().await? {
                Received::Payload(payload) => return Some(payload),
                Received::Gap => {}
            }
        }
    }

    /// As [`Listener::recv`], but also says when the connection was re-established, so that a
    /// caller that keeps state derived from the notifications can distrust it.
    pub async fn recv_or_gap(&mut self) -> Option<Received> {
        loop {
            let inner = match &mut self.inner {
                Some(inner) => inner,
                None => match self.subscribe().await {
                    Ok(inner) => {
                        tracing::info!(channel = %self.channel, "listening again");
                        self.retry_pause = FIRST_RETRY_PAUSE;
                        self.inner = Some(inner);
                        return Some(Received::Gap);
                    }
                    Err(e) if self.pool.is_closed() => {
                        tracing::debug!(error = %e, "listener closed");
                        return None;
                    }
                    Err(e) => {
                        tracing::warn!(
                            channel = %self.channel,
                            error = %e,
                            retry_in = ?self.retry_pause,
                            "cannot listen: notifications are lost until the connection is back"
                        );
                        tokio::time::sleep(self.retry_pause).await;
                        self.retry_pause = (self.retry_pause * 2).min(MAX_RETRY_PAUSE);
                        continue;
                    }
                },
            };
            match inner.try_recv().await {
                Ok(Some(notification)) => {
                    return Some(Received::Payload(notification.payload().to_owned()));
                }
                // sqlx has reconnected and listens again already.
                Ok(None) => {
                    tracing::warn!(
                        channel = %self.channel,
                        "the listening connection was lost and re-established; notifications sent in between are lost"
                    );
                    return Some(Received::Gap);
                }
                Err(sqlx::Error::PoolClosed) => return None,
                Err(e) => {
                    tracing::warn!(
                        channel = %self.channel,
                        error = %e,
                        retry_in = ?self.retry_pause,
                        "the listening connection failed; reconnecting"
                    );
                    // A fresh `PgListener` on a fresh connection: the failed one may be unusable.
                    // The pause keeps an error that recurs at once from spinning.
                    self.inner = None;
                    tokio::time::sleep(self.retry_pause).await;
                }
            }
        }
    }

    /// Stops listening and closes the connection.
    pub async fn close(self) {
        drop(self.inner);
        self.pool.close().await;
    }
}
