//! `rollout verify`: checks a database's invariants, after a restore, an upgrade or a copy
//! between backends, and prints what it read and one line per violation. Exit 0 when every
//! invariant holds, 1 with violations, 3 when the database cannot be reached, 4 when it cannot
//! be checked at all (no such file, an unreadable workflow).
//!
//! The checks: the schema is this build's (`schema.version`: not behind, not newer; nothing
//! else is checked against another build's tables), the store's checks of stored data
//! ([`rollout_store::integrity`]: versions and states against histories, the audit of
//! transitions, every reference between tables) and the workflow's
//! ([`rollout_app::verify::UNKNOWN_STATE`]). The database is opened as it is: never migrated,
//! never written.

use std::sync::Arc;

use clap::Args;
use rollout_app::{App, SystemClock};
use rollout_store::{Finding, IntegrityReport, SchemaState};

use super::workflow::load_procedure_workflow;
use crate::backend::{Database, schema_message, sqlite_file};
use crate::cli::{DatabaseArgs, WorkflowArgs};
use crate::config::Config;
use crate::database_url::DatabaseUrl;
use crate::error::{CliError, exit};

/// The schema is not the one this build migrates to.
pub const SCHEMA_VERSION: &str = "schema.version";

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The workflow the server runs with (states are checked against it).
    #[command(flatten)]
    pub workflow: WorkflowArgs,
}

/// What a run of every check found, for `verify` to print and `restore` to judge a file by.
#[derive(Debug)]
pub struct Verified {
    pub report: IntegrityReport,
    /// The schema version this build expects (and, when clean, the database has).
    pub schema_version: i64,
}

impl Verified {
    /// The lines `verify` prints: what was read, which checks ran, then one per violation.
    pub fn lines(&self) -> Vec<String> {
        let read = self
            .report
            .checked
            .iter()
            .map(|(table, n)| format!("{n} {table}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut lines = Vec::new();
        if !read.is_empty() {
            lines.push(format!("read {read}"));
        }
        lines.push(format!(
            "ran {} checks: {}",
            self.report.checks.len(),
            self.report.checks.join(", ")
        ));
        lines.extend(
            self.report
                .findings
                .iter()
                .map(|f| format!("violation {} {}: {}", f.check, f.subject, f.detail)),
        );
        lines
    }
}

/// Turns a failure before any check ran into exit code 4 ("cannot check"), keeping 3 for an
/// unreachable database.
pub fn cannot_check(e: CliError) -> CliError {
    match e {
        CliError::User(message) => CliError::Coded {
            code: exit::CANNOT_CHECK,
            message,
        },
        CliError::Internal { context, source } => CliError::Coded {
            code: exit::CANNOT_CHECK,
            message: format!("{context}: {source}"),
        },
        other => other,
    }
}

/// Runs every check against the database at `url`, read-only.
pub async fn check(url: &DatabaseUrl, config: &Config) -> Result<Verified, CliError> {
    if let Some(file) = sqlite_file(url).filter(|f| !f.exists()) {
        return Err(cannot_check(CliError::user(format!(
            "no database at {} ({url}): nothing to verify",
            file.display()
        ))));
    }
    let workflow = load_procedure_workflow(config.workflow.as_deref()).map_err(cannot_check)?;
    let db = Database::connect_as_is(url).await.map_err(cannot_check)?;
    let result = check_open(&db, url, workflow).await;
    db.close().await;
    result
}

async fn check_open(
    db: &Database,
    url: &DatabaseUrl,
    workflow: rollout_domain::workflow::WorkflowDefinition,
) -> Result<Verified, CliError> {
    let schema_version = db.schema_version();
    let state = db.schema_state().await.map_err(|e| {
        cannot_check(CliError::store(
            format!("cannot read the schema of {url}"),
            e,
        ))
    })?;
    if state != SchemaState::Current {
        // Another build's tables: the data checks would test the wrong schema, so stop here.
        let mut report = IntegrityReport::default();
        report.add(
            SCHEMA_VERSION,
            vec![(
                format!("expected {schema_version}"),
                schema_message(url, &state),
            )],
        );
        return Ok(Verified {
            report,
            schema_version,
        });
    }
    let app = App::new(db.store.clone(), workflow, Arc::new(SystemClock));
    let mut report = app
        .verify()
        .await
        .map_err(|e| CliError::app(format!("cannot verify {url}"), e))?;
    report.checks.insert(0, SCHEMA_VERSION.to_owned());
    Ok(Verified {
        report,
        schema_version,
    })
}

pub async fn run(config: &Config) -> Result<(), CliError> {
    let url = &config.database_url;
    let verified = check(url, config).await?;
    println!(
        "verifying {url} against schema version {}",
        verified.schema_version
    );
    for line in verified.lines() {
        println!("{line}");
    }
    let findings: &[Finding] = &verified.report.findings;
    if findings.is_empty() {
        println!("no violations");
        Ok(())
    } else {
        Err(CliError::user(format!(
            "{} violation(s) in {url}",
            findings.len()
        )))
    }
}
