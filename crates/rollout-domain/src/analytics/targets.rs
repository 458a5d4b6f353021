//! Programme targets: a share of the Tokyo-decidable scope, by procedures or by processes, to be
//! digitised by a deadline (optionally for one category), and how far the figures are from it.
//! The defaults are the programme's published targets: 70% of processes by the end of FY2023
//! (2024-03-31) and 100% of what Tokyo can decide by the end of FY2026 (2027-03-31). Shares are
//! kept in basis points so that gaps are exact integers.

use chrono::NaiveDate;

use super::kpi::{KpiFigures, Ratio};
use crate::Category;

/// What a target counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetMeasure {
    Procedures,
    Processes,
}

impl TargetMeasure {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Procedures => "PROCEDURES",
            Self::Processes => "PROCESSES",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "PROCEDURES" => Some(Self::Procedures),
            "PROCESSES" => Some(Self::Processes),
            _ => None,
        }
    }
}

/// One target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeTarget {
    /// A short stable key (`processes-70-fy2023`).
    pub key: String,
    pub label_ja: String,
    pub label_en: String,
    pub measure: TargetMeasure,
    /// The share to reach, in basis points (7,000 = 70%).
    pub basis_points: u32,
    /// The last day (Asia/Tokyo) by which the share must be reached.
    pub deadline: NaiveDate,
    /// Only this category's procedures; `None` for all.
    pub category: Option<Category>,
}

/// The programme's published targets.
pub fn default_targets() -> Vec<ProgrammeTarget> {
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    vec![
        ProgrammeTarget {
            key: "processes-70-fy2023".into(),
            label_ja: "行政手続の70%をデジタル化(令和5年度末)".into(),
            label_en: "70% of administrative processes online (end of FY2023)".into(),
            measure: TargetMeasure::Processes,
            basis_points: 7_000,
            deadline: date(2024, 3, 31),
            category: None,
        },
        ProgrammeTarget {
            key: "tokyo-scope-100-fy2026".into(),
            label_ja: "都の判断で可能な手続の100%をデジタル化(令和8年度末)".into(),
            label_en: "100% of what Tokyo can decide online (end of FY2026)".into(),
            measure: TargetMeasure::Processes,
            basis_points: 10_000,
            deadline: date(2027, 3, 31),
            category: None,
        },
    ]
}

/// Why a target list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("target {index}: {message}")]
pub struct TargetError {
    pub index: usize,
    pub message: String,
}

/// Checks a configured list: keys present and unique, shares within (0, 100%].
pub fn validate_targets(targets: &[ProgrammeTarget]) -> Result<(), TargetError> {
    for (index, t) in targets.iter().enumerate() {
        let fail = |message: String| Err(TargetError { index, message });
        if t.key.trim().is_empty() {
            return fail("the key is empty".into());
        }
        if targets[..index].iter().any(|o| o.key == t.key) {
            return fail(format!("the key {} is used twice", t.key));
        }
        if t.basis_points == 0 || t.basis_points > 10_000 {
            return fail(format!(
                "the share must be above 0% and at most 100%, not {}%",
                f64::from(t.basis_points) / 100.0
            ));
        }
    }
    Ok(())
}

/// A target against the figures of one date.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetProgress {
    pub target: ProgrammeTarget,
    /// The figures of the target's category (or all) as of the date.
    pub figures: KpiFigures,
    /// The rate of the target's measure.
    pub rate: Option<f64>,
    /// `rate / share`, 1.0 when met.
    pub progress: Option<f64>,
    /// Procedures still to digitise to reach the share of procedures in scope.
    pub gap_procedures: i64,
    /// Processes still to digitise to reach the share of processes in scope.
    pub gap_processes: i64,
    /// The target's measure has reached the share.
    pub met: bool,
}

/// How many more must be digitised for `digitised / in_scope` to reach `basis_points`.
pub fn gap(ratio: Ratio, basis_points: u32) -> i64 {
    let bp = i64::from(basis_points);
    let needed = (ratio.in_scope * bp + 9_999) / 10_000;
    (needed - ratio.digitised).max(0)
}

pub fn progress(target: &ProgrammeTarget, figures: KpiFigures) -> TargetProgress {
    let ratio = match target.measure {
        TargetMeasure::Procedures => figures.procedures,
        TargetMeasure::Processes => figures.processes,
    };
    let share = f64::from(target.basis_points) / 10_000.0;
    let rate = ratio.rate();
    TargetProgress {
        target: target.clone(),
        figures,
        rate,
        progress: rate.map(|r| (r / share).min(1.0)),
        gap_procedures: gap(figures.procedures, target.basis_points),
        gap_processes: gap(figures.processes, target.basis_points),
        met: ratio.in_scope > 0 && gap(ratio, target.basis_points) == 0,
    }
}
