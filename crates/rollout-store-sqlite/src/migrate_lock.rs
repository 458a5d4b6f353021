//! The lock that lets one process at a time migrate a SQLite file: an exclusive advisory lock
//! (`flock`) on a sibling file, `<database>-migrate.lock`. It is not taken on the database file
//! itself: SQLite holds POSIX record locks there, and closing any other descriptor of that file
//! in the same process would silently drop them. The sibling file stays behind, empty; it holds
//! no data and may be deleted while no rollout runs.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use rollout_store::StoreError;

/// Held while migrating; dropping it (closing the file) releases the lock.
#[derive(Debug)]
pub(crate) struct MigrateLock {
    _file: File,
}

/// The lock file beside `database`.
pub(crate) fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-migrate.lock");
    PathBuf::from(name)
}

/// Waits (on a blocking thread) until this process holds the migration lock of `database`.
pub(crate) async fn acquire(database: &Path) -> Result<MigrateLock, StoreError> {
    let path = lock_path(database);
    tokio::task::spawn_blocking(move || {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| {
                StoreError::internal(format!("open the migration lock {}", path.display()), e)
            })?;
        file.lock().map_err(|e| {
            StoreError::internal(format!("lock the migration lock {}", path.display()), e)
        })?;
        Ok(MigrateLock { _file: file })
    })
    .await
    .map_err(|e| StoreError::internal("wait for the migration lock", e))?
}
