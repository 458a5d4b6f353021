//! The programme's headline figures, computed from per-state counts so that each backend only
//! has to count rows (a `GROUP BY state`) and the definition of "digitised" lives here once.

use crate::workflow::{StateKind, WorkflowDefinition};

/// Counts of procedures per state and the digitisation rate derived from them.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutSummary {
    pub total: i64,
    /// `(state key, count)` in the definition's state order, including states with zero.
    pub by_state: Vec<(String, i64)>,
    /// Procedures in a DONE state.
    pub digitised: i64,
    /// Procedures not in a CLOSED state.
    pub in_scope: i64,
    /// `digitised / in_scope`, 0 when nothing is in scope.
    pub digitisation_rate: f64,
}

impl RolloutSummary {
    /// Builds the summary from raw `(state, count)` rows. Counts in states the definition does not
    /// know are still included in `total` and listed after the known states.
    pub fn from_counts(def: &WorkflowDefinition, counts: &[(String, i64)]) -> Self {
        let count_of = |key: &str| {
            counts
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, n)| *n)
                .sum::<i64>()
        };
        let mut by_state: Vec<(String, i64)> = def
            .states()
            .iter()
            .map(|s| (s.key.clone(), count_of(&s.key)))
            .collect();
        for (k, _) in counts {
            if def.state(k).is_none() && !by_state.iter().any(|(key, _)| key == k) {
                by_state.push((k.clone(), count_of(k)));
            }
        }
        let total = counts.iter().map(|(_, n)| *n).sum();
        let kind_total = |kind: StateKind| -> i64 {
            def.states()
                .iter()
                .filter(|s| s.kind == kind)
                .map(|s| count_of(&s.key))
                .sum()
        };
        let digitised = kind_total(StateKind::Done);
        let in_scope = total - kind_total(StateKind::Closed);
        let digitisation_rate = if in_scope > 0 {
            digitised as f64 / in_scope as f64
        } else {
            0.0
        };
        Self {
            total,
            by_state,
            digitised,
            in_scope,
            digitisation_rate,
        }
    }
}
