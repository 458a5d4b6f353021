//! The programme's headline figures (`RolloutSummary`). The figures themselves are computed in
//! `rollout-domain` from per-state counts; this module only shapes them for the API.

use async_graphql::SimpleObject;
use rollout_domain::workflow::WorkflowDefinition;

use crate::workflow::{WorkflowState, state};

/// How many procedures are in one state.
#[derive(Debug, Clone, SimpleObject)]
pub struct StateCount {
    pub key: String,
    /// Null when the current workflow does not define the state.
    pub state: Option<WorkflowState>,
    pub count: i64,
}

/// Headline figures for the procedures matching a filter.
#[derive(Debug, Clone, SimpleObject)]
pub struct RolloutSummary {
    pub total: i64,
    /// Every state of the workflow in definition order (zero counts included).
    pub by_state: Vec<StateCount>,
    /// Procedures in a DONE state.
    pub digitised: i64,
    /// Procedures not in a CLOSED state.
    pub in_scope: i64,
    /// `digitised / inScope`, 0 when nothing is in scope.
    pub digitisation_rate: f64,
}

impl RolloutSummary {
    pub(crate) fn new(def: &WorkflowDefinition, s: rollout_domain::RolloutSummary) -> Self {
        Self {
            total: s.total,
            by_state: s
                .by_state
                .into_iter()
                .map(|(key, count)| StateCount {
                    state: state(def, &key),
                    key,
                    count,
                })
                .collect(),
            digitised: s.digitised,
            in_scope: s.in_scope,
            digitisation_rate: s.digitisation_rate,
        }
    }
}
