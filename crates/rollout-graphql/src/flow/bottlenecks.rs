//! The `Bottlenecks` result: workflow states ranked by aging WIP and bureaus ranked by
//! throughput deficit against a programme target, each count with (up to 50 of) the procedures
//! behind it. A state's WIP procedures are replayed only when `wipProcedures` is selected.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{ComplexObject, SimpleObject};
use rollout_app::analytics::{BottleneckView, BureauRow, StateRow};
use rollout_domain::workflow::WorkflowDefinition;
use rollout_domain::{self as domain, BureauId};

use super::{ProcedureRef, known_bureau, refs};
use crate::bureau::Bureau;
use crate::errors;
use crate::scalars::Date;
use crate::workflow::{WorkflowState, known_state};

/// Where the programme is stuck, as of the end of a Tokyo date.
#[derive(Debug, Clone, SimpleObject)]
pub struct Bottlenecks {
    pub as_of: Date,
    /// The key of the programme target the bureaus' pace is measured against.
    pub target_key: String,
    /// That target's deadline.
    pub deadline: Date,
    /// Fiscal quarters from the date's to the deadline's, both included; at least 1.
    pub quarters_left: i64,
    /// Non-terminal states by aging WIP, then WIP, then workflow order.
    pub states: Vec<StateBottleneck>,
    /// Bureaus by deficit (largest first), then aging WIP, then bureau id. A bureau with no
    /// aging, remaining or recently released procedure is left out.
    pub bureaus: Vec<BureauBottleneck>,
}

/// One workflow state's load. Procedure lists name at most 50 procedures, longest in the
/// state first; the counts are always whole.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct StateBottleneck {
    pub state: WorkflowState,
    /// Procedures in the state.
    pub wip: i64,
    /// Of them, past the state's SLA (or its p85 when it has none).
    pub aging: i64,
    pub aging_procedures: Vec<ProcedureRef>,
    #[graphql(skip)]
    key: String,
    #[graphql(skip)]
    view: Arc<BottleneckView>,
}

#[ComplexObject]
impl StateBottleneck {
    /// The procedures behind `wip`.
    async fn wip_procedures(&self) -> async_graphql::Result<Vec<ProcedureRef>> {
        let list = self
            .view
            .wip_procedures(&self.key)
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(refs(&list))
    }
}

/// One bureau's pace against what it has left. Counts are procedures in the scope Tokyo can
/// decide (authority TOKYO, not closed) as of the date; lists name at most 50 procedures.
#[derive(Debug, Clone, SimpleObject)]
pub struct BureauBottleneck {
    pub bureau: Bureau,
    /// Procedures aging in a non-terminal state (whatever their authority).
    pub aging: i64,
    /// Longest in their state first.
    pub aging_procedures: Vec<ProcedureRef>,
    /// In scope and not yet released.
    pub remaining: i64,
    /// Longest in their current state first.
    pub remaining_procedures: Vec<ProcedureRef>,
    /// First releases in the fiscal quarter before the date's.
    pub released_last_quarter: i64,
    /// First releases in the four fiscal quarters before the date's.
    pub released_last_four_quarters: i64,
    /// Those releases, latest first.
    pub released_procedures: Vec<ProcedureRef>,
    /// `releasedLastFourQuarters / 4`.
    pub released_per_quarter_avg: f64,
    /// `remaining / quartersLeft`: the pace that meets the deadline.
    pub required_per_quarter: f64,
    /// `requiredPerQuarter − releasedPerQuarterAvg`: positive when behind.
    pub deficit: f64,
}

impl Bottlenecks {
    /// The API's view of `view`; `bureaus` must hold every bureau it ranks.
    pub(crate) fn new(
        view: BottleneckView,
        def: &WorkflowDefinition,
        bureaus: &HashMap<BureauId, domain::Bureau>,
    ) -> async_graphql::Result<Self> {
        let view = Arc::new(view);
        let states = view
            .states
            .iter()
            .map(|s| state(def, s, &view))
            .collect::<async_graphql::Result<_>>()?;
        let ranked = view
            .bureaus
            .iter()
            .map(|b| bureau(bureaus, b))
            .collect::<async_graphql::Result<_>>()?;
        Ok(Self {
            as_of: Date(view.as_of),
            target_key: view.target.key.clone(),
            deadline: Date(view.target.deadline),
            quarters_left: i64::from(view.quarters_left),
            states,
            bureaus: ranked,
        })
    }
}

fn state(
    def: &WorkflowDefinition,
    s: &StateRow,
    view: &Arc<BottleneckView>,
) -> async_graphql::Result<StateBottleneck> {
    Ok(StateBottleneck {
        state: known_state(def, &s.state)?,
        wip: i64::from(s.wip),
        aging: i64::from(s.aging),
        aging_procedures: refs(&s.aging_procedures),
        key: s.state.clone(),
        view: view.clone(),
    })
}

fn bureau(
    bureaus: &HashMap<BureauId, domain::Bureau>,
    b: &BureauRow,
) -> async_graphql::Result<BureauBottleneck> {
    Ok(BureauBottleneck {
        bureau: known_bureau(bureaus, b.bureau_id)?,
        aging: i64::from(b.aging),
        aging_procedures: refs(&b.aging_procedures),
        remaining: i64::from(b.remaining),
        remaining_procedures: refs(&b.remaining_procedures),
        released_last_quarter: i64::from(b.released_last_quarter),
        released_last_four_quarters: i64::from(b.released_last_four_quarters),
        released_procedures: refs(&b.released_procedures),
        released_per_quarter_avg: b.released_per_quarter_avg,
        required_per_quarter: b.required_per_quarter,
        deficit: b.deficit,
    })
}
