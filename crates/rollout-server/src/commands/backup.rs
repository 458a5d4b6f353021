//! `rollout backup --to FILE`: a consistent copy of a SQLite database while a server keeps
//! writing to it (`VACUUM INTO`: one read snapshot, no write lock), into a new file that is
//! never an existing one; then a summary read back from the copy (size, schema version, rows).
//! A PostgreSQL database is refused with the pointer to pg_dump: its consistent copy is
//! pg_dump's job, and point-in-time recovery needs WAL archiving, neither of which a copy made
//! by rollout could replace.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use rollout_store_sqlite::backup::{FileReport, inspect_file};

use crate::backend::{Backend, Database, sqlite_file};
use crate::cli::DatabaseArgs;
use crate::config::Config;
use crate::database_url::DatabaseUrl;
use crate::error::CliError;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file to write the copy to; an existing file is never overwritten.
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Where PostgreSQL operators are sent instead.
pub const POSTGRES_DOCS: &str = "\"Backups and restores\" in docs/operations.md";

/// The SQLite file of `url`, which must exist, or why this command cannot work on it (`what`
/// names the command for the message).
pub fn existing_sqlite_file(url: &DatabaseUrl, what: &str) -> Result<PathBuf, CliError> {
    if Backend::for_url(url)? == Backend::Postgres {
        let tool = if what == "backup" {
            "pg_dump --format=custom"
        } else {
            "pg_restore"
        };
        return Err(CliError::user(format!(
            "rollout {what} works on SQLite databases only; {url} is PostgreSQL: use {tool} \
             (see {POSTGRES_DOCS}), then `rollout verify`"
        )));
    }
    sqlite_file(url).ok_or_else(|| {
        CliError::user(format!(
            "{url} is an in-memory database: there is no file to {what}"
        ))
    })
}

/// `12.3 MB, schema version 10, 44 procedures, …`: what a report says about a file.
pub fn describe(path: &Path, report: &FileReport) -> String {
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let version = report
        .schema_version
        .map_or_else(|| "no schema".to_owned(), |v| format!("schema version {v}"));
    let mut parts = vec![format!("{bytes} bytes"), version];
    parts.extend(report.counts.iter().map(|(t, n)| format!("{n} {t}")));
    parts.join(", ")
}

pub async fn run(config: &Config, args: &BackupArgs) -> Result<(), CliError> {
    let url = &config.database_url;
    let source = existing_sqlite_file(url, "backup")?;
    if !source.exists() {
        return Err(CliError::user(format!(
            "no database at {} ({url}): nothing to back up",
            source.display()
        )));
    }
    let to = &args.to;
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(CliError::user(format!(
            "{} already exists: rollout backup never overwrites a file; name a new one (or \
             remove that one first)",
            to.display()
        )));
    }
    eprintln!("copying {url} to {} …", to.display());
    let started = Instant::now();
    let db = Database::connect_as_is(url).await?;
    let copied = match db.sqlite() {
        Some(store) => store.backup_into(to).await,
        None => unreachable!("existing_sqlite_file refused every other backend"),
    };
    db.close().await;
    copied.map_err(|e| CliError::store(format!("cannot copy {url} to {}", to.display()), e))?;
    let io = |e: std::io::Error| CliError::Internal {
        context: format!("cannot sync {}", to.display()),
        source: e.into(),
    };
    std::fs::File::open(to)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    let report = inspect_file(to)
        .await
        .map_err(|e| CliError::store(format!("cannot read the copy {}", to.display()), e))?;
    println!(
        "backed up {url} to {} in {:.1} s: {}",
        to.display(),
        started.elapsed().as_secs_f64(),
        describe(to, &report)
    );
    Ok(())
}
