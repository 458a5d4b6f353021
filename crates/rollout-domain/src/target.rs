//! Target quarters over time: every change of a procedure's target quarter is kept (by an update,
//! a hearing or an import), so the project office can see how often a target moved and from what
//! to what, and which procedures slipped (their target quarter ended without release).

use chrono::{DateTime, NaiveDate, Utc};

use crate::workflow::{StateKind, WorkflowDefinition};
use crate::{FiscalQuarter, Procedure, ProcedureId};

/// One change of a procedure's target quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetChange {
    pub procedure_id: ProcedureId,
    pub from: Option<FiscalQuarter>,
    pub to: Option<FiscalQuarter>,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub reason: Option<String>,
}

impl TargetChange {
    /// A move to a later quarter (setting a first target or clearing one is not a slip).
    pub fn is_slip(&self) -> bool {
        matches!((self.from, self.to), (Some(from), Some(to)) if to > from)
    }
}

/// How many times the target quarter moved later.
pub fn slip_count(history: &[TargetChange]) -> usize {
    history.iter().filter(|c| c.is_slip()).count()
}

/// The latest quarter that has ended by `today` (Asia/Tokyo): a procedure whose target quarter is
/// this one or earlier has slipped unless it is released or out of scope.
pub fn last_ended_quarter(today: NaiveDate) -> Option<FiscalQuarter> {
    FiscalQuarter::containing(today).previous()
}

/// Whether the target quarter has ended (in Tokyo, `today`) and the procedure is not in a DONE
/// or CLOSED state.
pub fn is_slipped(def: &WorkflowDefinition, p: &Procedure, today: NaiveDate) -> bool {
    let finished = def
        .state(&p.state)
        .is_some_and(|s| matches!(s.kind, StateKind::Done | StateKind::Closed));
    !finished && p.target_quarter.is_some_and(|q| q.last_day() < today)
}

/// The state keys a slipped procedure may be in: every state that is neither DONE nor CLOSED.
pub fn unfinished_states(def: &WorkflowDefinition) -> Vec<String> {
    def.states()
        .iter()
        .filter(|s| !matches!(s.kind, StateKind::Done | StateKind::Closed))
        .map(|s| s.key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn change(from: Option<&str>, to: Option<&str>) -> TargetChange {
        TargetChange {
            procedure_id: ProcedureId(Uuid::from_u128(1)),
            from: from.map(|q| q.parse().unwrap()),
            to: to.map(|q| q.parse().unwrap()),
            at: DateTime::<Utc>::MIN_UTC,
            actor: "a".into(),
            reason: None,
        }
    }

    #[test]
    fn only_moves_later_count_as_slips() {
        let history = [
            change(None, Some("FY2025-Q3")),
            change(Some("FY2025-Q3"), Some("FY2026-Q1")),
            change(Some("FY2026-Q1"), Some("FY2025-Q4")),
            change(Some("FY2025-Q4"), Some("FY2026-Q2")),
            change(Some("FY2026-Q2"), None),
        ];
        assert_eq!(slip_count(&history), 2);
    }

    #[test]
    fn the_quarter_ends_on_its_last_day_in_tokyo() {
        let q: FiscalQuarter = "FY2026-Q2".parse().unwrap();
        assert_eq!(last_ended_quarter("2026-10-01".parse().unwrap()), Some(q));
        assert_eq!(
            last_ended_quarter("2026-09-30".parse().unwrap()),
            Some("FY2026-Q1".parse().unwrap())
        );
    }
}
