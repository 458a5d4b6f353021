//! Databases at an earlier schema version, for the upgrade and migrate-data tests: migrations
//! read from `migrations/<backend>` at run time (the same files the binary embeds, so the
//! same checksums) and applied one version at a time, each followed by that version's fixture
//! from `tests/fixtures/upgrade/` (see the README there). Also a plain dump
//! of every table as JSON objects, to compare a database before and after a change.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Map, Value};
use sqlx::migrate::Migrator;
use sqlx::{AssertSqlSafe, Connection, PgConnection, SqliteConnection};

use crate::common::{Backend, Db};

/// A table's rows, each a JSON object of its columns, sorted (by their JSON text).
pub type Rows = Vec<Map<String, Value>>;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dir_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

pub fn fixtures_dir() -> PathBuf {
    repo().join("tests/fixtures/upgrade")
}

/// Every migration of `backend`, as the binary embeds them.
pub async fn migrations(backend: Backend) -> Migrator {
    let dir = repo().join("migrations").join(dir_name(backend));
    Migrator::new(dir.as_path())
        .await
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
}

/// The schema versions of `backend`, oldest first.
pub async fn versions(backend: Backend) -> Vec<i64> {
    let mut versions: Vec<i64> = migrations(backend)
        .await
        .iter()
        .map(|m| m.version)
        .collect();
    versions.sort_unstable();
    versions
}

/// The fixture of `version` for `backend`: the rows only `backend` can read, if any
/// (`<backend>/NNNN.sql`: lists, which each stores its own way), then the shared ones
/// (`NNNN.sql`), which may refer to them; `None` when the shared file is missing.
pub fn fixture(backend: Backend, version: i64) -> Option<String> {
    let name = format!("{version:04}.sql");
    let shared = std::fs::read_to_string(fixtures_dir().join(&name)).ok()?;
    let own = std::fs::read_to_string(fixtures_dir().join(dir_name(backend)).join(&name))
        .unwrap_or_default();
    Some(format!("{own}\n{shared}"))
}

/// One connection to the test database, of either backend.
pub enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Conn {
    pub async fn open(db: &Db) -> Conn {
        match db.backend {
            Backend::Sqlite => {
                let options = db
                    .url
                    .parse::<sqlx::sqlite::SqliteConnectOptions>()
                    .expect("SQLite URL")
                    .create_if_missing(true);
                Conn::Sqlite(
                    SqliteConnection::connect_with(&options)
                        .await
                        .expect("open"),
                )
            }
            Backend::Postgres => {
                Conn::Postgres(PgConnection::connect(&db.url).await.expect("connect"))
            }
        }
    }

    /// Runs `sql` (several statements) in one transaction.
    pub async fn script(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        let sql = format!("BEGIN;\n{sql}\nCOMMIT;");
        match self {
            Conn::Sqlite(c) => sqlx::raw_sql(AssertSqlSafe(sql)).execute(c).await.map(drop),
            Conn::Postgres(c) => sqlx::raw_sql(AssertSqlSafe(sql)).execute(c).await.map(drop),
        }
    }

    async fn migrate(&mut self, migrator: &Migrator) {
        let result = match self {
            Conn::Sqlite(c) => migrator.run(c).await,
            Conn::Postgres(c) => migrator.run(c).await,
        };
        result.expect("migrate");
    }

    async fn strings(&mut self, sql: &str) -> Vec<String> {
        let sql = AssertSqlSafe(sql.to_owned());
        match self {
            Conn::Sqlite(c) => sqlx::query_scalar(sql).fetch_all(c).await,
            Conn::Postgres(c) => sqlx::query_scalar(sql).fetch_all(c).await,
        }
        .unwrap_or_else(|e| panic!("query failed: {e}"))
    }

    /// The newest version recorded in `_sqlx_migrations`.
    pub async fn schema_version(&mut self) -> i64 {
        let v = self
            .strings("SELECT CAST(MAX(version) AS TEXT) FROM _sqlx_migrations")
            .await;
        v[0].parse().expect("a version")
    }

    /// How many times each version is recorded in `_sqlx_migrations`.
    pub async fn recorded_versions(&mut self) -> Vec<String> {
        self.strings(
            "SELECT CAST(version AS TEXT) || ':' || CAST(COUNT(*) AS TEXT) FROM _sqlx_migrations \
             GROUP BY version ORDER BY version",
        )
        .await
    }

    /// The schema's tables, without sqlx's bookkeeping.
    pub async fn tables(&mut self) -> Vec<String> {
        let sql = match self {
            Conn::Sqlite(_) => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name"
            }
            Conn::Postgres(_) => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name <> '_sqlx_migrations' ORDER BY 1"
            }
        };
        self.strings(sql).await
    }

    /// Every row of `table` as a JSON object, sorted.
    pub async fn rows(&mut self, table: &str) -> Rows {
        let sql = match self {
            Conn::Sqlite(_) => {
                let columns = self
                    .strings(&format!("SELECT name FROM pragma_table_xinfo('{table}')"))
                    .await;
                let pairs: Vec<String> =
                    columns.iter().map(|c| format!("'{c}', \"{c}\"")).collect();
                format!("SELECT json_object({}) FROM \"{table}\"", pairs.join(", "))
            }
            Conn::Postgres(_) => format!("SELECT to_jsonb(t)::text FROM \"{table}\" t"),
        };
        let mut rows: Vec<String> = self.strings(&sql).await;
        rows.sort();
        rows.iter()
            .map(|r| match serde_json::from_str(r).expect("a JSON row") {
                Value::Object(map) => map,
                other => panic!("not an object: {other}"),
            })
            .collect()
    }

    /// Every table's rows.
    pub async fn dump(&mut self) -> BTreeMap<String, Rows> {
        let mut all = BTreeMap::new();
        for table in self.tables().await {
            let rows = self.rows(&table).await;
            all.insert(table, rows);
        }
        all
    }

    pub async fn close(self) {
        let _ = match self {
            Conn::Sqlite(c) => c.close().await,
            Conn::Postgres(c) => c.close().await,
        };
    }
}

/// Migrates the fresh `db` one version at a time up to `version`, loading each version's
/// fixture right after its migration, as a database used since that version would hold it.
pub async fn build_at(db: &Db, version: i64) {
    let all = migrations(db.backend).await;
    let mut conn = Conn::open(db).await;
    for step in versions(db.backend)
        .await
        .into_iter()
        .filter(|v| *v <= version)
    {
        let upto = Migrator {
            migrations: Cow::Owned(all.iter().filter(|m| m.version <= step).cloned().collect()),
            ..Migrator::DEFAULT
        };
        conn.migrate(&upto).await;
        let sql = fixture(db.backend, step)
            .unwrap_or_else(|| panic!("no upgrade fixture for version {step} ({:?})", db.backend));
        conn.script(&sql).await.unwrap_or_else(|e| {
            panic!(
                "fixture {step:04}.sql ({:?}) does not load: {e}",
                db.backend
            )
        });
    }
    conn.close().await;
}
