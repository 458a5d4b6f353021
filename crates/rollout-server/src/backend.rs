//! The one place that knows which database is in use. It reads the URL's scheme, connects the
//! matching store, migrates it (or, with migrations off, only checks that the schema is this
//! build's) and hands out an `Arc<dyn Store>`; everything above speaks the
//! store trait only. It also keeps a typed handle so that shutdown can close the pool and the
//! event relay (`events.rs`) can use PostgreSQL's LISTEN/NOTIFY, which the trait (rightly) does
//! not offer to use cases.

use std::path::PathBuf;
use std::sync::Arc;

use rollout_store::{SchemaState, Store, StoreError};
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

/// The file a SQLite URL names (`sqlite:x.db`, `sqlite://x.db`, `sqlite:///abs/x.db`, as sqlx
/// reads them), or `None` for an in-memory database or another scheme.
pub fn sqlite_file(url: &DatabaseUrl) -> Option<PathBuf> {
    let raw = url.expose();
    let scheme = raw.get(..7)?;
    if !scheme.eq_ignore_ascii_case("sqlite:") {
        return None;
    }
    let rest = &raw[7..];
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or(rest);
    let in_memory = path.is_empty() || path == ":memory:" || raw.contains("mode=memory");
    (!in_memory).then(|| PathBuf::from(path))
}

/// sqlx 0.9 connects as a user called "anonymous" when a PostgreSQL URL names none, which fails
/// deep in the server with `role "anonymous" does not exist`. Refuse such a URL up front, unless
/// `PGUSER` (which sqlx reads) or a `user=` parameter names one.
fn check_postgres_user(url: &DatabaseUrl, pguser: Option<&str>) -> Result<(), CliError> {
    let raw = url.expose();
    let Some(rest) = raw.split_once("://").map(|(_, r)| r) else {
        return Ok(());
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let in_authority = authority
        .rsplit_once('@')
        .is_some_and(|(user, _)| !user.split(':').next().unwrap_or("").is_empty());
    let in_query = rest.split_once('?').is_some_and(|(_, q)| {
        q.split('&')
            .any(|p| p.len() > 5 && p[..5].eq_ignore_ascii_case("user="))
    });
    if in_authority || in_query || pguser.is_some_and(|u| !u.is_empty()) {
        return Ok(());
    }
    Err(CliError::user(format!(
        "the PostgreSQL URL {url} names no user (the driver would try a user called \"anonymous\"): \
         write one, as in postgres://postgres@127.0.0.1:5432/rollout, or set PGUSER"
    )))
}

impl Database {
    /// [`Self::connect`] for commands that only read or add to existing data: a SQLite file
    /// that does not exist is refused, naming its path, rather than created empty (where the
    /// command could only answer "not found").
    pub async fn open_existing(url: &DatabaseUrl, migrate: bool) -> Result<Self, CliError> {
        if let Some(file) = sqlite_file(url).filter(|f| !f.exists()) {
            return Err(CliError::user(format!(
                "no database at {} ({url}): create one with `rollout serve` or `rollout migrate`, \
                 or name another with --database-url",
                file.display()
            )));
        }
        Self::open(url, migrate).await
    }

    /// Connects to the database at `url` and applies pending migrations. A connection failure is
    /// reported as the database being unavailable (exit code 3), with the URL redacted.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, CliError> {
        Self::open(url, true).await
    }

    /// [`Database::connect`], or with `migrate` false only a check that every migration of this
    /// build is applied (and no other): for servers whose role may not change the schema, run
    /// after `rollout migrate` has been run as the schema's owner.
    pub async fn open(url: &DatabaseUrl, migrate: bool) -> Result<Self, CliError> {
        let db = Self::connect_as_is(url).await?;
        let ready = if migrate {
            match db.refuse_newer().await {
                Ok(()) => db.migrate().await,
                Err(e) => Err(e),
            }
        } else {
            db.check_schema().await
        };
        if let Err(e) = ready {
            db.close().await;
            return Err(e.in_context(url));
        }
        tracing::info!(database = %url, backend = db.backend.name(), migrate, "database connected and up to date");
        Ok(db)
    }

    /// Connects without migrating or checking the schema: for commands that judge the schema
    /// themselves (`verify`, `backup`) and must leave the database exactly as they found it.
    pub async fn connect_as_is(url: &DatabaseUrl) -> Result<Self, CliError> {
        let backend = Backend::for_url(url)?;
        if backend == Backend::Postgres {
            check_postgres_user(url, std::env::var("PGUSER").ok().as_deref())?;
        }
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
        Ok(Self {
            backend,
            store,
            handle,
        })
    }

    /// How the database's schema compares with this build's, changing nothing.
    pub async fn schema_state(&self) -> Result<SchemaState, StoreError> {
        match &self.handle {
            Handle::Sqlite(s) => s.schema_state().await,
            Handle::Postgres(s) => s.schema_state().await,
        }
    }

    /// The SQLite store, for what only SQLite offers (a file copy with `VACUUM INTO`).
    pub fn sqlite(&self) -> Option<&SqliteStore> {
        match &self.handle {
            Handle::Sqlite(s) => Some(s),
            Handle::Postgres(_) => None,
        }
    }

    /// The newest schema version this binary knows, which `connect` has migrated to.
    pub fn schema_version(&self) -> i64 {
        Self::newest_schema(self.backend)
    }

    /// The newest schema version this binary knows for `backend`.
    pub fn newest_schema(backend: Backend) -> i64 {
        match backend {
            Backend::Sqlite => SqliteStore::schema_version(),
            Backend::Postgres => PgStore::schema_version(),
        }
    }

    async fn migrate(&self) -> Result<(), Unready> {
        let migrated = match &self.handle {
            Handle::Sqlite(s) => s.migrate().await,
            Handle::Postgres(s) => s.migrate().await,
        };
        migrated.map_err(Unready::Migrate)
    }

    /// Before migrating: a database that a newer rollout migrated is left alone. sqlx would
    /// refuse it too, but as "migration N was previously applied but is missing in the
    /// resolved migrations", which does not tell an operator to upgrade.
    async fn refuse_newer(&self) -> Result<(), Unready> {
        match self.schema_state().await.map_err(Unready::Check)? {
            state @ SchemaState::Newer { .. } => Err(Unready::Schema(state)),
            _ => Ok(()),
        }
    }

    async fn check_schema(&self) -> Result<(), Unready> {
        match self.schema_state().await.map_err(Unready::Check)? {
            SchemaState::Current => Ok(()),
            other => Err(Unready::Schema(other)),
        }
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

    /// The connection pools' figures, for the metrics.
    pub fn pool_stats(&self) -> Vec<rollout_store::PoolStats> {
        match &self.handle {
            Handle::Sqlite(s) => s.pool_stats(),
            Handle::Postgres(s) => s.pool_stats(),
        }
    }
}

/// Why a connected database cannot be used yet.
enum Unready {
    Migrate(StoreError),
    Check(StoreError),
    Schema(SchemaState),
}

impl Unready {
    fn in_context(self, url: &DatabaseUrl) -> CliError {
        match self {
            Self::Migrate(e) => CliError::store(format!("cannot migrate {url}"), e),
            Self::Check(e) => CliError::store(
                format!(
                    "cannot read which migrations {url} has (the role needs SELECT on _sqlx_migrations)"
                ),
                e,
            ),
            Self::Schema(state) => CliError::user(schema_message(url, &state)),
        }
    }
}

/// What to do about a schema that is not this build's, with migrations off.
pub fn schema_message(url: &DatabaseUrl, state: &SchemaState) -> String {
    let list = |versions: &[i64]| {
        versions
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match state {
        SchemaState::Current => format!("the schema of {url} is up to date"),
        SchemaState::Newer { database, build } => format!(
            "the database {url} is at schema version {database}, newer than this rollout \
             (version {build}): upgrade rollout to a release that has migration {database}; \
             the database was left unchanged"
        ),
        SchemaState::Behind { missing } => format!(
            "the schema of {url} is behind this build (migrations {} not applied) and \
             migrations are off (migrate = false): run `rollout migrate` as the schema's owner \
             first",
            list(missing)
        ),
        SchemaState::Diverged { versions } => format!(
            "the schema of {url} does not match this build (migrations {} were applied by \
             another build, or failed): run the build that migrated it, or restore a matching \
             schema",
            list(versions)
        ),
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
    fn sqlite_urls_name_their_file() {
        for (url, file) in [
            ("sqlite:rollout.db", Some("rollout.db")),
            ("sqlite://data/x.db?mode=rwc", Some("data/x.db")),
            ("SQLITE:///srv/x.db", Some("/srv/x.db")),
            ("sqlite::memory:", None),
            ("sqlite:x.db?mode=memory", None),
            ("postgres://u@h/db", None),
        ] {
            assert_eq!(
                sqlite_file(&DatabaseUrl::new(url)),
                file.map(PathBuf::from),
                "{url}"
            );
        }
    }

    #[test]
    fn a_postgres_url_must_name_its_user() {
        for (url, pguser, accepted) in [
            ("postgres://postgres@127.0.0.1:5432/db", None, true),
            ("postgres://u:p@db/x", None, true),
            ("postgres://db/x?sslmode=require&user=app", None, true),
            ("postgres://127.0.0.1:5432/db", Some("app"), true),
            ("postgres://127.0.0.1:5432/db", None, false),
            ("postgresql://:secret@db/x", None, false),
            ("postgres://db/x", Some(""), false),
        ] {
            let result = check_postgres_user(&DatabaseUrl::new(url), pguser);
            assert_eq!(result.is_ok(), accepted, "{url} {pguser:?}");
            if let Err(e) = result {
                let msg = e.to_string();
                assert!(
                    msg.contains("names no user") && msg.contains("PGUSER"),
                    "{msg}"
                );
                assert!(!msg.contains("secret"), "{msg}");
            }
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
