//! The file-level operations behind `rollout backup` and `rollout restore`, which only SQLite
//! offers (a PostgreSQL database is copied with pg_dump): a consistent online copy with
//! `VACUUM INTO`, a read-only inspection of a copy (integrity, migrations, row counts) that
//! leaves the file byte-for-byte as it was, and taking a database file offline, which fails
//! while any other process (a running server) has it open.

use std::path::Path;
use std::time::Duration;

use rollout_store::StoreError;
use rollout_store::integrity::COUNTED_TABLES;
use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, SqliteConnection};

use crate::SqliteStore;
use crate::errors::ctx;

/// What a database file holds, read without changing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// What `PRAGMA integrity_check` said: `["ok"]` for a sound file.
    pub integrity: Vec<String>,
    /// The newest migration recorded as applied, `None` when the file has no migrations table
    /// (it is not a rollout database).
    pub schema_version: Option<i64>,
    /// Rows per table of [`COUNTED_TABLES`] (those present).
    pub counts: Vec<(String, i64)>,
}

impl SqliteStore {
    /// Writes a consistent copy of the database to the new file `to` with `VACUUM INTO`, while
    /// other processes keep writing: SQLite reads one snapshot for the whole copy (a read
    /// transaction in WAL mode blocks no writer), and the copy includes what the WAL holds. It
    /// runs on this store's writer connection, since `query_only` readers may not run VACUUM;
    /// the copy takes no write lock on the source. SQLite refuses to write into a file that
    /// exists and is not empty; the command checks first to say so clearly.
    pub async fn backup_into(&self, to: &Path) -> Result<(), StoreError> {
        let path = to.to_str().ok_or_else(|| {
            StoreError::internal(
                "backup path",
                std::io::Error::other("the path is not valid UTF-8"),
            )
        })?;
        sqlx::query("VACUUM INTO ?")
            .bind(path)
            .execute(&self.writer)
            .await
            .map_err(ctx("copy the database (VACUUM INTO)"))?;
        Ok(())
    }
}

/// Opens `path` read-only (never creating it), with one connection.
async fn open_read_only(path: &Path) -> Result<SqliteConnection, StoreError> {
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false)
        .connect()
        .await
        .map_err(ctx("open the database file read-only"))
}

/// Reads what a database file holds without changing it: its integrity check, the newest
/// applied migration and row counts.
pub async fn inspect_file(path: &Path) -> Result<FileReport, StoreError> {
    let mut conn = open_read_only(path).await?;
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(ctx("run PRAGMA integrity_check"))?;
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut conn)
            .await
            .map_err(ctx("list tables"))?;
    let schema_version = if tables.iter().any(|t| t == "_sqlx_migrations") {
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await
            .map_err(ctx("read the applied migrations"))?
    } else {
        None
    };
    let mut counts = Vec::new();
    for table in COUNTED_TABLES
        .iter()
        .filter(|t| tables.iter().any(|n| n == *t))
    {
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&mut conn)
            .await
            .map_err(ctx("count rows"))?;
        counts.push(((*table).to_owned(), n));
    }
    conn.close().await.map_err(ctx("close the database file"))?;
    Ok(FileReport {
        integrity,
        schema_version,
        counts,
    })
}

/// Whether [`take_offline`] got the database to itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offline {
    /// Locked, checkpointed and closed: nothing else had it open.
    Taken,
    /// Another connection (a running server's, a `rollout` command's) has it open.
    InUse,
}

/// Takes the database at `path` offline for a replacement: with an exclusive lock (which any
/// other open connection, such as a running server's, prevents: then [`Offline::InUse`]),
/// checkpoints its WAL into the file and closes, so that no committed transaction is left only
/// in a `-wal` file the caller is about to delete. Another process may still open the file
/// afterwards; the caller says that the server must be stopped.
pub async fn take_offline(path: &Path) -> Result<Offline, StoreError> {
    let connected = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .locking_mode(SqliteLockingMode::Exclusive)
        .busy_timeout(Duration::ZERO)
        .connect()
        .await;
    let mut conn = match connected {
        Ok(conn) => conn,
        Err(e) if is_busy(&e) => return Ok(Offline::InUse),
        Err(e) => return Err(crate::errors::from_sqlx("open the database to replace", e)),
    };
    if let Err(e) = sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await {
        let _ = conn.close().await;
        return if is_busy(&e) {
            Ok(Offline::InUse)
        } else {
            Err(crate::errors::from_sqlx("lock the database to replace", e))
        };
    }
    sqlx::query("COMMIT")
        .execute(&mut conn)
        .await
        .map_err(ctx("release the lock"))?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .map_err(ctx("checkpoint the WAL"))?;
    conn.close()
        .await
        .map_err(ctx("close the database to replace"))?;
    Ok(Offline::Taken)
}

/// SQLITE_BUSY (5) or SQLITE_LOCKED (6), extended codes included: another connection holds a
/// lock on the file or on the WAL's shared memory.
fn is_busy(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d
        .code()
        .and_then(|c| c.parse::<i64>().ok())
        .is_some_and(|c| matches!(c & 0xff, 5 | 6)))
}
