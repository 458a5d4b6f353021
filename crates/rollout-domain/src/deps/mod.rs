//! The dependency graph: procedures pointing at what they need (law changes, milestones, other
//! procedures), held in petgraph and asked the questions the project office and the workflow
//! ask of it: would this edge close a cycle (and which), what blocks a procedure (directly or
//! transitively, open only or all), who depends on a blocker, what clearing each blocker would
//! unblock ([`BlockerImpact`]), when a procedure can realistically be released
//! ([`EarliestRelease`]), and which waiting procedures a cleared blocker frees.
//!
//! Pure: the app loads the rows (cached per graph version) and the procedures' current facts,
//! builds a [`DepGraph`] and asks. Edges point from the dependent procedure to its blocker.
//! Only procedures have outgoing edges, so a cycle is always made of procedures.

pub mod dot;
mod graph;
mod impact;
pub mod national;
mod release;
mod walk;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::blockers::BlockerRef;
use crate::{BureauId, DependencyId, FiscalQuarter, Platform, ProcedureId};

pub use graph::{DepGraph, Direction};
pub use release::LeadTimes;

/// What the graph needs to know of a procedure, from its row and the workflow (the app builds
/// it). A procedure absent from a [`Procs`] map is treated as closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureNode {
    pub code: String,
    pub bureau_id: BureauId,
    /// Still blocks its dependents: not in a DONE or CLOSED state.
    pub open: bool,
    /// In a BLOCKED-kind state (waiting, e.g. `awaiting_law_change`).
    pub waiting: bool,
    pub released_on: Option<NaiveDate>,
    pub process_count: i64,
    pub annual_applications: i64,
    pub platform: Option<Platform>,
    pub target_quarter: Option<FiscalQuarter>,
}

/// The current facts of the procedures a question touches.
pub type Procs = HashMap<ProcedureId, ProcedureNode>;

/// What the graph knows of a law change or a milestone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockerNode {
    /// The law change's code or the milestone's name, for messages and DOT output.
    pub label: String,
    pub open: bool,
    /// [`crate::blockers::LawChange::expected_on`] / [`crate::blockers::Milestone::expected_on`].
    pub expected_on: Option<NaiveDate>,
}

/// One active dependency: `from` needs `on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub id: DependencyId,
    pub from: ProcedureId,
    pub on: BlockerRef,
}

/// What clearing one open blocker would unblock, counting each procedure once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockerImpact {
    pub blocker: BlockerRef,
    /// Open procedures that depend on the blocker, directly or through open procedures.
    pub procedures: i64,
    pub processes: i64,
    pub annual_applications: i64,
    /// Those of them whose only open blocker is this one.
    pub fully_unblocked: i64,
    pub fully_unblocked_applications: i64,
}

/// The earliest date a procedure can realistically be released, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarliestRelease {
    pub date: NaiveDate,
    /// The fiscal quarter of `date`; `None` when a blocker on the deciding chain has no date
    /// yet (`date` is then only a lower bound).
    pub quarter: Option<FiscalQuarter>,
    /// The chain of blockers that decides the date, nearest first; empty when nothing blocks.
    pub decided_by: Vec<BlockerRef>,
    /// The target quarter ends before `date`, or a deciding blocker has no date.
    pub at_risk: bool,
}

/// What clearing a blocker does to the procedures waiting on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unblocking {
    /// Direct dependents in a waiting state whose open direct blockers were only the cleared one.
    pub freed: Vec<ProcedureId>,
    /// Direct dependents in a waiting state that still have open direct blockers, with them.
    pub still_blocked: Vec<(ProcedureId, Vec<BlockerRef>)>,
}
