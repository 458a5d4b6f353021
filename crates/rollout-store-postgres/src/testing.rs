//! Throwaway databases for tests: one fresh, migrated database per test, dropped when the test
//! is done. Compiled always (it is small) so that other crates' tests can use it without a
//! feature flag. It is not meant for production code paths.
//!
//! Databases are named `rollout_test_<uuid v7>`. Dropping happens in `Drop`, which cannot await:
//! a short-lived thread with its own single-threaded runtime runs `DROP DATABASE ... WITH (FORCE)`
//! and is joined, so the drop is finished when `Drop` returns and never waits on the caller's
//! runtime (which may be the only thread of a `#[tokio::test]`). The uuid's embedded time lets
//! the next [`TestDatabase::create`] sweep databases that a killed test run left behind.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rollout_store::StoreError;
use sqlx::{Connection, Executor, PgConnection};
use uuid::Uuid;

use crate::{PgStore, connect_options, errors};

const PREFIX: &str = "rollout_test_";

/// Leftovers older than this are assumed to belong to a dead test run. Generous, so that a slow
/// run in another process never loses its database.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// The environment variable naming a PostgreSQL server (an admin URL such as
/// `postgres://postgres@127.0.0.1:5432/postgres`) the workspace's tests may create databases on.
pub const POSTGRES_URL_VAR: &str = "ROLLOUT_TEST_POSTGRES_URL";

/// The URL in [`POSTGRES_URL_VAR`], or `None` when the PostgreSQL half of a test should be skipped
/// (said on stdout). Under CI (`CI=true`) a missing URL panics: a silently skipped backend is an
/// untested backend. The one rule for every test binary (end-to-end, operations).
pub fn admin_url_from_env() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but {POSTGRES_URL_VAR} is not set: the PostgreSQL tests must run in CI")
        }
        _ => {
            println!("skipped: {POSTGRES_URL_VAR} is not set, PostgreSQL variant not run");
            None
        }
    }
}

/// A fresh, migrated database that is dropped with the last handle to it.
pub struct TestDatabase {
    url: String,
    store: PgStore,
}

impl TestDatabase {
    /// Creates `rollout_test_<uuid>` through `admin_url` (a URL of an existing database, with a
    /// user allowed to create databases) and migrates it.
    pub async fn create(admin_url: &str) -> Result<Self, StoreError> {
        let db = Self::create_empty(admin_url).await?;
        db.store.migrate().await?;
        Ok(db)
    }

    /// [`TestDatabase::create`] without the migrations, for tests that migrate it themselves
    /// (as another role, or to see what an unmigrated database does).
    pub async fn create_empty(admin_url: &str) -> Result<Self, StoreError> {
        let mut admin = admin_connection(admin_url).await?;
        sweep_stale(&mut admin, SystemTime::now()).await;
        let name = format!("{PREFIX}{}", Uuid::now_v7().simple());
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .await
            .map_err(errors::db("create test database"))?;
        // From here on the guard owns the database, so a failure below still drops it.
        let guard = Arc::new(DropGuard {
            admin_url: admin_url.to_owned(),
            name: name.clone(),
        });
        let _ = admin.close().await;
        let url = with_database(admin_url, &name);
        let mut store = PgStore::connect(&url).await?;
        store.test_database = Some(guard);
        Ok(Self { url, store })
    }

    /// The URL of the test database, e.g. for starting a server on it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name (`rollout_test_...`).
    pub fn name(&self) -> &str {
        self.store
            .test_database
            .as_ref()
            .map_or("", |guard| guard.name.as_str())
    }

    /// A connected store on the database. The database lives as long as this or any other
    /// handle (the `TestDatabase` itself included) does.
    pub fn store(&self) -> PgStore {
        self.store.clone()
    }
}

impl fmt::Debug for TestDatabase {
    // The URL may carry a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestDatabase")
            .field("name", &self.name())
            .finish_non_exhaustive()
    }
}

/// Drops the database when the last [`PgStore`] or [`TestDatabase`] holding it goes away.
pub(crate) struct DropGuard {
    admin_url: String,
    name: String,
}

impl fmt::Debug for DropGuard {
    // The admin URL may carry a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DropGuard")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        let admin_url = std::mem::take(&mut self.admin_url);
        let name = std::mem::take(&mut self.name);
        let worker = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let mut admin = admin_connection(&admin_url)
                    .await
                    .map_err(|e| e.to_string())?;
                let dropped = drop_database(&mut admin, &name).await;
                let _ = admin.close().await;
                dropped.map_err(|e| format!("{name}: {e}"))
            })
        });
        match worker.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test database: {e}"),
            Err(_) => eprintln!("the thread dropping a test database panicked"),
        }
    }
}

async fn admin_connection(admin_url: &str) -> Result<PgConnection, StoreError> {
    PgConnection::connect_with(&connect_options(admin_url)?)
        .await
        .map_err(errors::db("connect to the admin database"))
}

async fn drop_database(admin: &mut PgConnection, name: &str) -> Result<(), sqlx::Error> {
    // `name` is one of ours (prefix + hex), never user input; identifiers cannot be bound.
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
        )))
        .await
        .map(|_| ())
}

/// When a test database was created, read from the v7 uuid in its name.
fn created_at(name: &str) -> Option<SystemTime> {
    let id = Uuid::parse_str(name.strip_prefix(PREFIX)?).ok()?;
    let (secs, nanos) = id.get_timestamp()?.to_unix();
    Some(UNIX_EPOCH + Duration::new(secs, nanos))
}

/// Drops test databases older than [`STALE_AFTER`], left behind by runs that were killed before
/// their guards ran. Best effort: another process may be sweeping the same ones.
async fn sweep_stale(admin: &mut PgConnection, now: SystemTime) {
    let names: Vec<String> =
        match sqlx::query_scalar("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
            .bind(PREFIX)
            .fetch_all(&mut *admin)
            .await
        {
            Ok(names) => names,
            Err(e) => {
                tracing::warn!(error = %e, "could not list leftover test databases");
                return;
            }
        };
    for name in names {
        let stale = created_at(&name)
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if stale && let Err(e) = drop_database(admin, &name).await {
            tracing::warn!(error = %e, database = %name, "could not drop leftover test database");
        }
    }
}

/// `url` with its database path replaced by `name`, keeping user, host and query parameters.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@db:5432", "t1"),
            "postgres://u:p@db:5432/t1"
        );
        assert_eq!(
            with_database("postgresql://u@h/admin?sslmode=disable", "t1"),
            "postgresql://u@h/t1?sslmode=disable"
        );
    }

    #[test]
    fn creation_time_comes_from_the_name() {
        let now = SystemTime::now();
        let name = format!("{PREFIX}{}", Uuid::now_v7().simple());
        let at = created_at(&name).expect("v7 names carry a time");
        let skew = now.duration_since(at).unwrap_or_else(|e| e.duration());
        assert!(skew < Duration::from_secs(5), "skew {skew:?}");
        assert_eq!(created_at("rollout_test_notauuid"), None);
        assert_eq!(
            created_at(&format!("{PREFIX}{}", Uuid::nil().simple())),
            None
        );
    }
}
