//! CSV imports of bureaus, procedures, law changes, milestones and dependencies: all or
//! nothing, with every bad row reported by its file line number (the header is line 1) and the
//! column at fault, so that a person can fix the whole file in one pass.
//!
//! The whole file is read into memory before anything is checked: imports are bounded by the
//! programme's size (~28,000 procedures, a few megabytes) and reading first means a bad row near
//! the end is found before anything is written. Terminal output (progress bars, summaries) is
//! the caller's business; this module only reports [`ImportProgress`] through a callback.

mod bureaus;
mod dependencies;
mod fields;
mod law_changes;
mod milestones;
mod procedures;

use std::io::Read;

use csv::StringRecord;
use rollout_domain::text::{self, TextKind};

use crate::AppError;

pub(crate) use bureaus::parse_bureaus;

/// Header of a bureaus file, in this order.
pub const BUREAU_COLUMNS: &[&str] = &["code", "name_ja", "name_en"];

/// Header of a procedures file, in this order.
pub const PROCEDURE_COLUMNS: &[&str] = &[
    "code",
    "name",
    "name_en",
    "bureau_code",
    "category",
    "authority",
    "annual_applications",
    "process_count",
    "platform",
    "target_quarter",
];

/// Header of a law changes file, in this order.
pub const LAW_CHANGE_COLUMNS: &[&str] = &[
    "code",
    "title_ja",
    "title_en",
    "level",
    "ministry_ja",
    "ministry_en",
    "law_name",
    "article",
    "owner_bureau_code",
    "status",
    "requested_on",
    "expected_effective_on",
    "enacted_on",
    "notes",
];

/// Header of a milestones file, in this order.
pub const MILESTONE_COLUMNS: &[&str] = &[
    "name",
    "platform",
    "planned_on",
    "status",
    "done_on",
    "notes",
];

/// Header of a dependencies file, in this order: `on_kind` is LAW_CHANGE, MILESTONE or
/// PROCEDURE and `on_code` the law change's code, the milestone's name or the procedure's code.
pub const DEPENDENCY_COLUMNS: &[&str] = &["procedure_code", "on_kind", "on_code", "reason"];

/// Rows are checked in steps of this many between progress reports.
const PROGRESS_STEP: usize = 1_000;

/// Which part of an import is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportPhase {
    /// Rows are being validated; nothing is written yet.
    Checking,
    /// Every row was valid; the single all-or-nothing insert is running.
    Writing,
}

/// Progress of an import: `done` of `total` data rows in the current phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProgress {
    pub phase: ImportPhase,
    pub done: usize,
    pub total: usize,
}

/// What a successful import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: u64,
}

/// One problem with one row; a row with several problems appears several times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line of the file where the row starts; the header is line 1.
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has bad rows (or a bad header); every one is listed, ordered by line.
    #[error("{} problem(s) in the file", .0.len())]
    Rows(Vec<RowError>),
    /// The input could not be read at all.
    #[error("could not read the input")]
    Read(#[source] std::io::Error),
    /// The store failed or refused (for example a code taken concurrently).
    #[error(transparent)]
    App(#[from] AppError),
}

/// A data row and the line it starts on.
#[derive(Debug)]
pub(crate) struct CsvRow {
    pub line: u64,
    pub fields: StringRecord,
}

impl CsvRow {
    /// The trimmed field at `index`; rows have been checked to be of the header's width.
    pub fn get(&self, index: usize) -> &str {
        self.fields.get(index).unwrap_or("")
    }

    /// The field at `index` through the free-text rule (NFC, no control characters, at most the
    /// kind's length); when it breaks the rule, the problem is pushed, named by `column`, and
    /// there is no value.
    pub fn text(
        &self,
        index: usize,
        column: &str,
        kind: TextKind,
        problems: &mut Vec<String>,
    ) -> Option<String> {
        text::clean(column, kind, self.get(index))
            .map_err(|e| problems.push(e.to_string()))
            .ok()
    }
}

/// Reads the whole input: strips a UTF-8 byte-order mark, checks the header against `columns`
/// and returns the data rows of the right width, plus one error for every row that is not.
/// A bad header is returned as the only error: nothing after it can be interpreted.
pub(crate) fn read_rows(
    mut input: impl Read,
    columns: &[&str],
) -> Result<(Vec<CsvRow>, Vec<RowError>), ImportError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(ImportError::Read)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    // The csv crate counts a CRLF row's line one too low (it sees the LF only when it starts
    // the next record); with LF endings its line numbers are exact.
    let normalised;
    let body = if body.windows(2).any(|w| w == b"\r\n") {
        normalised = crlf_to_lf(body);
        &normalised[..]
    } else {
        body
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(body);
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(header_error("the file is empty".to_owned(), columns)),
        Some(Err(e)) => return Err(header_error(e.to_string(), columns)),
        Some(Ok(h)) => h,
    };
    if let Some(problem) = header_problem(&header, columns) {
        return Err(header_error(problem, columns));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in records {
        match record {
            Ok(fields) => {
                let line = fields.position().map_or(0, csv::Position::line);
                if fields.len() == columns.len() {
                    rows.push(CsvRow { line, fields });
                } else {
                    errors.push(RowError {
                        line,
                        message: format!(
                            "expected {} fields, found {}",
                            columns.len(),
                            fields.len()
                        ),
                    });
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                match e.into_kind() {
                    csv::ErrorKind::Io(io) => return Err(ImportError::Read(io)),
                    csv::ErrorKind::Utf8 { err, .. } => errors.push(RowError {
                        line,
                        message: format!("field {} is not valid UTF-8", err.field() + 1),
                    }),
                    other => errors.push(RowError {
                        line,
                        message: format!("unreadable row: {other:?}"),
                    }),
                }
            }
        }
    }
    Ok((rows, errors))
}

fn crlf_to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

fn header_error(problem: String, columns: &[&str]) -> ImportError {
    ImportError::Rows(vec![RowError {
        line: 1,
        message: format!(
            "bad header ({problem}); the first line must be exactly: {}",
            columns.join(",")
        ),
    }])
}

/// Names missing, unknown and repeated columns, or says that only the order is wrong.
fn header_problem(header: &StringRecord, columns: &[&str]) -> Option<String> {
    let found: Vec<&str> = header.iter().collect();
    if found == columns {
        return None;
    }
    let missing: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| !found.contains(c))
        .collect();
    let unknown: Vec<&str> = found
        .iter()
        .copied()
        .filter(|c| !columns.contains(c))
        .collect();
    let repeated: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| found.iter().filter(|f| *f == c).count() > 1)
        .collect();
    let mut parts = Vec::new();
    for (label, names) in [
        ("missing column(s)", missing),
        ("unknown column(s)", unknown),
        ("repeated column(s)", repeated),
    ] {
        if !names.is_empty() {
            parts.push(format!("{label}: {}", names.join(", ")));
        }
    }
    if parts.is_empty() {
        parts.push("the columns are in the wrong order".to_owned());
    }
    Some(parts.join("; "))
}

/// Reports checking progress every [`PROGRESS_STEP`] rows and at the end.
pub(crate) fn report_checking(
    progress: &(dyn Fn(ImportProgress) + Send + Sync),
    done: usize,
    total: usize,
) {
    if done.is_multiple_of(PROGRESS_STEP) || done == total {
        progress(ImportProgress {
            phase: ImportPhase::Checking,
            done,
            total,
        });
    }
}

impl crate::App {
    /// Every stored bureau's id by its code, for resolving a file's bureau columns.
    pub(crate) async fn bureau_ids(
        &self,
    ) -> Result<
        std::collections::HashMap<rollout_domain::BureauCode, rollout_domain::BureauId>,
        AppError,
    > {
        Ok(self
            .store()
            .list_bureaus()
            .await?
            .into_iter()
            .map(|b| (b.code, b.id))
            .collect())
    }
}

/// Adds every problem of the row on `line`.
pub(crate) fn push_problems(errors: &mut Vec<RowError>, line: u64, problems: Vec<String>) {
    errors.extend(
        problems
            .into_iter()
            .map(|message| RowError { line, message }),
    );
}

/// Sorts errors by line (stable, so a row's problems keep their column order) and wraps them.
pub(crate) fn rows_error(mut errors: Vec<RowError>) -> ImportError {
    errors.sort_by_key(|e| e.line);
    ImportError::Rows(errors)
}

#[cfg(test)]
mod blocker_tests;
#[cfg(test)]
mod tests;
