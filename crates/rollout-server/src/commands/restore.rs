//! `rollout restore --from FILE [--force]`: replaces the configured SQLite database with a
//! backup, after checking the backup and only ever replacing atomically.
//!
//! The order matters. The backup is judged first (`PRAGMA integrity_check`, a rollout database,
//! a schema not newer than this build), then copied next to the target, migrated there if it is
//! older, and checked with every `rollout verify` check; only a clean copy goes further. The
//! target is replaced only with `--force`, and only when no other process has it open (a
//! running server holds it: refused, since a server would keep writing to the replaced file).
//! The old file's WAL is checkpointed and its `-wal`/`-shm` removed before the rename (a stale
//! WAL beside the new file would be replayed into it), the copy is fsynced, renamed over the
//! target and the directory fsynced. A server started between the check and the rename is not
//! detected: stop the server first, as docs/operations.md says.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::Args;
use rollout_store_sqlite::backup::{Offline, inspect_file, take_offline};

use super::backup::{describe, existing_sqlite_file};
use super::verify;
use crate::backend::Database;
use crate::cli::{DatabaseArgs, WorkflowArgs};
use crate::config::Config;
use crate::database_url::DatabaseUrl;
use crate::error::CliError;

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to restore (a file `rollout backup` wrote).
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// Replace the database if it exists (stop the server first).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The workflow the server runs with (the restored states are checked against it).
    #[command(flatten)]
    pub workflow: WorkflowArgs,
}

/// `path` with `suffix` appended to its file name (`x.db` → `x.db-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> CliError {
    move |e| CliError::Internal {
        context,
        source: e.into(),
    }
}

/// Removes a database's `-wal` and `-shm` files if present.
fn remove_sidecars(db: &Path) -> Result<(), CliError> {
    // `-migrate.lock`: the empty file SQLite migrations lock (rollout_store_sqlite's
    // migrate_lock), made beside the restored copy when `connect` migrates it.
    for suffix in ["-wal", "-shm", "-journal", "-migrate.lock"] {
        let side = with_suffix(db, suffix);
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(format!("cannot remove {}", side.display()))(e)),
        }
    }
    Ok(())
}

/// Checks the backup file itself, read-only: sound, a rollout database, not newer than us.
async fn check_file(from: &Path) -> Result<String, CliError> {
    if !from.exists() {
        return Err(CliError::user(format!("no backup at {}", from.display())));
    }
    let report = inspect_file(from).await.map_err(|e| {
        CliError::store(
            format!("cannot read {} as a SQLite database", from.display()),
            e,
        )
    })?;
    if report.integrity != ["ok"] {
        return Err(CliError::user(format!(
            "{} fails PRAGMA integrity_check: {}",
            from.display(),
            report
                .integrity
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    let ours = Database::newest_schema(crate::backend::Backend::Sqlite);
    match report.schema_version {
        None => Err(CliError::user(format!(
            "{} is not a rollout database (it has no migrations table)",
            from.display()
        ))),
        Some(v) if v > ours => Err(CliError::user(format!(
            "{} has schema version {v}, newer than this build's {ours}: restore it with the \
             build that wrote it",
            from.display()
        ))),
        Some(_) => Ok(describe(from, &report)),
    }
}

pub async fn run(config: &Config, args: &RestoreArgs) -> Result<(), CliError> {
    let url = &config.database_url;
    let target = existing_sqlite_file(url, "restore")?;
    let from = &args.from;
    let described = check_file(from).await?;
    if target.exists() && !args.force {
        return Err(CliError::user(format!(
            "{} exists: rollout restore replaces a database only with --force (stop the server \
             first)",
            target.display()
        )));
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "rollout.db".to_owned());
    let tmp = target.with_file_name(format!(".{name}.restore-{}", std::process::id()));
    remove_sidecars(&tmp)?;
    std::fs::copy(from, &tmp).map_err(io(format!(
        "cannot copy {} next to the target",
        from.display()
    )))?;
    let prepared = prepare(&tmp, config).await;
    let prepared = match prepared {
        Ok(line) => replace(&tmp, &target, args.force).await.map(|()| line),
        Err(e) => Err(e),
    };
    if prepared.is_err() {
        let _ = std::fs::remove_file(&tmp);
        let _ = remove_sidecars(&tmp);
    }
    let checks = prepared?;
    println!(
        "restored {} into {url} ({described}); verify: {checks}",
        from.display()
    );
    Ok(())
}

/// Migrates the copy if it is older than this build, runs every verify check on it and leaves
/// it closed, checkpointed and fsynced. Returns the verify summary.
async fn prepare(tmp: &Path, config: &Config) -> Result<String, CliError> {
    let tmp_url = DatabaseUrl::new(format!("sqlite:{}", tmp.display()));
    Database::connect(&tmp_url).await?.close().await;
    let verified = verify::check(&tmp_url, config).await?;
    if !verified.report.findings.is_empty() {
        for line in verified.lines() {
            println!("{line}");
        }
        return Err(CliError::user(format!(
            "the backup has {} violation(s) (listed above): not restored",
            verified.report.findings.len()
        )));
    }
    offline(tmp).await?;
    remove_sidecars(tmp)?;
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(io(format!("cannot sync {}", tmp.display())))?;
    Ok(format!(
        "{} checks, no violations",
        verified.report.checks.len()
    ))
}

async fn offline(db: &Path) -> Result<(), CliError> {
    match take_offline(db).await {
        Ok(Offline::Taken) => Ok(()),
        Ok(Offline::InUse) => Err(CliError::user(format!(
            "{} is in use by another process (a running server?): stop it before restoring",
            db.display()
        ))),
        Err(e) => Err(CliError::store(format!("cannot lock {}", db.display()), e)),
    }
}

/// Puts the prepared copy in the target's place: the old file offline (refused while in use)
/// and its WAL gone, then one rename and an fsync of the directory.
async fn replace(tmp: &Path, target: &Path, force: bool) -> Result<(), CliError> {
    if target.exists() {
        debug_assert!(force);
        offline(target).await?;
        remove_sidecars(target)?;
    }
    std::fs::rename(tmp, target).map_err(io(format!(
        "cannot move the restored copy to {}",
        target.display()
    )))?;
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(format!("cannot sync {}", dir.display())))?;
    Ok(())
}
