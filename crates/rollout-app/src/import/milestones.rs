//! Importing milestones (`name,platform,planned_on,status,done_on,notes`): a platform going live,
//! a system procurement. Names are the milestones' keys (a dependencies file names them), so a
//! name must be new to the file and to the database. A DONE milestone needs its `done_on`, and
//! only a DONE one may have it.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use rollout_domain::authz::Action;
use rollout_domain::blockers::{Milestone, MilestoneStatus};
use rollout_domain::text::TextKind;
use rollout_domain::{MilestoneId, Platform};
use rollout_store::BlockerSeed;
use tracing::instrument;

use super::fields::{date, optional_keyed, required};
use super::{
    CsvRow, ImportError, ImportProgress, ImportReport, MILESTONE_COLUMNS, RowError, push_problems,
    read_rows, report_checking, rows_error,
};
use crate::audit::Target;
use crate::{Actor, App, new_uuid};

/// Checks one row on its own, pushing every problem; the milestone (without id and times yet)
/// only when there is none.
fn parse_row(row: &CsvRow, errors: &mut Vec<RowError>) -> Option<Milestone> {
    let mut problems = Vec::new();
    let name = row.text(0, "name", TextKind::Name, &mut problems);
    if name.as_deref() == Some("") {
        problems.push("name must not be empty".to_owned());
    }
    let platforms: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
    let platform = optional_keyed(
        row.get(1),
        "platform",
        Platform::parse,
        &platforms,
        &mut problems,
    );
    let planned_on = date(row.get(2), "planned_on", &mut problems);
    let statuses: Vec<&str> = MilestoneStatus::ALL.iter().map(|s| s.as_str()).collect();
    let status = required(
        row.get(3),
        "status",
        MilestoneStatus::parse,
        &statuses,
        &mut problems,
    );
    let done_on = date(row.get(4), "done_on", &mut problems);
    let notes = row
        .text(5, "notes", TextKind::Comment, &mut problems)
        .filter(|s| !s.is_empty());
    match (status, done_on) {
        (Some(MilestoneStatus::Done), Some(None)) => {
            problems.push("done_on is required when status is DONE".to_owned());
        }
        (Some(s), Some(Some(_))) if s != MilestoneStatus::Done => problems.push(format!(
            "done_on must be empty unless status is DONE (it is {})",
            s.as_str()
        )),
        _ => {}
    }
    let parsed = match (name, platform, planned_on, status, done_on) {
        (Some(name), Some(platform), Some(planned_on), Some(status), Some(done_on))
            if problems.is_empty() =>
        {
            let at = chrono::DateTime::UNIX_EPOCH;
            Some(Milestone {
                id: MilestoneId(uuid::Uuid::nil()),
                name,
                platform,
                planned_on,
                status,
                done_on,
                notes,
                version: 1,
                created_at: at,
                updated_at: at,
            })
        }
        _ => None,
    };
    push_problems(errors, row.line, problems);
    parsed
}

impl App {
    /// Imports a milestones CSV file, all rows or none (see the module comment).
    #[instrument(name = "app.import_milestones", skip(self, actor, input, progress), fields(actor = %actor.label))]
    pub async fn import_milestones(
        &self,
        actor: &Actor,
        input: impl Read,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportReport, ImportError> {
        let (rows, mut errors) = read_rows(input, MILESTONE_COLUMNS)?;
        let graph = self.graph().await?;
        let stored: HashSet<&str> = graph.milestones.values().map(|m| m.name.as_str()).collect();
        let mut first_line: HashMap<String, u64> = HashMap::new();
        let mut seed = BlockerSeed::default();
        let now = self.now();
        for (i, raw) in rows.iter().enumerate() {
            report_checking(progress, i, rows.len());
            let Some(mut milestone) = parse_row(raw, &mut errors) else {
                continue;
            };
            let mut problems = Vec::new();
            if let Some(first) = first_line.get(&milestone.name) {
                problems.push(format!(
                    "duplicate name {:?} (first on line {first})",
                    milestone.name
                ));
            } else {
                first_line.insert(milestone.name.clone(), raw.line);
            }
            if stored.contains(milestone.name.as_str()) {
                problems.push(format!(
                    "milestone {:?} already exists in the database",
                    milestone.name
                ));
            }
            if problems.is_empty() {
                milestone.id = MilestoneId(new_uuid());
                milestone.created_at = now;
                milestone.updated_at = now;
                seed.milestones.push(milestone);
            } else {
                push_problems(&mut errors, raw.line, problems);
            }
        }
        report_checking(progress, rows.len(), rows.len());
        if !errors.is_empty() {
            return Err(rows_error(errors));
        }
        let names: Vec<String> = seed.milestones.iter().map(|m| m.name.clone()).collect();
        let target = Target::kind("Milestone");
        let actions = [Action::ManageBlockers];
        self.write_blockers(
            actor,
            ("milestone.import", &target),
            &actions,
            &seed,
            names,
            progress,
        )
        .await?;
        Ok(ImportReport {
            imported: seed.milestones.len() as u64,
        })
    }
}
