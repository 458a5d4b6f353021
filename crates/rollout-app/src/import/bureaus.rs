//! Importing bureaus (`code,name_ja,name_en`). The parsing half is shared with the demo loader,
//! whose embedded bureau list is a file of this format.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use rollout_domain::text::TextKind;
use rollout_domain::{Bureau, BureauCode, BureauId, NewBureau};
use tracing::instrument;

use super::{
    BUREAU_COLUMNS, ImportError, ImportPhase, ImportProgress, ImportReport, RowError, read_rows,
    report_checking, rows_error,
};
use crate::{Actor, App, new_uuid};

/// Parses and checks a bureaus file on its own (codes, names, duplicates within the file).
pub(crate) fn parse_bureaus(
    input: impl Read,
    progress: &(dyn Fn(ImportProgress) + Send + Sync),
) -> Result<Vec<(u64, NewBureau)>, ImportError> {
    let (rows, mut errors) = read_rows(input, BUREAU_COLUMNS)?;
    let mut first_line: HashMap<BureauCode, u64> = HashMap::new();
    let mut parsed = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let mut problems = Vec::new();
        let code = BureauCode::parse(row.get(0))
            .map_err(|e| problems.push(e.to_string()))
            .ok();
        let [name_ja, name_en] = [(1, "name_ja"), (2, "name_en")].map(|(index, column)| {
            let value = row.text(index, column, TextKind::Name, &mut problems);
            if value.as_deref() == Some("") {
                problems.push(format!("{column} must not be empty"));
            }
            value.unwrap_or_default()
        });
        if let Some(code) = &code {
            if let Some(first) = first_line.get(code) {
                problems.push(format!("duplicate code {code} (first on line {first})"));
            } else {
                first_line.insert(code.clone(), row.line);
            }
        }
        match code {
            Some(code) if problems.is_empty() => parsed.push((
                row.line,
                NewBureau {
                    code,
                    name_ja,
                    name_en,
                },
            )),
            _ => errors.extend(problems.into_iter().map(|message| RowError {
                line: row.line,
                message,
            })),
        }
        report_checking(progress, i + 1, rows.len());
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(rows_error(errors))
    }
}

impl App {
    /// Imports a bureaus CSV file: every row is checked (including codes already stored) before
    /// one all-or-nothing insert.
    #[instrument(name = "app.import_bureaus", skip(self, actor, input, progress), fields(actor = %actor.label))]
    pub async fn import_bureaus(
        &self,
        actor: &Actor,
        input: impl Read,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportReport, ImportError> {
        let parsed = parse_bureaus(input, progress)?;
        let stored: HashSet<BureauCode> = self
            .store()
            .list_bureaus()
            .await
            .map_err(crate::AppError::from)?
            .into_iter()
            .map(|b| b.code)
            .collect();
        let taken: Vec<RowError> = parsed
            .iter()
            .filter(|(_, b)| stored.contains(&b.code))
            .map(|(line, b)| RowError {
                line: *line,
                message: format!("bureau {} already exists in the database", b.code),
            })
            .collect();
        if !taken.is_empty() {
            return Err(rows_error(taken));
        }
        let bureaus: Vec<Bureau> = parsed
            .into_iter()
            .map(|(_, b)| Bureau {
                id: BureauId(new_uuid()),
                code: b.code,
                name_ja: b.name_ja,
                name_en: b.name_en,
            })
            .collect();
        let total = bureaus.len();
        progress(ImportProgress {
            phase: ImportPhase::Writing,
            done: 0,
            total,
        });
        self.require(
            actor,
            rollout_domain::authz::Action::ManageBureaus,
            "bureau.import",
            &crate::audit::Target::kind("Bureau"),
        )
        .await?;
        let audit = self.audit_entry(
            actor,
            "bureau.import",
            &crate::audit::Target::kind("Bureau"),
            None,
            Some(serde_json::json!({
                "count": bureaus.len(),
                "codes": bureaus.iter().map(|b| b.code.as_str()).collect::<Vec<_>>(),
            })),
        );
        let imported = self
            .store()
            .insert_bureaus(&bureaus, &audit)
            .await
            .map_err(crate::AppError::from)?;
        self.changed(crate::CacheChange::Bureaus).await;
        progress(ImportProgress {
            phase: ImportPhase::Writing,
            done: total,
            total,
        });
        tracing::info!(imported, "bureaus imported");
        Ok(ImportReport { imported })
    }
}
