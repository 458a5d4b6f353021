//! Fresh databases for each part of a run: SQLite files in the run's scratch directory, and
//! PostgreSQL databases named `rollout_bench_<pid>_<label>` created through the admin URL and
//! always dropped at the end ([`Databases::drop_all`], which `main` calls whatever happened).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use serde::Serialize;
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// How long a PostgreSQL server gets to answer before it counts as not reachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn label(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// Creates fresh databases and remembers the PostgreSQL ones to drop.
#[derive(Debug)]
pub struct Databases {
    scratch: PathBuf,
    postgres_admin: String,
    created: Vec<String>,
}

impl Databases {
    pub fn new(scratch: PathBuf, postgres_admin: String) -> Self {
        Self {
            scratch,
            postgres_admin,
            created: Vec::new(),
        }
    }

    /// The URL of a new, empty database (no schema yet) for `label`.
    pub async fn fresh(&mut self, backend: Backend, label: &str) -> anyhow::Result<String> {
        match backend {
            Backend::Sqlite => {
                let path = self.scratch.join(format!("{label}.db"));
                Ok(format!("sqlite:{}", path.display()))
            }
            Backend::Postgres => {
                let name = format!("rollout_bench_{}_{label}", std::process::id());
                let mut admin = self.admin().await?;
                // One statement each: several in one string run as one transaction, which
                // CREATE DATABASE refuses.
                for sql in [
                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    format!("CREATE DATABASE {name}"),
                ] {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&mut admin)
                        .await
                        .with_context(|| format!("cannot create PostgreSQL database {name}"))?;
                }
                admin.close().await.ok();
                self.created.push(name.clone());
                Ok(with_database(&self.postgres_admin, &name))
            }
        }
    }

    async fn admin(&self) -> anyhow::Result<PgConnection> {
        connect_postgres(&self.postgres_admin).await
    }

    /// The server's version string, or why it cannot be reached.
    pub async fn postgres_version(&self) -> anyhow::Result<String> {
        let mut admin = self.admin().await?;
        let version: String = sqlx::query_scalar("SHOW server_version")
            .fetch_one(&mut admin)
            .await
            .context("cannot ask PostgreSQL for its version")?;
        admin.close().await.ok();
        Ok(version)
    }

    /// Drops every PostgreSQL database this run created, disconnecting whoever still uses it.
    /// Returns the names that could not be dropped.
    pub async fn drop_all(&mut self) -> Vec<String> {
        if self.created.is_empty() {
            return Vec::new();
        }
        let Ok(mut admin) = self.admin().await else {
            return std::mem::take(&mut self.created);
        };
        let mut left = Vec::new();
        for name in std::mem::take(&mut self.created) {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            if sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut admin)
                .await
                .is_err()
            {
                left.push(name);
            }
        }
        admin.close().await.ok();
        left
    }
}

pub async fn connect_postgres(url: &str) -> anyhow::Result<PgConnection> {
    match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(url)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(anyhow::anyhow!(
            "PostgreSQL not reachable at {}: {e}",
            without_password(url)
        )),
        Err(_) => Err(anyhow::anyhow!(
            "PostgreSQL not reachable at {}: no answer within {CONNECT_TIMEOUT:?}",
            without_password(url)
        )),
    }
}

/// `url` with its database name replaced by `name`, keeping user, host, port and parameters.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// For messages: the URL with any password replaced.
pub fn without_password(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    match (url[start..].find('@'), url[start..].find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!("{}***{}", &url[..start + colon + 1], &url[start + at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_swapped_and_the_rest_kept() {
        assert_eq!(
            with_database(
                "postgres://postgres@127.0.0.1:5432/postgres",
                "rollout_bench_1_x"
            ),
            "postgres://postgres@127.0.0.1:5432/rollout_bench_1_x"
        );
        assert_eq!(
            with_database("postgres://u:p@db/postgres?sslmode=disable", "b"),
            "postgres://u:p@db/b?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@db:5432", "b"),
            "postgres://u@db:5432/b"
        );
    }

    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(
            without_password("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1:5432/x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
    }
}
