//! The command line (clap derive). Flags that are also settings (`--database-url`, `--listen`,
//! `--workflow`) override the config file and the environment; see [`crate::config`].

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use crate::commands::backup::BackupArgs;
pub use crate::commands::deps::{DepsCommand, DepsDotArgs};
pub use crate::commands::reminders::RemindersCommand;
pub use crate::commands::report::ReportCommand;
pub use crate::commands::restore::RestoreArgs;
pub use crate::commands::verify::VerifyArgs;
use crate::config::Layer;
use crate::database_url::DatabaseUrl;

/// What `rollout --help` says first: the product, for the people who run it.
const ABOUT: &str = "rollout: follow each administrative procedure's move online, from hearing to \
release, with approvals and an audit trail (a GraphQL API on SQLite or PostgreSQL)";

const AFTER_HELP: &str = "Start with `rollout serve --demo` (demo data, users and their API tokens \
printed once), then open http://127.0.0.1:8080/graphql. Settings come from ./rollout.toml, \
ROLLOUT_* variables and flags, in that order.";

#[derive(Debug, Parser)]
#[command(
    name = "rollout",
    version,
    about = ABOUT,
    after_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    /// Read settings from FILE instead of ./rollout.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (and GraphiQL) over HTTP until SIGINT or SIGTERM.
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate(DatabaseArgs),
    /// Copy a whole SQLite database into a new, empty PostgreSQL database (one transaction).
    MigrateData(MigrateDataArgs),
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Check or draw workflow definition files.
    #[command(subcommand)]
    Workflow(WorkflowCommand),
    /// Import bureaus, procedures, law changes, milestones or dependencies from a CSV file:
    /// all rows or none.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Look at the dependency graph (law changes, milestones, procedures).
    #[command(subcommand)]
    Deps(DepsCommand),
    /// Reminders: evaluate due ticks once (for an external cron), preview a rule.
    #[command(subcommand)]
    Reminders(RemindersCommand),
    /// Reports for the project office: the quarterly progress report (Markdown, HTML, XLSX).
    #[command(subcommand)]
    Report(ReportCommand),
    /// Load demo data into an empty database (with --users, the demo users too).
    Demo(DemoArgs),
    /// Manage users: add, list, disable.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens: create (the secret is shown once), list, revoke.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Read the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check a database's invariants (after a restore or an upgrade): exit 0 when all hold, 1
    /// with one line per violation.
    Verify(VerifyArgs),
    /// Copy a SQLite database to a new file, consistently, while a server writes to it.
    Backup(BackupArgs),
    /// Replace the SQLite database with a checked backup (stop the server first).
    Restore(RestoreArgs),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user.
    Add {
        /// Their e-mail address, which they are known by (case does not matter).
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// ADMIN, PROJECT_OFFICE, BUREAU_COORDINATOR, VIEWER or REVIEW_INTAKE (the
        /// e-application sites' review form: it may only submit user reviews).
        #[arg(long)]
        role: String,
        /// Bureau code (bureau coordinators only).
        #[arg(long)]
        bureau: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List users.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Disable a user: they can no longer authenticate; their history stays.
    Disable {
        /// The user's e-mail address.
        email: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a user and print its secret (only this once).
    Create {
        /// The owner's e-mail address.
        #[arg(long)]
        user: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// Expire after this many days (no expiry without it).
        #[arg(long, value_name = "DAYS")]
        expires_in_days: Option<u32>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List tokens (of one user with --user).
    List {
        /// Only the tokens of the user with this e-mail address.
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a token: nobody can authenticate with it any more.
    Revoke {
        /// The token's id or its prefix (`rlt_…`), as `token list` shows them.
        #[arg(value_name = "ID|PREFIX")]
        token: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Write the audit trail between two instants as CSV or JSON Lines.
    Export(AuditExportArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct AuditExportArgs {
    /// From this instant (inclusive): 2026-04-01 (midnight in Tokyo) or RFC 3339.
    #[arg(long)]
    pub since: Option<String>,
    /// Until this instant (exclusive).
    #[arg(long)]
    pub until: Option<String>,
    /// JSON Lines (one entry per line) or CSV with a header row.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: ExportFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Database URL, SQLite or PostgreSQL (its forms are in the `help` text, which is plain
    /// text for the terminal rather than a doc comment: rustdoc would read `[:PORT]` as a link).
    #[arg(
        long,
        value_name = "URL",
        help = "Database URL: sqlite:FILE or postgres://USER[:PASSWORD]@HOST[:PORT]/DB"
    )]
    pub database_url: Option<DatabaseUrl>,
}

#[derive(Debug, Args)]
pub struct MigrateDataArgs {
    /// The SQLite database to copy, e.g. sqlite:rollout.db (left unchanged).
    #[arg(long, value_name = "URL")]
    pub from: DatabaseUrl,
    /// The empty PostgreSQL database to copy into: postgres://USER[:PASSWORD]@HOST[:PORT]/DB.
    #[arg(long, value_name = "URL")]
    pub to: DatabaseUrl,
}

#[derive(Debug, Args)]
pub struct WorkflowArgs {
    /// Workflow definition (TOML) replacing the embedded default.
    #[arg(long, value_name = "FILE")]
    pub workflow: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub workflow: WorkflowArgs,
    /// Load the demo data (31 bureaus, 44 real procedures) if the database is empty.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: load the programme's own history instead (deploy/demo/history/).
    #[arg(long, requires = "demo")]
    pub replay: bool,
}

#[derive(Debug, Subcommand)]
pub enum WorkflowCommand {
    /// Validate a workflow file: prints a summary, or every error (exit code 1).
    Check {
        /// The workflow definition (TOML) to check.
        file: PathBuf,
    },
    /// Print a workflow as a Graphviz DOT graph, with approval gates and guards on the edges.
    Dot {
        /// The workflow definition (TOML); the embedded default without it.
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// CSV file, UTF-8 with or without a byte-order mark.
    pub file: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub workflow: WorkflowArgs,
    /// Name recorded as the actor of the creation records.
    #[arg(long, default_value = "import")]
    pub actor: String,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Header: code,name_ja,name_en
    Bureaus(ImportArgs),
    /// Header: code,name,name_en,bureau_code,category,authority,annual_applications,process_count,platform,target_quarter
    /// (deploy/demo/procedures.csv is not such a file: `rollout demo` loads it)
    Procedures(ImportArgs),
    /// Header: code,title_ja,title_en,level,ministry_ja,ministry_en,law_name,article,owner_bureau_code,status,requested_on,expected_effective_on,enacted_on,notes
    LawChanges(ImportArgs),
    /// Header: name,platform,planned_on,status,done_on,notes
    Milestones(ImportArgs),
    /// Header: procedure_code,on_kind,on_code,reason (on_kind LAW_CHANGE, MILESTONE or
    /// PROCEDURE; on_code the law change code, milestone name or procedure code)
    Dependencies(ImportArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many generated procedures to add to the 44 real ones.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub synthetic: usize,
    /// Also create the demo users (one per role) and print their API tokens, once.
    #[arg(long)]
    pub users: bool,
    /// Load the programme's own history instead: the procedures of deploy/demo/history/ moving
    /// on the dates that reproduce its published figures, 2020-04 to 2025-09 (not with
    /// --synthetic).
    #[arg(long, conflicts_with = "synthetic")]
    pub replay: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub workflow: WorkflowArgs,
}

impl Command {
    /// The settings given as flags, as the top configuration layer.
    pub fn flags(&self) -> Layer {
        let (database, workflow, listen) = match self {
            Self::Serve(a) => (Some(&a.database), Some(&a.workflow), a.listen),
            Self::Migrate(d) => (Some(d), None, None),
            Self::Import(
                ImportCommand::Bureaus(a)
                | ImportCommand::Procedures(a)
                | ImportCommand::LawChanges(a)
                | ImportCommand::Milestones(a)
                | ImportCommand::Dependencies(a),
            ) => (Some(&a.database), Some(&a.workflow), None),
            Self::Deps(DepsCommand::Dot(a)) => (Some(&a.database), Some(&a.workflow), None),
            Self::Reminders(RemindersCommand::RunOnce(a)) => {
                (Some(&a.database), Some(&a.workflow), None)
            }
            Self::Reminders(RemindersCommand::Preview(a)) => (Some(&a.database), None, None),
            Self::Report(ReportCommand::Quarterly(a)) => {
                (Some(&a.database), Some(&a.workflow), None)
            }
            Self::Demo(a) => (Some(&a.database), Some(&a.workflow), None),
            Self::Verify(a) => (Some(&a.database), Some(&a.workflow), None),
            Self::Backup(a) => (Some(&a.database), None, None),
            Self::Restore(a) => (Some(&a.database), Some(&a.workflow), None),
            Self::User(
                UserCommand::Add { database, .. }
                | UserCommand::List { database }
                | UserCommand::Disable { database, .. },
            )
            | Self::Token(
                TokenCommand::Create { database, .. }
                | TokenCommand::List { database, .. }
                | TokenCommand::Revoke { database, .. },
            )
            | Self::Audit(AuditCommand::Export(AuditExportArgs { database, .. })) => {
                (Some(database), None, None)
            }
            Self::Schema | Self::Workflow(_) | Self::MigrateData(_) => (None, None, None),
        };
        Layer {
            database_url: database.and_then(|d| d.database_url.clone()),
            listen: listen.map(|a| a.to_string()),
            workflow: workflow.and_then(|w| w.workflow.clone()),
            ..Layer::default()
        }
    }

    /// Whether the command listens on the network: only then does the listen address matter
    /// (and a bad one stop it).
    pub fn listens(&self) -> bool {
        matches!(self, Self::Serve(_))
    }

    /// The log filter when none is configured: a server reports its requests, a one-shot
    /// command only what goes wrong.
    pub fn default_log_filter(&self) -> &'static str {
        match self {
            Self::Serve(_) => "info",
            _ => "warn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_become_the_top_layer() {
        let cli = Cli::try_parse_from([
            "rollout",
            "serve",
            "--listen",
            "0.0.0.0:9000",
            "--database-url",
            "sqlite:x.db",
            "--workflow",
            "w.toml",
            "--demo",
        ])
        .unwrap();
        let flags = cli.command.flags();
        assert_eq!(flags.listen.as_deref(), Some("0.0.0.0:9000"));
        assert_eq!(flags.database_url, Some(DatabaseUrl::new("sqlite:x.db")));
        assert_eq!(flags.workflow, Some(PathBuf::from("w.toml")));
        let cli = Cli::try_parse_from(["rollout", "demo", "--synthetic", "200"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Demo(DemoArgs { synthetic: 200, .. })
        ));
        assert_eq!(cli.command.flags(), Layer::default());
        for args in [
            &["user", "list"][..],
            &["user", "disable", "a@b.jp"],
            &["token", "revoke", "rlt_abcdefgh"],
            &["audit", "export"],
        ] {
            let cli = Cli::try_parse_from(
                [&["rollout"][..], args, &["--database-url", "sqlite:y.db"]].concat(),
            )
            .unwrap();
            assert_eq!(
                cli.command.flags().database_url,
                Some(DatabaseUrl::new("sqlite:y.db")),
                "{args:?}"
            );
        }
    }

    /// Every flag and argument explains itself in `--help`.
    #[test]
    fn every_argument_has_help() {
        use clap::CommandFactory;
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() {
                    missing.push(format!("{path} {} (no about)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "rollout", &mut missing);
        assert!(missing.is_empty(), "without help: {missing:?}");
    }
}
