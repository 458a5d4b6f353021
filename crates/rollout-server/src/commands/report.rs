//! `rollout report quarterly --quarter FY2021-Q3 [--lang ja|en] [--format md|html|xlsx] [-o FILE]`:
//! the quarterly progress report, computed by the same use case as the API's `quarterlyReport`
//! and rendered by `rollout-report`. Markdown and HTML go to standard output unless `-o` names
//! a file; a workbook is binary, so without `-o` it is written only to a pipe or a file, never to
//! a terminal.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};
use rollout_app::{App, SystemClock};
use rollout_domain::FiscalQuarter;
use rollout_report::{Language, render_html, render_markdown, render_xlsx};

use super::workflow::load_procedure_workflow;
use crate::backend::Database;
use crate::cli::{DatabaseArgs, WorkflowArgs};
use crate::config::Config;
use crate::error::CliError;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The quarterly progress report of a fiscal quarter, in the programme's structure.
    Quarterly(QuarterlyArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportLang {
    Ja,
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Html,
    Xlsx,
}

#[derive(Debug, Args)]
pub struct QuarterlyArgs {
    /// The fiscal quarter, e.g. FY2021-Q3 (October–December 2021).
    #[arg(long, value_name = "QUARTER")]
    pub quarter: FiscalQuarter,
    /// Japanese (the default) or English.
    #[arg(long, value_enum, default_value = "ja")]
    pub lang: ReportLang,
    /// Markdown, a self-contained HTML page, or an XLSX workbook (which needs -o or a pipe).
    #[arg(long, value_enum, default_value = "md")]
    pub format: ReportFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub workflow: WorkflowArgs,
}

pub async fn run(config: &Config, command: &ReportCommand) -> Result<(), CliError> {
    let ReportCommand::Quarterly(args) = command;
    if args.format == ReportFormat::Xlsx && args.output.is_none() && std::io::stdout().is_terminal()
    {
        return Err(CliError::user(
            "an XLSX workbook is binary: name a file with -o FILE (or redirect the output)",
        ));
    }
    let lang = match args.lang {
        ReportLang::Ja => Language::Ja,
        ReportLang::En => Language::En,
    };
    let workflow = load_procedure_workflow(config.workflow.as_deref())?;
    let db = Database::open_existing(&config.database_url, config.migrate).await?;
    let app = App::new(db.store.clone(), workflow, Arc::new(SystemClock));
    let report = app.quarterly_report(args.quarter).await;
    db.close().await;
    let report = report.map_err(|e| CliError::app("cannot build the quarterly report", e))?;
    let bytes = match args.format {
        ReportFormat::Md => render_markdown(&report, lang).into_bytes(),
        ReportFormat::Html => render_html(&report, lang).into_bytes(),
        ReportFormat::Xlsx => render_xlsx(&report, lang).map_err(|e| CliError::Internal {
            context: "cannot write the workbook".to_owned(),
            source: Box::new(e),
        })?,
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &bytes)
                .map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))?;
            eprintln!(
                "wrote the {} report of {} to {} ({} bytes)",
                lang.as_str(),
                report.quarter,
                path.display(),
                bytes.len()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|()| out.flush())
                .map_err(|e| CliError::user(format!("cannot write the report: {e}")))?;
        }
    }
    Ok(())
}
