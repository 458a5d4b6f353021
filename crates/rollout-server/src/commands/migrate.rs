//! `rollout migrate`: applies pending migrations and exits. `serve`, `import` and `demo`
//! migrate on start as well; this command exists for deployments that migrate as a separate
//! step (a Kubernetes init container or a release job) before replicas start.

use crate::backend::Database;
use crate::config::Config;
use crate::error::CliError;

pub async fn run(config: &Config) -> Result<(), CliError> {
    let db = Database::connect(&config.database_url).await?;
    db.close().await;
    println!(
        "{} database {} is up to date",
        db.backend.name(),
        config.database_url
    );
    Ok(())
}
