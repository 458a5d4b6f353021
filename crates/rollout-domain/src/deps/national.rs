//! The national-request split: law changes Tokyo asked the national government for, and the
//! procedures behind them, by status as of a date (reconstructed from status history).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::{LawChangeId, ProcedureId};

use crate::blockers::{BlockerRef, Dependency, LawChange, LawChangeStatus, LawChangeStatusChange};

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
    let national: HashSet<LawChangeId> = law_changes
        .iter()
        .filter(|l| l.level.is_national())
        .map(|l| l.id)
        .collect();
    // The latest record at or before `until` (by time, then id) of each national law change.
    let mut latest: HashMap<LawChangeId, &LawChangeStatusChange> = HashMap::new();
    for h in history
        .iter()
        .filter(|h| h.at <= until && national.contains(&h.law_change_id))
    {
        let slot = latest.entry(h.law_change_id).or_insert(h);
        if (h.at, h.id) > (slot.at, slot.id) {
            *slot = h;
        }
    }
    let mut behind: HashMap<LawChangeId, HashSet<ProcedureId>> = HashMap::new();
    for d in dependencies.iter().filter(|d| d.active_at(until)) {
        if let BlockerRef::LawChange(id) = d.on
            && latest.contains_key(&id)
        {
            behind.entry(id).or_default().insert(d.procedure_id);
        }
    }
    let empty = HashSet::new();
    let mut all: HashSet<ProcedureId> = HashSet::new();
    let by_status = LawChangeStatus::ALL
        .iter()
        .map(|&status| {
            let mut procedures: HashSet<ProcedureId> = HashSet::new();
            let mut count = 0;
            for (id, _) in latest.iter().filter(|(_, h)| h.to_status == status) {
                count += 1;
                procedures.extend(behind.get(id).unwrap_or(&empty));
            }
            all.extend(&procedures);
            StatusCount {
                status,
                law_changes: count,
                procedures: procedures.len() as i64,
            }
        })
        .collect();
    NationalRequestSummary {
        as_of,
        by_status,
        law_changes: latest.len() as i64,
        procedures: all.len() as i64,
    }
}
