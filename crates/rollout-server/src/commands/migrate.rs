//! `rollout migrate`: applies pending migrations and exits. `serve`, `import` and `demo`
//! migrate on start as well; this command exists for deployments that migrate as a separate
//! step (a Kubernetes init container or a release job) before replicas start.

use crate::backend::{Database, sqlite_file};
use crate::config::Config;
use crate::error::CliError;

pub async fn run(config: &Config) -> Result<(), CliError> {
    let url = &config.database_url;
    // Only a SQLite file can be seen to be new; a PostgreSQL database must exist beforehand.
    let created = sqlite_file(url).is_some_and(|f| !f.exists());
    let db = Database::connect(url).await?;
    db.close().await;
    let (backend, version) = (db.backend.name(), db.schema_version());
    if created {
        println!("created {backend} database {url} and migrated it to version {version}");
    } else {
        println!("{backend} database {url} is migrated to version {version} (the latest)");
    }
    Ok(())
}
