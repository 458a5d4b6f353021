//! `rollout import bureaus|procedures|law-changes|milestones|dependencies FILE`: reads the file
//! through the app's import use case and does the terminal part: progress, every bad row with
//! its line, and a timed summary.

use std::fs::File;
use std::io::BufReader;
use std::sync::Arc;
use std::time::Instant;

use rollout_app::import::{ImportError, ImportPhase, ImportProgress};
use rollout_app::{Actor, App, SystemClock};

use super::progress::Progress;
use super::workflow::load_procedure_workflow;
use crate::backend::Database;
use crate::cli::ImportArgs;
use crate::config::Config;
use crate::error::CliError;

/// Files with fewer rows than this finish before a bar would be worth drawing.
const BAR_THRESHOLD: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bureaus,
    Procedures,
    LawChanges,
    Milestones,
    Dependencies,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Self::Bureaus => "bureaus",
            Self::Procedures => "procedures",
            Self::LawChanges => "law changes",
            Self::Milestones => "milestones",
            Self::Dependencies => "dependencies",
        }
    }
}

pub async fn run(config: &Config, kind: Kind, args: &ImportArgs) -> Result<(), CliError> {
    let summary = import(config, kind, args, &mut std::io::stderr()).await?;
    println!("{summary}");
    Ok(())
}

/// Runs the import and returns the summary line; each bad row goes to `problems` as
/// `FILE:LINE: message` before the error that says nothing was imported.
pub async fn import(
    config: &Config,
    kind: Kind,
    args: &ImportArgs,
    problems: &mut dyn std::io::Write,
) -> Result<String, CliError> {
    let workflow = load_procedure_workflow(config.workflow.as_deref())?;
    let file = File::open(&args.file)
        .map_err(|e| CliError::user(format!("cannot open {}: {e}", args.file.display())))?;
    let actor = Actor::system(&args.actor);
    let db = Database::open(&config.database_url, config.migrate).await?;
    let app = App::new(db.store.clone(), workflow, Arc::new(SystemClock));
    let app = crate::cache_sync::publishing(&db, app);
    let started = Instant::now();
    let progress = Progress::new(BAR_THRESHOLD);
    let report = |p: ImportProgress| {
        let phase = match p.phase {
            ImportPhase::Checking => "checking",
            ImportPhase::Writing => "writing",
        };
        progress.update(phase, p.done, p.total);
    };
    let input = BufReader::new(file);
    let result = match kind {
        Kind::Bureaus => app.import_bureaus(&actor, input, &report).await,
        Kind::Procedures => app.import_procedures(&actor, input, &report).await,
        Kind::LawChanges => app.import_law_changes(&actor, input, &report).await,
        Kind::Milestones => app.import_milestones(&actor, input, &report).await,
        Kind::Dependencies => app.import_dependencies(&actor, input, &report).await,
    };
    progress.finish();
    db.close().await;
    match result {
        Ok(r) => Ok(format!(
            "imported {} {} in {:.1} s",
            r.imported,
            kind.noun(),
            started.elapsed().as_secs_f64()
        )),
        Err(ImportError::Rows(errors)) => {
            let name = args.file.display();
            for e in &errors {
                // A closed stderr must not hide the summary error that follows.
                let _ = writeln!(problems, "{name}:{}: {}", e.line, e.message);
            }
            if kind == Kind::Procedures && errors.iter().all(|e| e.line == 1) {
                hint_at_demo_list(&args.file);
            }
            let mut lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
            lines.dedup();
            Err(CliError::user(format!(
                "nothing imported: {} problem(s) on {} line(s) of {name}",
                errors.len(),
                lines.len()
            )))
        }
        Err(ImportError::Read(e)) => Err(CliError::user(format!(
            "cannot read {}: {e}",
            args.file.display()
        ))),
        Err(ImportError::App(e)) => Err(CliError::app("nothing imported", e)),
    }
}

/// The header of `deploy/demo/procedures.csv`, the demo's list of real procedures with their
/// sources: a different file from an import file (no codes, the programme's own categories).
const DEMO_LIST_HEADER: &str =
    "name_ja,name_en,bureau_code,category,authority,annual_applications,source";

/// Someone importing the demo's procedure list is told what loads it instead.
fn hint_at_demo_list(path: &std::path::Path) {
    let first = std::fs::read_to_string(path).unwrap_or_default();
    let header = first
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or("");
    if header.trim_end() == DEMO_LIST_HEADER {
        eprintln!(
            "note: this is the demo's list of real procedures (with sources, without codes), \
             not an import file: `rollout demo` loads it"
        );
    }
}
