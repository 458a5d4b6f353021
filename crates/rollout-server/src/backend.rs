//! The one place that knows which database is in use. It reads the URL's scheme, connects the
//! matching store, migrates it and hands out an `Arc<dyn Store>`; everything above speaks the
//! store trait only. It also keeps a typed handle so that shutdown can close the pool and the
//! event relay (`events.rs`) can use PostgreSQL's LISTEN/NOTIFY, which the trait (rightly) does
//! not offer to use cases.

use std::sync::Arc;

use rollout_store::Store;
use rollout_store_postgres::PgStore;
use rollout_store_sqlite::SqliteStore;

use crate::database_url::DatabaseUrl;
use crate::error::CliError;

/// The supported databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend for a URL's scheme: `sqlite:` or `postgres://` / `postgresql://`.
    pub fn for_url(url: &DatabaseUrl) -> Result<Self, CliError> {
        let raw = url.expose();
        let lower = raw.get(..13).unwrap_or(raw).to_ascii_lowercase();
        if lower.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(CliError::user(format!(
                "unsupported database URL {url}: use sqlite:FILE (e.g. sqlite:rollout.db) or postgres://USER@HOST/DB"
            )))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Debug, Clone)]
enum Handle {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// A connected, migrated database.
#[derive(Debug, Clone)]
pub struct Database {
    pub backend: Backend,
    pub store: Arc<dyn Store>,
    handle: Handle,
}

impl Database {
    /// Connects to the database at `url` and applies pending migrations. A connection failure is
    /// reported as the database being unavailable (exit code 3), with the URL redacted.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, CliError> {
        let backend = Backend::for_url(url)?;
        let unavailable = |e| CliError::Database {
            context: format!("cannot connect to {url}"),
            source: Some(e),
        };
        let (store, handle): (Arc<dyn Store>, Handle) = match backend {
            Backend::Sqlite => {
                let s = SqliteStore::connect(url.expose())
                    .await
                    .map_err(unavailable)?;
                (Arc::new(s.clone()), Handle::Sqlite(s))
            }
            Backend::Postgres => {
                let s = PgStore::connect(url.expose()).await.map_err(unavailable)?;
                (Arc::new(s.clone()), Handle::Postgres(s))
            }
        };
        let migrated = match &handle {
            Handle::Sqlite(s) => s.migrate().await,
            Handle::Postgres(s) => s.migrate().await,
        };
        let db = Self {
            backend,
            store,
            handle,
        };
        if let Err(e) = migrated {
            db.close().await;
            return Err(CliError::store(format!("cannot migrate {url}"), e));
        }
        tracing::info!(database = %url, backend = backend.name(), "database connected and migrated");
        Ok(db)
    }

    /// The PostgreSQL store, for what only PostgreSQL offers (relaying events between replicas).
    pub fn postgres(&self) -> Option<&PgStore> {
        match &self.handle {
            Handle::Postgres(s) => Some(s),
            Handle::Sqlite(_) => None,
        }
    }

    /// Waits for queries in flight and closes every connection.
    pub async fn close(&self) {
        match &self.handle {
            Handle::Sqlite(s) => s.close().await,
            Handle::Postgres(s) => s.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_picks_the_backend() {
        for (url, backend) in [
            ("sqlite:rollout.db", Backend::Sqlite),
            ("sqlite::memory:", Backend::Sqlite),
            ("SQLITE://data/x.db", Backend::Sqlite),
            ("postgres://postgres@127.0.0.1/db", Backend::Postgres),
            ("postgresql://u:p@db:5432/rollout", Backend::Postgres),
        ] {
            assert_eq!(
                Backend::for_url(&DatabaseUrl::new(url)).unwrap(),
                backend,
                "{url}"
            );
        }
    }

    #[test]
    fn other_schemes_are_refused_without_showing_the_password() {
        let err =
            Backend::for_url(&DatabaseUrl::new("mysql://root:hunter2@db/rollout")).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USER);
        let msg = err.to_string();
        assert!(
            msg.starts_with("unsupported database URL mysql://root:***@db/rollout"),
            "{msg}"
        );
        assert!(!msg.contains("hunter2"));
    }
}
