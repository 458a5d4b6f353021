//! Importing law changes (`code,title_ja,…,notes`, see [`LAW_CHANGE_COLUMNS`]): each row is
//! checked on its own (code, texts, level, status, dates and how they fit together), then across
//! rows (duplicate codes) and against the store (unknown owner bureaus, codes already taken).
//! Every law change gets one creation record in its status history, by the importing actor.
//! Also the write shared by the blocker imports ([`App::write_blockers`]).

use std::collections::HashMap;
use std::io::Read;

use chrono::NaiveDate;
use rollout_domain::authz::Action;
use rollout_domain::blockers::{
    LawChange, LawChangeStatus, LawChangeStatusChange, LawLevel, check_law_change_code,
};
use rollout_domain::text::TextKind;
use rollout_domain::{BureauCode, LawChangeId, LawChangeStatusChangeId};
use rollout_store::BlockerSeed;
use tracing::instrument;

use super::fields::{date, required};
use super::{
    CsvRow, ImportError, ImportPhase, ImportProgress, ImportReport, LAW_CHANGE_COLUMNS, RowError,
    push_problems, read_rows, report_checking, rows_error,
};
use crate::audit::Target;
use crate::{Actor, App, AppError, new_uuid};

/// A row whose every field is valid on its own.
#[derive(Debug)]
pub(super) struct Row {
    pub line: u64,
    pub code: String,
    pub title_ja: String,
    pub title_en: Option<String>,
    pub level: LawLevel,
    pub ministry_ja: Option<String>,
    pub ministry_en: Option<String>,
    pub law_name: Option<String>,
    pub article: Option<String>,
    pub bureau: BureauCode,
    pub status: LawChangeStatus,
    pub requested_on: Option<NaiveDate>,
    pub expected_effective_on: Option<NaiveDate>,
    pub enacted_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

fn optional_text(
    row: &CsvRow,
    index: usize,
    column: &str,
    kind: TextKind,
    problems: &mut Vec<String>,
) -> Option<String> {
    row.text(index, column, kind, problems)
        .filter(|s| !s.is_empty())
}

/// How the status and the dates fit together: the date a status names must be given, and a
/// date no status has reached yet must not.
fn status_problems(
    status: LawChangeStatus,
    requested: Option<NaiveDate>,
    expected: Option<NaiveDate>,
    enacted: Option<NaiveDate>,
) -> Vec<String> {
    let mut problems = Vec::new();
    if status == LawChangeStatus::DateShown && expected.is_none() {
        problems.push("expected_effective_on is required when status is DATE_SHOWN".to_owned());
    }
    match (status, enacted) {
        (LawChangeStatus::Enacted, None) => {
            problems.push("enacted_on is required when status is ENACTED".to_owned());
        }
        (LawChangeStatus::Enacted, Some(_)) | (_, None) => {}
        (other, Some(_)) => problems.push(format!(
            "enacted_on must be empty unless status is ENACTED (it is {})",
            other.as_str()
        )),
    }
    if status == LawChangeStatus::NotRequested && requested.is_some() {
        problems.push("requested_on must be empty when status is NOT_REQUESTED".to_owned());
    }
    if let (Some(r), Some(e)) = (requested, enacted)
        && e < r
    {
        problems.push(format!("enacted_on {e} is before requested_on {r}"));
    }
    problems
}

/// Checks one row on its own; every problem is pushed, the row is returned only when there is none.
pub(super) fn parse_row(row: &CsvRow, errors: &mut Vec<RowError>) -> Option<Row> {
    let mut problems = Vec::new();
    let code = check_law_change_code(row.get(0))
        .map_err(|e| problems.push(format!("code: {e}")))
        .ok();
    let title_ja = row.text(1, "title_ja", TextKind::Name, &mut problems);
    if title_ja.as_deref() == Some("") {
        problems.push("title_ja must not be empty".to_owned());
    }
    let title_en = optional_text(row, 2, "title_en", TextKind::Name, &mut problems);
    let levels: Vec<&str> = LawLevel::ALL.iter().map(|l| l.as_str()).collect();
    let level = required(row.get(3), "level", LawLevel::parse, &levels, &mut problems);
    let ministry_ja = optional_text(row, 4, "ministry_ja", TextKind::Name, &mut problems);
    let ministry_en = optional_text(row, 5, "ministry_en", TextKind::Name, &mut problems);
    match level {
        Some(l) if l.is_national() && ministry_ja.is_none() => problems.push(format!(
            "ministry_ja is required for a national rule ({})",
            l.as_str()
        )),
        Some(l) if !l.is_national() && (ministry_ja.is_some() || ministry_en.is_some()) => {
            problems.push(format!(
                "ministry_ja and ministry_en must be empty for Tokyo's own rule ({})",
                l.as_str()
            ));
        }
        _ => {}
    }
    let law_name = optional_text(row, 6, "law_name", TextKind::Name, &mut problems);
    let article = optional_text(row, 7, "article", TextKind::Name, &mut problems);
    let bureau = BureauCode::parse(row.get(8))
        .map_err(|e| problems.push(format!("owner_bureau_code: {e}")))
        .ok();
    let statuses: Vec<&str> = LawChangeStatus::ALL.iter().map(|s| s.as_str()).collect();
    let status = required(
        row.get(9),
        "status",
        LawChangeStatus::parse,
        &statuses,
        &mut problems,
    );
    let requested_on = date(row.get(10), "requested_on", &mut problems);
    let expected_effective_on = date(row.get(11), "expected_effective_on", &mut problems);
    let enacted_on = date(row.get(12), "enacted_on", &mut problems);
    let notes = optional_text(row, 13, "notes", TextKind::Comment, &mut problems);
    if let (Some(s), Some(r), Some(x), Some(e)) =
        (status, requested_on, expected_effective_on, enacted_on)
    {
        problems.extend(status_problems(s, r, x, e));
    }
    let parsed = match (
        code,
        title_ja,
        level,
        bureau,
        status,
        requested_on,
        expected_effective_on,
        enacted_on,
    ) {
        (
            Some(code),
            Some(title_ja),
            Some(level),
            Some(bureau),
            Some(status),
            Some(requested_on),
            Some(expected_effective_on),
            Some(enacted_on),
        ) if problems.is_empty() => Some(Row {
            line: row.line,
            code,
            title_ja,
            title_en,
            level,
            ministry_ja,
            ministry_en,
            law_name,
            article,
            bureau,
            status,
            requested_on,
            expected_effective_on,
            enacted_on,
            notes,
        }),
        _ => None,
    };
    push_problems(errors, row.line, problems);
    parsed
}

impl App {
    /// Imports a law changes CSV file, all rows or none (see the module comment).
    #[instrument(name = "app.import_law_changes", skip(self, actor, input, progress), fields(actor = %actor.label))]
    pub async fn import_law_changes(
        &self,
        actor: &Actor,
        input: impl Read,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportReport, ImportError> {
        let (rows, mut errors) = read_rows(input, LAW_CHANGE_COLUMNS)?;
        let bureaus = self.bureau_ids().await?;
        let graph = self.graph().await?;
        let stored: HashMap<&str, ()> = graph
            .law_changes
            .values()
            .map(|l| (l.code.as_str(), ()))
            .collect();
        let mut first_line: HashMap<String, u64> = HashMap::new();
        let mut valid = Vec::with_capacity(rows.len());
        for (i, raw) in rows.iter().enumerate() {
            report_checking(progress, i, rows.len());
            let Some(row) = parse_row(raw, &mut errors) else {
                continue;
            };
            let mut problems = Vec::new();
            if !bureaus.contains_key(&row.bureau) {
                problems.push(format!("owner_bureau_code: unknown bureau {}", row.bureau));
            }
            if let Some(first) = first_line.get(&row.code) {
                problems.push(format!(
                    "duplicate code {} (first on line {first})",
                    row.code
                ));
            } else {
                first_line.insert(row.code.clone(), row.line);
            }
            if stored.contains_key(row.code.as_str()) {
                problems.push(format!(
                    "law change {} already exists in the database",
                    row.code
                ));
            }
            if problems.is_empty() {
                valid.push(row);
            } else {
                push_problems(&mut errors, row.line, problems);
            }
        }
        report_checking(progress, rows.len(), rows.len());
        if !errors.is_empty() {
            return Err(rows_error(errors));
        }
        let now = self.now();
        let mut seed = BlockerSeed::default();
        for row in valid {
            let id = LawChangeId(new_uuid());
            seed.law_change_history.push(LawChangeStatusChange {
                id: LawChangeStatusChangeId(new_uuid()),
                law_change_id: id,
                from_status: None,
                to_status: row.status,
                on: match row.status {
                    LawChangeStatus::Enacted => row.enacted_on,
                    LawChangeStatus::DateShown => row.expected_effective_on,
                    _ => row.requested_on,
                },
                reason: Some("imported".to_owned()),
                actor: actor.label.clone(),
                actor_id: actor.user_id(),
                at: now,
            });
            seed.law_changes.push(LawChange {
                id,
                code: row.code,
                title_ja: row.title_ja,
                title_en: row.title_en,
                level: row.level,
                ministry_ja: row.ministry_ja,
                ministry_en: row.ministry_en,
                law_name: row.law_name,
                article: row.article,
                owner_bureau_id: bureaus[&row.bureau],
                status: row.status,
                requested_on: row.requested_on,
                expected_effective_on: row.expected_effective_on,
                enacted_on: row.enacted_on,
                notes: row.notes,
                version: 1,
                created_at: now,
                updated_at: now,
            });
        }
        let codes: Vec<String> = seed.law_changes.iter().map(|l| l.code.clone()).collect();
        let target = Target::kind("LawChange");
        let actions = [Action::ManageBlockers];
        let rows = self
            .write_blockers(
                actor,
                ("law_change.import", &target),
                &actions,
                &seed,
                codes,
                progress,
            )
            .await?;
        tracing::info!(rows, "law changes imported");
        Ok(ImportReport {
            imported: seed.law_changes.len() as u64,
        })
    }

    /// The write shared by the blocker imports: every action is required (the refusal audited),
    /// then the seed goes to the store in one transaction with one audit entry naming `keys`.
    /// Returns the rows the store wrote.
    pub(super) async fn write_blockers(
        &self,
        actor: &Actor,
        (audit_action, target): (&str, &Target),
        actions: &[Action],
        seed: &BlockerSeed,
        keys: Vec<String>,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<u64, ImportError> {
        let total = keys.len();
        progress(ImportProgress {
            phase: ImportPhase::Writing,
            done: 0,
            total,
        });
        for action in actions {
            self.require(actor, *action, audit_action, target).await?;
        }
        let audit = self.audit_entry(
            actor,
            audit_action,
            target,
            None,
            Some(serde_json::json!({ "count": total, "keys": keys })),
        );
        let written = self
            .store()
            .insert_blockers(seed, &audit)
            .await
            .map_err(|e| match e {
                rollout_store::StoreError::Conflict { .. } if seed.planned_on_graph.is_some() => {
                    AppError::validation(
                        "file",
                        "the dependency graph changed while the file was being checked \
                         (someone saved a change meanwhile); nothing was imported: run the \
                         import again",
                    )
                }
                other => AppError::from(other),
            })?;
        progress(ImportProgress {
            phase: ImportPhase::Writing,
            done: total,
            total,
        });
        Ok(written)
    }
}
