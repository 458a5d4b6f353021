//! Importing procedures. Each row is checked field by field with the domain's validating types,
//! then across rows (duplicate codes in the file) and against the store (unknown bureaus, codes
//! already taken), and only a file without a single problem is written, in one insert, with
//! each given target quarter as the first entry of the procedure's target history.

use std::collections::HashMap;
use std::io::Read;

use rollout_domain::procedure::validate_fields;
use rollout_domain::text::TextKind;
use rollout_domain::{
    Authority, BureauCode, BureauId, Category, FiscalQuarter, Platform, Procedure, ProcedureCode,
    ProcedureId,
};
use rollout_store::ProcedureSeed;
use tracing::instrument;

use super::fields::{keyed, number, required};
use super::{
    CsvRow, ImportError, ImportPhase, ImportProgress, ImportReport, PROCEDURE_COLUMNS, RowError,
    read_rows, report_checking, rows_error,
};
use crate::procedures::creation_record;
use crate::{Actor, App, AppError, new_uuid};

/// Codes are checked against the store in batches of this many, to stay well under the bind
/// parameter limits of both databases.
const CODE_CHECK_BATCH: usize = 1_000;

/// A row whose every field is valid on its own.
#[derive(Debug)]
struct Row {
    line: u64,
    code: ProcedureCode,
    name: String,
    name_en: Option<String>,
    bureau: BureauCode,
    category: Category,
    authority: Authority,
    annual_applications: Option<i64>,
    process_count: i32,
    platform: Option<Platform>,
    target_quarter: Option<FiscalQuarter>,
}

/// Checks one row on its own; every problem is pushed, the row is returned only when there is none.
fn parse_row(row: &CsvRow, errors: &mut Vec<RowError>) -> Option<Row> {
    let mut problems = Vec::new();
    let code = ProcedureCode::parse(row.get(0))
        .map_err(|e| problems.push(e.to_string()))
        .ok();
    let name = row.text(1, "name", TextKind::Name, &mut problems);
    let name_en = row
        .text(2, "name_en", TextKind::Name, &mut problems)
        .filter(|s| !s.is_empty());
    let bureau = BureauCode::parse(row.get(3))
        .map_err(|e| problems.push(e.to_string()))
        .ok();
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let category = required(
        row.get(4),
        "category",
        Category::parse,
        &categories,
        &mut problems,
    );
    let authorities: Vec<&str> = Authority::ALL.iter().map(|a| a.as_str()).collect();
    let authority = required(
        row.get(5),
        "authority",
        Authority::parse,
        &authorities,
        &mut problems,
    );
    let annual_applications = match row.get(6) {
        "" => Some(None),
        raw => number::<i64>(raw, "annual_applications", &mut problems).map(Some),
    };
    let process_count = match row.get(7) {
        "" => Some(1),
        raw => number::<i32>(raw, "process_count", &mut problems),
    };
    let platforms: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
    let platform = match row.get(8) {
        "" => Some(None),
        raw => keyed(raw, "platform", Platform::parse, &platforms, &mut problems).map(Some),
    };
    let target_quarter = match row.get(9) {
        "" => Some(None),
        raw => FiscalQuarter::parse(raw)
            .map_err(|e| problems.push(format!("target_quarter: {e}")))
            .ok()
            .map(Some),
    };
    if let (Some(annual), Some(count)) = (annual_applications, process_count) {
        // A name the text rule refused has its one problem reported already.
        problems.extend(
            validate_fields(name.as_deref().unwrap_or("-"), annual, count)
                .into_iter()
                .map(|(_, m)| m),
        );
    }
    let parsed = match (
        code,
        bureau,
        category,
        authority,
        annual_applications,
        process_count,
        platform,
        target_quarter,
    ) {
        (
            Some(code),
            Some(bureau),
            Some(category),
            Some(authority),
            Some(annual_applications),
            Some(process_count),
            Some(platform),
            Some(target_quarter),
        ) if problems.is_empty() => Some(Row {
            line: row.line,
            code,
            name: name.unwrap_or_default(),
            name_en,
            bureau,
            category,
            authority,
            annual_applications,
            process_count,
            platform,
            target_quarter,
        }),
        _ => None,
    };
    errors.extend(problems.into_iter().map(|message| RowError {
        line: row.line,
        message,
    }));
    parsed
}

impl App {
    /// Imports a procedures CSV file. Every procedure starts in the workflow's initial state at
    /// version 1 with its creation record; the file is written in one all-or-nothing insert.
    #[instrument(name = "app.import_procedures", skip(self, actor, input, progress), fields(actor = %actor.label))]
    pub async fn import_procedures(
        &self,
        actor: &Actor,
        input: impl Read,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportReport, ImportError> {
        let (rows, mut errors) = read_rows(input, PROCEDURE_COLUMNS)?;
        let bureaus = self.bureau_ids().await?;
        let mut first_line: HashMap<ProcedureCode, u64> = HashMap::new();
        let mut valid = Vec::with_capacity(rows.len());
        for (i, raw) in rows.iter().enumerate() {
            report_checking(progress, i, rows.len());
            let Some(row) = parse_row(raw, &mut errors) else {
                continue;
            };
            let mut ok = true;
            if !bureaus.contains_key(&row.bureau) {
                ok = false;
                errors.push(RowError {
                    line: row.line,
                    message: format!("unknown bureau code {}", row.bureau),
                });
            }
            if let Some(first) = first_line.get(&row.code) {
                ok = false;
                errors.push(RowError {
                    line: row.line,
                    message: format!("duplicate code {} (first on line {first})", row.code),
                });
            } else {
                first_line.insert(row.code.clone(), row.line);
            }
            if ok {
                valid.push(row);
            }
        }
        report_checking(progress, rows.len(), rows.len());
        let codes: Vec<ProcedureCode> = first_line.keys().cloned().collect();
        for batch in codes.chunks(CODE_CHECK_BATCH) {
            for taken in self
                .store()
                .existing_procedure_codes(batch)
                .await
                .map_err(AppError::from)?
            {
                errors.push(RowError {
                    line: first_line.get(&taken).copied().unwrap_or(0),
                    message: format!("procedure {taken} already exists in the database"),
                });
            }
        }
        if !errors.is_empty() {
            return Err(rows_error(errors));
        }
        let seeds = self.seeds(actor, valid, &bureaus);
        let total = seeds.len();
        progress(ImportProgress {
            phase: ImportPhase::Writing,
            done: 0,
            total,
        });
        for bureau in seeds
            .iter()
            .map(|s| s.procedure.bureau_id)
            .collect::<std::collections::BTreeSet<_>>()
        {
            self.require(
                actor,
                rollout_domain::authz::Action::WorkOnProcedure(bureau),
                "procedure.import",
                &crate::audit::Target::kind("Procedure"),
            )
            .await?;
        }
        let audit = self.audit_entry(
            actor,
            "procedure.import",
            &crate::audit::Target::kind("Procedure"),
            None,
            Some(serde_json::json!({
                "count": seeds.len(),
                "codes": seeds.iter().map(|s| s.procedure.code.as_str()).collect::<Vec<_>>(),
            })),
        );
        let imported = self
            .store()
            .insert_procedures(&seeds, &audit)
            .await
            .map_err(AppError::from)?;
        progress(ImportProgress {
            phase: ImportPhase::Writing,
            done: total,
            total,
        });
        tracing::info!(imported, "procedures imported");
        Ok(ImportReport { imported })
    }

    fn seeds(
        &self,
        actor: &Actor,
        rows: Vec<Row>,
        bureaus: &HashMap<BureauCode, BureauId>,
    ) -> Vec<ProcedureSeed> {
        let now = self.now();
        let initial = self.workflow().initial().key.clone();
        rows.into_iter()
            .map(|row| {
                let procedure = Procedure {
                    id: ProcedureId(new_uuid()),
                    code: row.code,
                    name: row.name,
                    name_en: row.name_en,
                    bureau_id: bureaus[&row.bureau],
                    category: row.category,
                    authority: row.authority,
                    annual_applications: row.annual_applications,
                    process_count: row.process_count,
                    platform: row.platform,
                    target_quarter: row.target_quarter,
                    released_on: None,
                    state: initial.clone(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                let history = vec![creation_record(self, &procedure, &actor.label)];
                // An imported target quarter starts the procedure's target history.
                let target_changes = self
                    .target_change(
                        procedure.id,
                        None,
                        procedure.target_quarter,
                        &actor.label,
                        None,
                    )
                    .into_iter()
                    .collect();
                ProcedureSeed {
                    procedure,
                    history,
                    target_changes,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "code,name,name_en,bureau_code,category,authority,annual_applications,process_count,platform,target_quarter\n";

    fn parse(body: &str) -> (Vec<Row>, Vec<(u64, String)>) {
        let text = format!("{HEADER}{body}");
        let (rows, mut errors) = read_rows(text.as_bytes(), PROCEDURE_COLUMNS).expect("readable");
        let parsed = rows
            .iter()
            .filter_map(|r| parse_row(r, &mut errors))
            .collect();
        (
            parsed,
            errors.into_iter().map(|e| (e.line, e.message)).collect(),
        )
    }

    #[test]
    fn a_good_row_with_defaults() {
        let (rows, errors) = parse(
            "KANKYO-0001,狩猟免許の更新,,KANKYO,major,Tokyo,,,,\nKANKYO-0002,x,X,KANKYO,SUBSIDY,NATIONAL,12000,3,jgrants,FY2025-Q3\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let r = &rows[0];
        assert_eq!(
            (r.line, r.code.as_str(), r.name.as_str()),
            (2, "KANKYO-0001", "狩猟免許の更新")
        );
        assert_eq!(
            (r.category, r.authority),
            (Category::Major, Authority::Tokyo)
        );
        assert_eq!(
            (r.name_en.as_deref(), r.annual_applications, r.process_count),
            (None, None, 1)
        );
        assert_eq!((r.platform, r.target_quarter), (None, None));
        let r = &rows[1];
        assert_eq!((r.annual_applications, r.process_count), (Some(12_000), 3));
        assert_eq!(r.platform, Some(Platform::Jgrants));
        assert_eq!(
            r.target_quarter.map(|q| q.to_string()).as_deref(),
            Some("FY2025-Q3")
        );
    }

    #[test]
    fn text_rule_problems_name_the_line_and_column() {
        let long = "名".repeat(201);
        let (rows, errors) = parse(&format!(
            "KANKYO-0001,a\0b,,KANKYO,MAJOR,TOKYO,,,,\nKANKYO-0002,{long},,KANKYO,MAJOR,TOKYO,,,,\nKANKYO-0003,か\u{3099},,KANKYO,MAJOR,TOKYO,,,,\n"
        ));
        assert_eq!(
            errors,
            [
                (2, "name must not contain the NUL character".to_owned()),
                (
                    3,
                    "name must be at most 200 characters (got 201)".to_owned()
                ),
            ]
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name, "が", "stored composed");
    }

    #[test]
    fn every_problem_of_a_row_is_reported() {
        let (rows, errors) = parse(
            "kankyo-1,,,KANKYO,,kyoto,-5,0,fax,2025Q3\nKANKYO-0003,名前,,KANKYO,STANDARD,TOKYO,many,1.5,,\n",
        );
        assert!(rows.is_empty());
        let messages: Vec<&str> = errors.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            errors.iter().filter(|(l, _)| *l == 2).count(),
            8,
            "{messages:#?}"
        );
        assert!(
            messages[0].starts_with("procedure code \"kankyo-1\""),
            "{}",
            messages[0]
        );
        assert_eq!(messages[1], "category is required");
        assert!(messages[2].starts_with("authority \"kyoto\" is not one of TOKYO, NATIONAL"));
        assert!(messages[3].starts_with("platform \"fax\" is not one of"));
        assert!(
            messages[4].starts_with("target_quarter: \"2025Q3\""),
            "{}",
            messages[4]
        );
        assert_eq!(messages[5], "name must not be empty");
        assert_eq!(messages[6], "annual applications must not be negative");
        assert_eq!(messages[7], "process count must be between 1 and 100000");
        assert_eq!(
            &errors[8..],
            [
                (
                    3,
                    "annual_applications \"many\" is not a whole number".to_owned()
                ),
                (3, "process_count \"1.5\" is not a whole number".to_owned()),
            ]
        );
    }
}
