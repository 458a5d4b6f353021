//! The scope the programme's rates are taken over: "what Tokyo can decide". A procedure is in
//! scope at an instant when it exists, its state is not of kind CLOSED (abolished) and its
//! authority is TOKYO (a NATIONAL procedure waits on a law change Tokyo can only request). It is
//! digitised when it is in scope and in a DONE state. [`scope_ledger`] lists what entered and
//! left the scope in a period, each with its reason and date, so that a change of denominator
//! between two quarters has an answer.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::facts::{ProcedureAt, ProcedureFacts, RevisedField, end_of_day};
use crate::Authority;
use crate::workflow::{StateKind, WorkflowDefinition};

/// The workflow's state kinds by key, looked up once per computation.
#[derive(Debug, Clone)]
pub struct StateKinds<'a>(HashMap<&'a str, StateKind>);

impl<'a> StateKinds<'a> {
    pub fn new(def: &'a WorkflowDefinition) -> Self {
        Self(
            def.states()
                .iter()
                .map(|s| (s.key.as_str(), s.kind))
                .collect(),
        )
    }

    /// A state the workflow no longer defines counts as ACTIVE work.
    pub fn kind(&self, state: &str) -> StateKind {
        self.0.get(state).copied().unwrap_or(StateKind::Active)
    }

    pub fn in_scope(&self, p: &ProcedureAt<'_>) -> bool {
        p.authority == Authority::Tokyo && self.kind(p.state) != StateKind::Closed
    }

    pub fn is_digitised(&self, p: &ProcedureAt<'_>) -> bool {
        self.in_scope(p) && self.kind(p.state) == StateKind::Done
    }
}

/// Why a procedure entered or left the scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeReason {
    /// Created (entered).
    Created,
    /// Moved to an abolished (CLOSED) state (left).
    Abolished,
    /// Moved out of a CLOSED state (entered).
    Reinstated,
    /// Its authority became NATIONAL (left).
    BecameNational,
    /// Its authority became TOKYO (entered).
    BecameTokyo,
}

impl ScopeReason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Abolished => "ABOLISHED",
            Self::Reinstated => "REINSTATED",
            Self::BecameNational => "BECAME_NATIONAL",
            Self::BecameTokyo => "BECAME_TOKYO",
        }
    }
}

/// One entry or exit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeEntry<'a> {
    pub procedure: &'a ProcedureFacts,
    pub entered: bool,
    pub reason: ScopeReason,
    pub at: DateTime<Utc>,
    /// The transition's comment or the revision's reason.
    pub comment: Option<&'a str>,
    /// The procedure's process count at that moment.
    pub processes: i32,
}

/// What entered and left the scope between two Tokyo dates (both inclusive), oldest first, with
/// the scope's size before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeLedger<'a> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub procedures_before: i64,
    pub processes_before: i64,
    pub procedures_after: i64,
    pub processes_after: i64,
    pub entries: Vec<ScopeEntry<'a>>,
}

pub fn scope_ledger<'a>(
    facts: &'a [ProcedureFacts],
    def: &WorkflowDefinition,
    from: NaiveDate,
    to: NaiveDate,
) -> ScopeLedger<'a> {
    let kinds = StateKinds::new(def);
    let start = end_of_day(from.pred_opt().unwrap_or(from));
    let end = end_of_day(to);
    let mut ledger = ScopeLedger {
        from,
        to,
        procedures_before: 0,
        processes_before: 0,
        procedures_after: 0,
        processes_after: 0,
        entries: Vec::new(),
    };
    for f in facts {
        let scoped = |at| f.as_of(at).filter(|p| kinds.in_scope(p));
        if let Some(p) = scoped(start) {
            ledger.procedures_before += 1;
            ledger.processes_before += i64::from(p.process_count);
        }
        if let Some(p) = scoped(end) {
            ledger.procedures_after += 1;
            ledger.processes_after += i64::from(p.process_count);
        }
        // Every instant in the period at which something of this procedure changed.
        let mut moments: Vec<(DateTime<Utc>, Option<&str>, bool)> = f
            .changes
            .iter()
            .filter(|c| c.at >= start && c.at < end)
            .map(|c| (c.at, c.comment.as_deref(), true))
            .chain(
                f.revisions
                    .iter()
                    .filter(|r| r.field == RevisedField::Authority && r.at >= start && r.at < end)
                    .map(|r| (r.at, r.reason.as_deref(), false)),
            )
            .collect();
        moments.sort_by_key(|m| m.0);
        let mut was = f.as_of(start).map(|p| (kinds.in_scope(&p), p.authority));
        for (at, comment, is_state) in moments {
            // Just after this moment: everything recorded at `at` is seen.
            let Some(now) = f.as_of(at + chrono::TimeDelta::microseconds(1)) else {
                continue;
            };
            let is = kinds.in_scope(&now);
            let reason = match was {
                None => ScopeReason::Created,
                Some((_, before)) if before != now.authority && !is_state => {
                    if now.authority == Authority::National {
                        ScopeReason::BecameNational
                    } else {
                        ScopeReason::BecameTokyo
                    }
                }
                Some(_) if is_state && kinds.kind(now.state) == StateKind::Closed => {
                    ScopeReason::Abolished
                }
                Some(_) => ScopeReason::Reinstated,
            };
            if was.map(|w| w.0) != Some(is) && (is || was.is_some()) {
                ledger.entries.push(ScopeEntry {
                    procedure: f,
                    entered: is,
                    reason,
                    at,
                    comment,
                    processes: now.process_count,
                });
            }
            was = Some((is, now.authority));
        }
    }
    ledger.entries.sort_by_key(|a| (a.at, a.procedure.id.0));
    ledger
}
