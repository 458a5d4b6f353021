//! A fingerprint of everything a database holds, for tests that must prove a refused request
//! wrote nothing: every row of every table, rendered as text and compared before and after.
//! It reads the table list from the database itself, so the tables later migrations add are
//! covered without touching this file.
//!
//! Left out on purpose: the audit trail (refused attempts are recorded there by design, and its
//! own tests prove it cannot be rewritten), sqlx's migration bookkeeping, and a token's
//! `last_used_at` (authentication bookkeeping, not data a mutation writes).

use std::collections::BTreeMap;

use sqlx::Row;

use super::{Backend, TestServer};

const SKIPPED_TABLES: [&str; 1] = ["audit_log"];
const SKIPPED_COLUMNS: [&str; 1] = ["last_used_at"];

/// An open connection to the server's database, for taking fingerprints.
#[derive(Debug)]
pub enum Fingerprinter {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Table name → its rows rendered as text, in a stable order.
pub type Fingerprint = BTreeMap<String, String>;

impl TestServer {
    pub async fn fingerprinter(&self) -> Fingerprinter {
        match self.backend {
            Backend::Sqlite => Fingerprinter::Sqlite(
                sqlx::SqlitePool::connect(&self.database_url)
                    .await
                    .expect("open the SQLite database"),
            ),
            Backend::Postgres => Fingerprinter::Postgres(
                sqlx::PgPool::connect(&self.database_url)
                    .await
                    .expect("connect to the PostgreSQL database"),
            ),
        }
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Fingerprinter {
    pub async fn take(&self) -> Fingerprint {
        let mut fingerprint = Fingerprint::new();
        for (table, columns) in self.tables().await {
            let columns: Vec<String> = columns
                .iter()
                .filter(|c| !SKIPPED_COLUMNS.contains(&c.as_str()))
                .map(|c| quoted(c))
                .collect();
            let rows = self.rows(&table, &columns).await;
            fingerprint.insert(table, rows);
        }
        fingerprint
    }

    /// The application's tables and their columns.
    async fn tables(&self) -> Vec<(String, Vec<String>)> {
        let rows = match self {
            Self::Sqlite(pool) => sqlx::query(
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'
                 ORDER BY m.name, p.cid",
            )
            .fetch_all(pool)
            .await
            .map(|rows| rows.iter().map(|r| (r.get(0), r.get(1))).collect()),
            Self::Postgres(pool) => sqlx::query(
                "SELECT table_name::text, column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%'
                 ORDER BY table_name, ordinal_position",
            )
            .fetch_all(pool)
            .await
            .map(|rows| rows.iter().map(|r| (r.get(0), r.get(1))).collect()),
        };
        let rows: Vec<(String, String)> = rows.expect("listing the tables failed");
        let mut tables: Vec<(String, Vec<String>)> = Vec::new();
        for (table, column) in rows {
            if SKIPPED_TABLES.contains(&table.as_str()) {
                continue;
            }
            match tables.last_mut() {
                Some((last, columns)) if *last == table => columns.push(column),
                _ => tables.push((table, vec![column])),
            }
        }
        assert!(
            tables.iter().any(|(t, _)| t == "procedures"),
            "no tables found: {tables:?}"
        );
        tables
    }

    /// Every row of `table` as one text, rows sorted, so the order of storage does not matter.
    async fn rows(&self, table: &str, columns: &[String]) -> String {
        let result = match self {
            Self::Sqlite(pool) => {
                let row = columns
                    .iter()
                    .map(|c| format!("quote({c})"))
                    .collect::<Vec<_>>()
                    .join(" || ',' || ");
                let sql = format!(
                    "SELECT COALESCE(group_concat(r, '|'), '') FROM (SELECT {row} AS r FROM {} ORDER BY 1)",
                    quoted(table)
                );
                sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql))
                    .fetch_one(pool)
                    .await
            }
            Self::Postgres(pool) => {
                let row = columns
                    .iter()
                    .map(|c| format!("quote_nullable({c}::text)"))
                    .collect::<Vec<_>>()
                    .join(" || ',' || ");
                let sql = format!(
                    "SELECT COALESCE(string_agg(r, '|' ORDER BY r), '') FROM (SELECT {row} AS r FROM {}) s",
                    quoted(table)
                );
                sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql))
                    .fetch_one(pool)
                    .await
            }
        };
        result.unwrap_or_else(|e| panic!("reading {table} failed: {e}"))
    }

    pub async fn close(self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// The tables whose rows differ between two fingerprints.
pub fn changed_tables(before: &Fingerprint, after: &Fingerprint) -> Vec<String> {
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|t| before.get(*t) != after.get(*t))
        .cloned()
        .collect()
}
