//! The `FlowMetrics` result and its rows. Everything but the aging list is converted when the
//! result is built; the aging list stays in the use case's view and is cut to `aging(first:)`
//! when selected, so 14,000 aging procedures never reach the wire unasked.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{ComplexObject, Context, Enum, SimpleObject};
use rollout_app::analytics::FlowView;
use rollout_domain::analytics::flow::{AgingReason as DomainAgingReason, BlockedTime, Durations};
use rollout_domain::workflow::WorkflowDefinition;
use rollout_domain::{self as domain, BureauId};

use super::{ProcedureRef, known_bureau};
use crate::bureau::Bureau;
use crate::errors;
use crate::scalars::{Date, FiscalQuarter};
use crate::workflow::{WorkflowState, known_state};

/// How work flows through the workflow, as of the end of a Tokyo date.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct FlowMetrics {
    pub as_of: Date,
    /// Procedures (and their processes) in each non-terminal state, in workflow order.
    pub wip: Vec<WipCount>,
    /// Per non-terminal state in workflow order: the row of all bureaus (`bureau` null), then a
    /// row per bureau with finished stays there.
    pub time_in_state: Vec<TimeInState>,
    /// From the first entry into the initial state to the first release, over the procedures
    /// released by the date.
    pub cycle_time: DayPercentiles,
    /// First releases per fiscal quarter, from the quarter of the first procedure to the date's,
    /// empty quarters included.
    pub throughput: Vec<QuarterThroughput>,
    /// Days in blocked states against days in any non-terminal state, open stays counted up to
    /// the date.
    pub blocked_share: BlockedShare,
    /// The same per bureau (by bureau id); bureaus with no time in non-terminal states are left
    /// out.
    pub blocked_share_by_bureau: Vec<BureauBlockedShare>,
    #[graphql(skip)]
    view: Arc<FlowView>,
    #[graphql(skip)]
    bureaus: Arc<HashMap<BureauId, domain::Bureau>>,
}

impl std::fmt::Debug for FlowMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowMetrics")
            .field("as_of", &self.as_of)
            .finish_non_exhaustive()
    }
}

#[ComplexObject]
impl FlowMetrics {
    /// Procedures longer in their non-terminal state than its SLA (or, for a state without an
    /// SLA, than its p85 of finished stays), longest first; the first `first` (0 to 500) of
    /// them and how many there are in all.
    async fn aging(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
    ) -> async_graphql::Result<AgingWip> {
        let first = usize::try_from(first)
            .map_err(|_| errors::validation(format!("first must be 0 or more (got {first})")))?;
        let def = crate::app(ctx)?.workflow();
        let entries = self
            .view
            .aging(first)
            .map_err(|e| errors::graphql_error(&e))?;
        let items = entries
            .into_iter()
            .map(|e| {
                Ok(AgingProcedure {
                    procedure: ProcedureRef::from(&e.procedure),
                    state: known_state(def, &e.item.state)?,
                    bureau: known_bureau(&self.bureaus, e.item.bureau_id)?,
                    entered_on: Date(e.item.entered_on),
                    days_in_state: e.item.days_in_state,
                    sla_days: e.item.sla_days.map(i64::from),
                    p85_days: e.item.p85_days,
                    reason: e.item.reason.into(),
                })
            })
            .collect::<async_graphql::Result<_>>()?;
        Ok(AgingWip {
            total_count: i64::try_from(self.view.aging_total()).unwrap_or(i64::MAX),
            items,
        })
    }
}

impl FlowMetrics {
    /// The API's view of `view`; `bureaus` must hold every bureau it names.
    pub(crate) fn new(
        view: FlowView,
        def: &WorkflowDefinition,
        bureaus: HashMap<BureauId, domain::Bureau>,
    ) -> async_graphql::Result<Self> {
        let wip = view
            .wip
            .iter()
            .map(|w| {
                Ok(WipCount {
                    state: known_state(def, &w.state)?,
                    procedures: i64::from(w.procedures),
                    processes: w.processes,
                })
            })
            .collect::<async_graphql::Result<_>>()?;
        let time_in_state = view
            .time_in_state
            .iter()
            .map(|r| {
                let d = DayPercentiles::from(r.durations);
                Ok(TimeInState {
                    state: known_state(def, &r.state)?,
                    bureau: r
                        .bureau_id
                        .map(|id| known_bureau(&bureaus, id))
                        .transpose()?,
                    samples: d.samples,
                    p50_days: d.p50_days,
                    p85_days: d.p85_days,
                    p95_days: d.p95_days,
                })
            })
            .collect::<async_graphql::Result<_>>()?;
        let blocked_share_by_bureau = view
            .blocked_by_bureau
            .iter()
            .map(|(id, t)| {
                Ok(BureauBlockedShare {
                    bureau: known_bureau(&bureaus, *id)?,
                    blocked_days: t.blocked_days,
                    open_days: t.open_days,
                    share: t.share(),
                })
            })
            .collect::<async_graphql::Result<_>>()?;
        Ok(Self {
            as_of: Date(view.as_of),
            wip,
            time_in_state,
            cycle_time: view.cycle_time.into(),
            throughput: view
                .throughput
                .iter()
                .map(|q| QuarterThroughput {
                    quarter: FiscalQuarter(q.quarter),
                    procedures: i64::from(q.procedures),
                    processes: q.processes,
                })
                .collect(),
            blocked_share: view.blocked.into(),
            blocked_share_by_bureau,
            view: Arc::new(view),
            bureaus: Arc::new(bureaus),
        })
    }
}

/// Procedures in one state.
#[derive(Debug, Clone, SimpleObject)]
pub struct WipCount {
    pub state: WorkflowState,
    pub procedures: i64,
    /// The sum of their process counts as of the date.
    pub processes: i64,
}

/// Nearest-rank percentiles of durations in whole days; null when there is no sample.
#[derive(Debug, Clone, Copy, SimpleObject)]
pub struct DayPercentiles {
    pub samples: i64,
    pub p50_days: Option<i64>,
    pub p85_days: Option<i64>,
    pub p95_days: Option<i64>,
}

impl From<Durations> for DayPercentiles {
    fn from(d: Durations) -> Self {
        Self {
            samples: i64::from(d.samples),
            p50_days: d.p50_days,
            p85_days: d.p85_days,
            p95_days: d.p95_days,
        }
    }
}

/// Time spent in one state by the stays that had ended by the date.
#[derive(Debug, Clone, SimpleObject)]
pub struct TimeInState {
    pub state: WorkflowState,
    /// Null on the row of all bureaus together.
    pub bureau: Option<Bureau>,
    /// How many finished stays were measured.
    pub samples: i64,
    pub p50_days: Option<i64>,
    pub p85_days: Option<i64>,
    pub p95_days: Option<i64>,
}

/// First releases in one fiscal quarter.
#[derive(Debug, Clone, SimpleObject)]
pub struct QuarterThroughput {
    pub quarter: FiscalQuarter,
    pub procedures: i64,
    pub processes: i64,
}

/// Time blocked against time open.
#[derive(Debug, Clone, Copy, SimpleObject)]
pub struct BlockedShare {
    pub blocked_days: i64,
    pub open_days: i64,
    /// `blockedDays / openDays`, 0 when no time passed.
    pub share: f64,
}

impl From<BlockedTime> for BlockedShare {
    fn from(t: BlockedTime) -> Self {
        Self {
            blocked_days: t.blocked_days,
            open_days: t.open_days,
            share: t.share(),
        }
    }
}

/// One bureau's time blocked.
#[derive(Debug, Clone, SimpleObject)]
pub struct BureauBlockedShare {
    pub bureau: Bureau,
    pub blocked_days: i64,
    pub open_days: i64,
    /// `blockedDays / openDays`.
    pub share: f64,
}

/// Aging WIP: a first page and the whole count.
#[derive(Debug, Clone, SimpleObject)]
pub struct AgingWip {
    /// How many procedures are aging in all.
    pub total_count: i64,
    pub items: Vec<AgingProcedure>,
}

/// Why a procedure counts as aging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum AgingReason {
    /// Longer in its state than the state's `slaDays`.
    #[graphql(name = "PAST_SLA")]
    PastSla,
    /// The state has no SLA and the procedure has been there longer than the state's p85.
    #[graphql(name = "PAST_P85")]
    PastP85,
}

impl From<DomainAgingReason> for AgingReason {
    fn from(r: DomainAgingReason) -> Self {
        match r {
            DomainAgingReason::PastSla => Self::PastSla,
            DomainAgingReason::PastP85 => Self::PastP85,
        }
    }
}

/// A procedure that has been in its current state too long.
#[derive(Debug, Clone, SimpleObject)]
pub struct AgingProcedure {
    pub procedure: ProcedureRef,
    pub state: WorkflowState,
    /// Its bureau as of the date.
    pub bureau: Bureau,
    /// The Tokyo date it entered the state.
    pub entered_on: Date,
    pub days_in_state: i64,
    pub sla_days: Option<i64>,
    /// The state's p85 of finished stays (of the selected procedures), for comparison.
    pub p85_days: Option<i64>,
    pub reason: AgingReason,
}
