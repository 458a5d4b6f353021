//! One module per subcommand. Each returns a [`CliError`] on failure and writes its normal output
//! to stdout; progress and logs go to stderr.

pub mod audit;
pub mod backup;
pub mod demo;
pub mod deps;
pub mod identity;
pub mod import;
pub mod migrate;
pub mod migrate_data;
pub mod reminders;
pub mod report;
pub mod restore;
pub mod schema;
pub mod serve;
pub mod verify;
pub mod workflow;

mod progress;

use crate::cli::{AuditCommand, Command, DepsCommand, ImportCommand, WorkflowCommand};
use crate::config::Config;
use crate::error::CliError;

/// Runs a parsed command with the resolved configuration.
pub async fn run(command: Command, config: Config) -> Result<(), CliError> {
    match command {
        Command::Serve(args) => serve::run(&config, args.demo, args.replay).await,
        Command::Migrate(_) => migrate::run(&config).await,
        Command::MigrateData(args) => migrate_data::run(&config, &args).await,
        Command::Reminders(c) => reminders::run(&config, &c).await,
        Command::Report(c) => report::run(&config, &c).await,
        Command::Schema => {
            schema::run();
            Ok(())
        }
        Command::Workflow(WorkflowCommand::Check { file }) => workflow::check(&file),
        Command::Workflow(WorkflowCommand::Dot { file }) => workflow::dot(file.as_deref()),
        Command::Import(ImportCommand::Bureaus(args)) => {
            import::run(&config, import::Kind::Bureaus, &args).await
        }
        Command::Import(ImportCommand::Procedures(args)) => {
            import::run(&config, import::Kind::Procedures, &args).await
        }
        Command::Import(ImportCommand::LawChanges(args)) => {
            import::run(&config, import::Kind::LawChanges, &args).await
        }
        Command::Import(ImportCommand::Milestones(args)) => {
            import::run(&config, import::Kind::Milestones, &args).await
        }
        Command::Import(ImportCommand::Dependencies(args)) => {
            import::run(&config, import::Kind::Dependencies, &args).await
        }
        Command::Deps(DepsCommand::Dot(args)) => {
            print!("{}", deps::dot(&config, &args).await?);
            Ok(())
        }
        Command::Demo(args) => demo::run(&config, &args).await,
        Command::User(c) => identity::user(&config, c).await,
        Command::Token(c) => identity::token(&config, c).await,
        Command::Audit(AuditCommand::Export(args)) => audit::export(&config, args).await,
        Command::Verify(_) => verify::run(&config).await,
        Command::Backup(args) => backup::run(&config, &args).await,
        Command::Restore(args) => restore::run(&config, &args).await,
    }
}
