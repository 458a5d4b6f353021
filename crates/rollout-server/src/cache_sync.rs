//! The app's caches across replicas on PostgreSQL: [`PgCacheInvalidator`] NOTIFYs every cache
//! change a use case publishes on [`CHANNEL`], and the listener task started by [`listen`] hands
//! each change it receives (this replica's own included, a harmless repeat) to
//! [`App::apply_cache_change`]. A change therefore reaches another replica as fast as PostgreSQL
//! delivers a notification (milliseconds); the replica that made it has dropped its own copy
//! before the NOTIFY was sent.
//!
//! What may be lost: a NOTIFY that fails (logged), and whatever is sent while a listener's
//! connection is down. The listener clears this replica's caches whenever its connection comes
//! back, and the cache's TTL bounds the rest. Unlike procedure events, the sender is awaited by
//! the use case (changes are rare admin actions), so command-line tools that revoke a token or
//! disable a user reach the running servers before they exit. On SQLite (one process) none of
//! this runs: the local invalidation is all there is.

use async_trait::async_trait;
use rollout_app::{App, CacheChange, CacheInvalidator};
use rollout_store::StoreError;
use rollout_store_postgres::{Listener, PgStore, Received};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The PostgreSQL notification channel of cache changes.
pub const CHANNEL: &str = "rollout_cache_invalidations";

/// Publishes cache changes to every replica.
#[derive(Debug, Clone)]
pub struct PgCacheInvalidator {
    store: PgStore,
}

impl PgCacheInvalidator {
    pub fn new(store: PgStore) -> Self {
        Self { store }
    }
}

#[async_trait]
impl CacheInvalidator for PgCacheInvalidator {
    async fn publish(&self, change: CacheChange) {
        if let Err(e) = self.store.notify(CHANNEL, &change.to_wire()).await {
            tracing::warn!(
                error = %crate::error::report(&e),
                ?change,
                "NOTIFY failed: other replicas keep their cached copy until it expires"
            );
        }
    }
}

/// `app`, publishing its cache changes to the running servers when `db` is PostgreSQL: for the
/// command-line tools, which change users, tokens and bureaus but keep no cache of their own.
pub fn publishing(db: &crate::backend::Database, app: App) -> App {
    match db.postgres() {
        Some(store) => {
            app.with_cache_invalidator(std::sync::Arc::new(PgCacheInvalidator::new(store.clone())))
        }
        None => app,
    }
}

/// The running listener.
#[derive(Debug)]
pub struct CacheListener {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl CacheListener {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the cache listener ended abnormally");
        }
    }
}

/// Makes `app` publish its cache changes through PostgreSQL and starts listening for everyone's.
/// Listening has begun when this returns.
pub async fn listen(store: &PgStore, app: App) -> Result<(App, CacheListener), StoreError> {
    let listener = store.listen(CHANNEL).await?;
    let app =
        app.with_cache_invalidator(std::sync::Arc::new(PgCacheInvalidator::new(store.clone())));
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(apply(listener, app.clone(), stopped));
    tracing::info!(
        channel = CHANNEL,
        "cache changes are relayed through PostgreSQL"
    );
    Ok((app, CacheListener { stop, task }))
}

async fn apply(mut listener: Listener, app: App, mut stop: watch::Receiver<bool>) {
    loop {
        let received = tokio::select! {
            received = listener.recv_or_gap() => match received {
                Some(received) => received,
                None => break,
            },
            _ = stop.wait_for(|stopped| *stopped) => break,
        };
        match received {
            Received::Payload(payload) => match CacheChange::from_wire(&payload) {
                Some(change) => app.apply_cache_change(change),
                None => {
                    let shown: String = payload.chars().take(200).collect();
                    tracing::warn!(payload = %shown, channel = CHANNEL, "skipped a notification that is not a cache change");
                }
            },
            // Changes may have been missed: trust nothing cached.
            Received::Gap => app.apply_cache_change(CacheChange::Everything),
        }
    }
    listener.close().await;
}
