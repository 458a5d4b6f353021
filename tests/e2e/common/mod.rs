//! Shared harness for the end-to-end tests: it starts the real server (`rollout_server::spawn`)
//! on 127.0.0.1:0 against a fresh database of one backend, signs in as the administrator the
//! server bootstraps on an empty database, creates a small cast of users with API tokens
//! ([`Cast`]), hands the test a [`TestServer`] client, and shuts everything down afterwards.
//! [`both_backends!`] instantiates one test body for SQLite and PostgreSQL; [`start_replica`]
//! starts a second server on a PostgreSQL test database, for what only replicas show.
//!
//! It deliberately knows nothing of the server's internals: everything goes over HTTP, as a
//! client would see it. The only exception is `database.rs`, for the few tests that must reach
//! behind the API (an already expired token, the append-only audit table), and `fingerprint.rs`,
//! which reads every table to prove a refused request wrote nothing. The HTTP client is
//! in `client.rs`, the users in `cast.rs`, data fixtures in `fixtures.rs`.

mod blockers;
mod cast;
mod client;
mod database;
mod fingerprint;
mod fixtures;
pub mod node;
mod reminders;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use rollout_app::AppSettings;
use rollout_auth::OidcConfig;
use rollout_server::{RunningServer, ServerConfig, spawn};
use rollout_store_postgres::testing::TestDatabase;
use tempfile::TempDir;

#[allow(unused_imports)]
pub use blockers::*;
pub use cast::*;
pub use client::*;
pub use fingerprint::*;
#[allow(unused_imports)] // only its field lists are items; files that use none warn
pub use fixtures::*;
#[allow(unused_imports)]
pub use reminders::*;

pub use rollout_store_postgres::testing::POSTGRES_URL_VAR;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How to start the server beyond the backend choice; everything else is `ServerConfig::new`'s.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub workflow_file: Option<PathBuf>,
    pub demo: bool,
    /// Load the programme's replayed history (`deploy/demo/history/`, as `rollout demo
    /// --replay` does) instead of the generated demo data; implies `demo`.
    pub demo_replay: bool,
    /// Single sign-on: JWTs from this identity provider are accepted besides API tokens.
    pub oidc: Option<OidcConfig>,
    /// `None` keeps the server's defaults (approvals expire after 14 days).
    pub app: Option<AppSettings>,
    /// The server's clock; `None` is the system clock.
    pub clock: Option<std::sync::Arc<dyn rollout_app::Clock>>,
    /// The scheduler and e-mail settings; `None` keeps the defaults (no e-mail).
    pub reminders: Option<rollout_server::reminder_config::ReminderConfig>,
    /// The dashboard's settings (`[web]`, single sign-on); `None` keeps the defaults.
    pub web: Option<rollout_server::web_config::WebConfig>,
}

/// What must outlive the server: the running server itself and the database it uses. Dropped
/// only after [`Harness::shutdown`], so the database is never removed under open connections.
#[derive(Debug)]
pub struct Harness {
    running: RunningServer,
    _sqlite_dir: Option<TempDir>,
    _postgres: Option<TestDatabase>,
}

impl Harness {
    pub fn running(&self) -> &RunningServer {
        &self.running
    }

    pub async fn shutdown(self) {
        let Harness {
            running,
            _sqlite_dir,
            _postgres,
        } = self;
        running
            .shutdown()
            .await
            .expect("the server did not shut down cleanly");
    }
}

/// The PostgreSQL admin URL, or `None` when the PostgreSQL half is skipped (never under CI).
pub fn postgres_admin_url() -> Option<String> {
    rollout_store_postgres::testing::admin_url_from_env()
}

/// An error and its sources, `: `-separated, so a panic message says why and not only what.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut chain = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

/// Starts the server on a fresh database and creates the cast. `None` only when the
/// PostgreSQL half is skipped.
pub async fn start(backend: Backend, options: Options) -> Option<(TestServer, Harness)> {
    let (database_url, sqlite_dir, postgres) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("cannot create a temporary directory");
            let url = format!("sqlite:{}/rollout.db", dir.path().display());
            (url, Some(dir), None)
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url()?;
            let db = TestDatabase::create(&admin_url).await.unwrap_or_else(|e| {
                panic!(
                    "{POSTGRES_URL_VAR}={admin_url} is set but no test database could be created: {}",
                    error_chain(&e)
                )
            });
            (db.url().to_owned(), None, Some(db))
        }
    };
    let mut config = ServerConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), database_url.clone());
    config.workflow_file = options.workflow_file;
    config.demo = options.demo || options.demo_replay;
    config.demo_replay = options.demo_replay;
    config.oidc = options.oidc;
    if let Some(app) = options.app {
        config.app = app;
    }
    config.clock = options.clock;
    if let Some(reminders) = options.reminders {
        config.reminders = reminders;
    }
    if let Some(web) = options.web {
        config.web = web;
    }
    let running = spawn(config)
        .await
        .unwrap_or_else(|e| panic!("the {backend:?} server did not start: {e:#}"));
    let client = reqwest::Client::builder()
        // The tests talk to 127.0.0.1 only; a proxy from the environment must not intercept.
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("cannot build the HTTP client");
    let admin_token = admin_secret(&running);
    let cast = Cast::create(&client, &running.url(), &admin_token).await;
    let server = TestServer::new(client, running.url(), backend, database_url, cast);
    let harness = Harness {
        running,
        _sqlite_dir: sqlite_dir,
        _postgres: postgres,
    };
    Some((server, harness))
}

/// A second server on the database of `server` (which [`start`] started on PostgreSQL), as a
/// second replica behind a load balancer: the cast's users and tokens work on both. Shut it down
/// before the first server's [`Harness`], which owns the database.
pub async fn start_replica(server: &TestServer) -> (TestServer, RunningServer) {
    assert_eq!(
        server.backend,
        Backend::Postgres,
        "replicas share a PostgreSQL database"
    );
    let config = ServerConfig::new(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        server.database_url.clone(),
    );
    let running = spawn(config)
        .await
        .unwrap_or_else(|e| panic!("the replica did not start: {e:#}"));
    assert_eq!(
        running.admin_token(),
        None,
        "the replica found the first server's users"
    );
    let cast = Cast {
        admin: server.admin.clone(),
        po: server.po.clone(),
        po2: server.po2.clone(),
        po3: server.po3.clone(),
        viewer: server.viewer.clone(),
    };
    let replica = TestServer::new(
        server.http().clone(),
        running.url(),
        server.backend,
        server.database_url.clone(),
        cast,
    );
    (replica, running)
}

/// The administrator's secret: every test database starts empty (demo data brings no users
/// before the administrator), so the server always bootstraps one.
fn admin_secret(running: &RunningServer) -> String {
    running
        .admin_token()
        .unwrap_or_else(|| panic!("the server made no first administrator on an empty database"))
        .to_owned()
}

/// Runs one test body against a freshly started server and shuts the server down afterwards.
pub async fn run<F, Fut>(backend: Backend, options: Options, test: F)
where
    F: FnOnce(TestServer) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some((server, harness)) = start(backend, options).await else {
        return;
    };
    test(server).await;
    harness.shutdown().await;
}

/// `both_backends!(a, b)` turns each `async fn a(server: TestServer)` into the tests
/// `a::sqlite` and `a::postgres` (a module and a function may share a name).
/// `both_backends!(with path::to::options; a)` starts the servers with `path::to::options()`;
/// the path is resolved inside the generated module, so a sibling function is `super::options`.
#[allow(unused_macros)] // single-backend test files do not use it
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        $crate::common::both_backends!(with $crate::common::Options::default; $($name),+);
    };
    (with $options:path; $($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::common::run($crate::common::Backend::Sqlite, $options(), super::$name).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::common::run($crate::common::Backend::Postgres, $options(), super::$name).await;
            }
        }
    )+};
}
#[allow(unused_imports)]
pub(crate) use both_backends;
