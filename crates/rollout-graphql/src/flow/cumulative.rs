//! The `CumulativeFlow` result: per point (the end of each week or fiscal quarter between two
//! dates, and the last date), how many procedures were in each state of the workflow.

use async_graphql::{Enum, SimpleObject};
use rollout_domain::analytics::flow::{CumulativeFlow as DomainFlow, Step};
use rollout_domain::workflow::WorkflowDefinition;

use crate::scalars::Date;
use crate::workflow::{WorkflowState, known_state};

/// The spacing of a cumulative-flow series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Enum)]
pub enum FlowStep {
    /// Every seventh day counting `from` as the first day of the first week.
    #[default]
    #[graphql(name = "WEEK")]
    Week,
    /// The last day of each fiscal quarter.
    #[graphql(name = "QUARTER")]
    Quarter,
}

impl From<FlowStep> for Step {
    fn from(s: FlowStep) -> Self {
        match s {
            FlowStep::Week => Step::Week,
            FlowStep::Quarter => Step::Quarter,
        }
    }
}

/// Counts per state over time, for a cumulative-flow diagram.
#[derive(Debug, Clone, SimpleObject)]
pub struct CumulativeFlow {
    pub from: Date,
    pub to: Date,
    pub step: FlowStep,
    /// Every state of the workflow in workflow order, terminal ones included; `counts[i]` of
    /// each point is for `states[i]`.
    pub states: Vec<WorkflowState>,
    /// Oldest first; the last is always `to`.
    pub points: Vec<FlowPoint>,
}

/// The counts at the end of one date.
#[derive(Debug, Clone, SimpleObject)]
pub struct FlowPoint {
    pub date: Date,
    /// Procedures in each of `CumulativeFlow.states`, in the same order.
    pub counts: Vec<i64>,
}

impl CumulativeFlow {
    pub(crate) fn new(
        def: &WorkflowDefinition,
        from: Date,
        to: Date,
        step: FlowStep,
        flow: DomainFlow,
    ) -> async_graphql::Result<Self> {
        Ok(Self {
            from,
            to,
            step,
            states: flow
                .states
                .iter()
                .map(|key| known_state(def, key))
                .collect::<async_graphql::Result<_>>()?,
            points: flow
                .points
                .into_iter()
                .map(|p| FlowPoint {
                    date: Date(p.date),
                    counts: p.counts.into_iter().map(i64::from).collect(),
                })
                .collect(),
        })
    }
}
