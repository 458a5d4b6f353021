//! The Prometheus exporter of `rollout serve` (`[metrics] listen`): [`install`] puts the
//! process-wide recorder of the `metrics` facade in place (once, from the binary's serve path
//! only: in-process test servers never install one, so their facade calls are no-ops), and
//! [`Exporter::bind`] / [`Bound::spawn`] serve `GET /metrics` in the Prometheus text format on
//! their own listener, never on the public port, stopping with the server.
//!
//! What the crates count as it happens (requests, GraphQL errors, transitions, approvals,
//! firings, deliveries) is recorded where it happens; what needs a read is sampled here when
//! Prometheus scrapes ([`Sampler`]): the outbox's depth, age and dead letters, the database
//! pools, the SQLite WAL file's size and whether the database answers. `docs/operations.md`
//! documents every metric; the ops test `metrics` scrapes them all.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use rollout_store::Store;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::backend::Database;
use crate::error::CliError;
use crate::http::metrics as http_metrics;

pub const BUILD_INFO: &str = "rollout_build_info";
pub const DATABASE_UP: &str = "rollout_database_up";
pub const OUTBOX_PENDING: &str = "rollout_outbox_pending";
pub const OUTBOX_OLDEST_AGE: &str = "rollout_outbox_oldest_pending_age_seconds";
pub const OUTBOX_DEAD: &str = "rollout_outbox_dead";
pub const POOL_CONNECTIONS: &str = "rollout_db_pool_connections";
pub const POOL_MAX: &str = "rollout_db_pool_max_connections";
pub const SQLITE_WAL_BYTES: &str = "rollout_sqlite_wal_bytes";

/// How long a scrape waits for each database read before reporting without it.
const SAMPLE_TIMEOUT: Duration = Duration::from_secs(2);
/// How often histogram samples are folded in when nobody scrapes (keeps memory flat).
const UPKEEP: Duration = Duration::from_secs(5);

/// The installed recorder and where to serve it.
#[derive(Clone)]
pub struct Exporter {
    handle: PrometheusHandle,
    listen: SocketAddr,
}

impl std::fmt::Debug for Exporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exporter")
            .field("listen", &self.listen)
            .finish_non_exhaustive()
    }
}

/// Installs the process's recorder (latency histograms with [`http_metrics::DURATION_BUCKETS`])
/// and describes the metrics recorded outside the app. Fails if a recorder is installed already.
pub fn install(listen: SocketAddr) -> Result<Exporter, CliError> {
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(http_metrics::DURATION.to_owned()),
            &http_metrics::DURATION_BUCKETS,
        )
        .map_err(|e| CliError::user(format!("cannot configure the metrics: {e}")))?
        .build_recorder();
    let handle = recorder.handle();
    ::metrics::set_global_recorder(recorder)
        .map_err(|e| CliError::user(format!("cannot install the metrics recorder: {e}")))?;
    http_metrics::start_recording();
    describe();
    rollout_scheduler::scheduler::metrics::register();
    Ok(Exporter { handle, listen })
}

fn describe() {
    use ::metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        http_metrics::REQUESTS,
        "HTTP requests answered, by route, GraphQL operation and outcome."
    );
    describe_histogram!(
        http_metrics::DURATION,
        ::metrics::Unit::Seconds,
        "Time to answer HTTP requests, by route and GraphQL operation."
    );
    describe_counter!(
        rollout_graphql::error_codes::ERRORS_METRIC,
        "GraphQL errors given to clients, by stable code and kind (error, payload, refused)."
    );
    describe_gauge!(
        BUILD_INFO,
        "Always 1; the labels name the version and the database backend."
    );
    describe_gauge!(
        DATABASE_UP,
        "1 when the database answered a ping during this scrape, else 0."
    );
    describe_gauge!(
        OUTBOX_PENDING,
        "Outbox deliveries not yet delivered (due or waiting for a retry)."
    );
    describe_gauge!(
        OUTBOX_OLDEST_AGE,
        ::metrics::Unit::Seconds,
        "Age of the oldest pending outbox delivery (0 when none is pending)."
    );
    describe_gauge!(
        OUTBOX_DEAD,
        "Outbox deliveries that are DEAD (out of attempts or refused for good)."
    );
    describe_gauge!(
        POOL_CONNECTIONS,
        "Database pool connections, by pool and state (in_use, idle)."
    );
    describe_gauge!(
        POOL_MAX,
        "The most connections each database pool may open."
    );
    describe_gauge!(
        SQLITE_WAL_BYTES,
        ::metrics::Unit::Bytes,
        "Size of the SQLite write-ahead log file (SQLite only)."
    );
}

impl Exporter {
    /// Binds the metrics listener (before the server reports that it serves).
    pub async fn bind(&self) -> Result<Bound, CliError> {
        let listener = TcpListener::bind(self.listen).await.map_err(|e| {
            CliError::user(format!("cannot listen for metrics on {}: {e}", self.listen))
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| CliError::user(format!("cannot read the metrics address: {e}")))?;
        Ok(Bound {
            handle: self.handle.clone(),
            listener,
            addr,
        })
    }
}

/// A bound metrics listener, not serving yet.
#[derive(Debug)]
pub struct Bound {
    handle: PrometheusHandle,
    listener: TcpListener,
    pub addr: SocketAddr,
}

/// What a scrape reads from the database besides the recorder.
struct Sampler {
    handle: PrometheusHandle,
    db: Database,
    /// The SQLite database's `-wal` file, when the database is a SQLite file.
    wal: Option<PathBuf>,
}

impl Bound {
    /// Serves `GET /metrics` until `stop` turns true; registers the app's series (every workflow
    /// edge at zero) and the build info first.
    pub fn spawn(
        self,
        app: &rollout_app::App,
        db: Database,
        wal: Option<PathBuf>,
        stop: watch::Receiver<bool>,
    ) -> JoinHandle<()> {
        app.register_metrics();
        let backend = match db.backend {
            crate::backend::Backend::Sqlite => "sqlite",
            crate::backend::Backend::Postgres => "postgres",
        };
        ::metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION"), "backend" => backend)
            .set(1.0);
        let sampler = Arc::new(Sampler {
            handle: self.handle.clone(),
            db,
            wal,
        });
        let routes = Router::new()
            .route("/metrics", get(scrape))
            .with_state(sampler);
        let handle = self.handle;
        let listener = self.listener;
        tokio::spawn(async move {
            let mut upkeep_stop = stop.clone();
            let upkeep = async move {
                let mut tick = tokio::time::interval(UPKEEP);
                loop {
                    tokio::select! {
                        _ = tick.tick() => handle.run_upkeep(),
                        _ = upkeep_stop.wait_for(|s| *s) => return,
                    }
                }
            };
            let mut stop = stop;
            let served = async move {
                axum::serve(listener, routes)
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|s| *s).await;
                    })
                    .await
            };
            let (served, ()) = tokio::join!(served, upkeep);
            if let Err(e) = served {
                tracing::error!(error = %e, "the metrics listener failed");
            }
        })
    }
}

async fn scrape(State(sampler): State<Arc<Sampler>>) -> impl IntoResponse {
    sampler.sample().await;
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        sampler.handle.render(),
    )
}

impl Sampler {
    /// Sets the gauges that need a read. A read that fails or times out leaves its gauges as
    /// the last scrape set them, except `rollout_database_up`, which then says 0.
    async fn sample(&self) {
        let store: &Arc<dyn Store> = &self.db.store;
        let up = matches!(
            tokio::time::timeout(SAMPLE_TIMEOUT, store.ping()).await,
            Ok(Ok(()))
        );
        ::metrics::gauge!(DATABASE_UP).set(if up { 1.0 } else { 0.0 });
        if up
            && let Ok(Ok(outbox)) = tokio::time::timeout(SAMPLE_TIMEOUT, store.outbox_stats()).await
        {
            let age = outbox.oldest_pending_at.map_or(0.0, |at| {
                (chrono::Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0
            });
            ::metrics::gauge!(OUTBOX_PENDING).set(outbox.pending as f64);
            ::metrics::gauge!(OUTBOX_OLDEST_AGE).set(age);
            ::metrics::gauge!(OUTBOX_DEAD).set(outbox.dead as f64);
        }
        for pool in self.db.pool_stats() {
            let name = pool.name;
            ::metrics::gauge!(POOL_CONNECTIONS, "pool" => name, "state" => "in_use")
                .set(f64::from(pool.in_use()));
            ::metrics::gauge!(POOL_CONNECTIONS, "pool" => name, "state" => "idle")
                .set(f64::from(pool.idle));
            ::metrics::gauge!(POOL_MAX, "pool" => name).set(f64::from(pool.max));
        }
        if let Some(wal) = &self.wal {
            // No file yet (or just checkpointed away) is an empty log.
            let bytes = std::fs::metadata(wal).map_or(0, |m| m.len());
            ::metrics::gauge!(SQLITE_WAL_BYTES).set(bytes as f64);
        }
    }
}

/// The `-wal` file beside a SQLite database file named by `url`.
pub fn wal_file(url: &crate::DatabaseUrl) -> Option<PathBuf> {
    let file = crate::backend::sqlite_file(url)?;
    let mut name = file.into_os_string();
    name.push("-wal");
    Some(PathBuf::from(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wal_file_sits_beside_a_sqlite_file_only() {
        let wal = |url: &str| wal_file(&crate::DatabaseUrl::new(url));
        assert_eq!(
            wal("sqlite:data/rollout.db"),
            Some(PathBuf::from("data/rollout.db-wal"))
        );
        assert_eq!(wal("sqlite::memory:"), None);
        assert_eq!(wal("postgres://u@h/db"), None);
    }
}
