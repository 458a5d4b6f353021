//! The answer types of the graph reads: `BlockerImpact`, `EarliestRelease`,
//! `DependencyGraph`, `NationalRequestSummary`, and the `GraphDirection` argument.

use async_graphql::{Enum, Object, SimpleObject};
use rollout_domain::deps;

use crate::blockers::{Blocker, Dependency};
use crate::enums::LawChangeStatus;
use crate::scalars::{Date, FiscalQuarter};

/// Which way `dependencyGraph` walks from its root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Enum)]
pub enum GraphDirection {
    /// Towards what the root needs.
    Blockers,
    /// Towards what needs the root.
    Dependents,
    #[default]
    Both,
}

impl From<GraphDirection> for deps::Direction {
    fn from(d: GraphDirection) -> Self {
        match d {
            GraphDirection::Blockers => Self::Blockers,
            GraphDirection::Dependents => Self::Dependents,
            GraphDirection::Both => Self::Both,
        }
    }
}

/// What clearing one open blocker would unblock, counting each procedure once.
#[derive(Debug, Clone, SimpleObject)]
pub struct BlockerImpact {
    pub blocker: Blocker,
    /// Open procedures that depend on it, directly or through other open procedures.
    pub procedures: i64,
    /// Their administrative processes (`processCount`).
    pub processes: i64,
    /// Their applications a year (unknown volumes count as 0).
    pub annual_applications: i64,
    /// Those whose only open blocker it is: clearing it frees them entirely.
    pub fully_unblocked: i64,
    pub fully_unblocked_applications: i64,
}

/// The earliest fiscal quarter a procedure can realistically be released.
#[derive(Debug, Clone)]
pub struct EarliestRelease {
    inner: deps::EarliestRelease,
    /// `inner.decided_by` as API objects, resolved with the rest of the page's.
    decided_by: Vec<Blocker>,
}

impl EarliestRelease {
    pub(crate) fn new(inner: deps::EarliestRelease, decided_by: Vec<Blocker>) -> Self {
        Self { inner, decided_by }
    }
}

#[Object]
impl EarliestRelease {
    /// The fiscal quarter of `date`; null when a blocker on the deciding chain has no expected
    /// date yet (then `date` is only a lower bound).
    async fn quarter(&self) -> Option<FiscalQuarter> {
        self.inner.quarter.map(FiscalQuarter)
    }

    /// The latest expected date among its open blockers along the graph, plus the lead time
    /// of its platform; today when nothing blocks it; its release date once released.
    async fn date(&self) -> Date {
        Date(self.inner.date)
    }

    /// The chain of blockers that decides the date, nearest first.
    async fn decided_by(&self) -> &[Blocker] {
        &self.decided_by
    }

    /// Its target quarter ends before `date`, or a deciding blocker has no date.
    async fn at_risk(&self) -> bool {
        self.inner.at_risk
    }
}

/// A part of the dependency graph.
#[derive(Debug, Clone, SimpleObject)]
pub struct DependencyGraph {
    /// The root first.
    pub nodes: Vec<Blocker>,
    pub edges: Vec<Dependency>,
}

/// National-level law changes and the procedures behind them in one status.
#[derive(Debug, Clone, SimpleObject)]
pub struct NationalRequestCount {
    pub status: LawChangeStatus,
    pub law_changes: i64,
    /// Distinct procedures depending on them then.
    pub procedures: i64,
}

/// The quarterly national-request split, as of a date.
#[derive(Debug, Clone, SimpleObject)]
pub struct NationalRequestSummary {
    pub as_of: Date,
    /// Every status, zeros included.
    pub by_status: Vec<NationalRequestCount>,
    pub law_changes: i64,
    pub procedures: i64,
    /// Ministry has shown a date (DATE_SHOWN).
    pub date_shown: i64,
    /// National study under way (UNDER_STUDY).
    pub under_study: i64,
    /// Requested, no answer yet (REQUESTED).
    pub requested: i64,
    pub enacted: i64,
    pub declined: i64,
}

impl From<deps::national::NationalRequestSummary> for NationalRequestSummary {
    fn from(s: deps::national::NationalRequestSummary) -> Self {
        use rollout_domain::blockers::LawChangeStatus as S;
        let count = |status: S| {
            s.by_status
                .iter()
                .find(|c| c.status == status)
                .map_or(0, |c| c.law_changes)
        };
        Self {
            as_of: Date(s.as_of),
            date_shown: count(S::DateShown),
            under_study: count(S::UnderStudy),
            requested: count(S::Requested),
            enacted: count(S::Enacted),
            declined: count(S::Declined),
            law_changes: s.law_changes,
            procedures: s.procedures,
            by_status: s
                .by_status
                .iter()
                .map(|c| NationalRequestCount {
                    status: c.status.into(),
                    law_changes: c.law_changes,
                    procedures: c.procedures,
                })
                .collect(),
        }
    }
}
