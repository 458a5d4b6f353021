//! The national-request split: law changes Tokyo asked the national government for, and the
//! procedures behind them, by status as of a date (reconstructed from status history).

use chrono::{DateTime, NaiveDate, Utc};

use crate::blockers::{Dependency, LawChange, LawChangeStatus, LawChangeStatusChange};

/// Law changes and the distinct procedures behind them in one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCount {
    pub status: LawChangeStatus,
    pub law_changes: i64,
    pub procedures: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalRequestSummary {
    pub as_of: NaiveDate,
    /// Every status in [`LawChangeStatus::ALL`] order, zeros included.
    pub by_status: Vec<StatusCount>,
    pub law_changes: i64,
    /// Distinct procedures behind any of them.
    pub procedures: i64,
}

/// Counts national-level law changes (see [`crate::blockers::LawLevel::is_national`]) that
/// existed at `until` by their status then (the latest history record at or before `until`),
/// with the distinct procedures whose dependency on them was active at `until`.
pub fn national_request_summary(
    law_changes: &[LawChange],
    history: &[LawChangeStatusChange],
    dependencies: &[Dependency],
    as_of: NaiveDate,
    until: DateTime<Utc>,
) -> NationalRequestSummary {
    todo!()
}
