//! Flow metrics, the cumulative flow and bottlenecks as use cases: the listing filter turned
//! into the analytics predicate ([`App::kpi_filter`]), the date checked ([`App::analytics_date`]),
//! the domain's arithmetic (`rollout_domain::analytics::{flow, bottleneck}`) run over the cached
//! facts, and the results shaped for a reader: procedures named by code and name, lists bounded.
//!
//! Bounds: the aging list of 28,000 procedures can hold half of them, so [`FlowView`] keeps it
//! whole (the domain computes it anyway) but hands it out a page at a time with its total
//! ([`FlowView::aging`], at most [`MAX_AGING_PAGE`]); bottlenecks return at most
//! [`MAX_BOTTLENECKS`] rows of each ranking, each naming at most the domain's
//! `PROCEDURES_PER_ROW` procedures beside its whole count. The procedures behind a state's WIP
//! are not part of the domain's ranking; they are replayed on demand
//! ([`BottleneckView::wip_procedures`]), once per view, so a reader who does not ask pays nothing.
//!
//! Everyone may read these figures (they describe the programme, not a bureau's secrets); the
//! resolvers only require an authenticated actor. Range problems of a series are the domain's
//! ([`FlowRangeError`]) reported as VALIDATION errors on the argument at fault.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use rollout_domain::analytics::ProcedureFacts;
use rollout_domain::analytics::flow::{
    AgingItem, BlockedTime, CumulativeFlow, Durations, FlowRangeError, QuarterCount, StateCount,
    StateDurations, Step, cumulative_flow, flow_metrics,
};
use rollout_domain::{BureauId, ProcedureId};
use rollout_store::{ProcedureFilter, StoreError};
use tracing::instrument;

use super::AnalyticsQuery;
use crate::{App, AppError, AppResult};

#[path = "flow_bottlenecks.rs"]
mod bottlenecks;

pub use bottlenecks::{BottleneckView, BureauRow, StateRow};

/// The most rows a bottleneck ranking returns.
pub const MAX_BOTTLENECKS: usize = 100;
/// The most aging procedures one read of [`FlowView::aging`] returns.
pub const MAX_AGING_PAGE: usize = 500;

/// A procedure as a figure names it: enough to show and to link (`node(id:)`), nothing to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureRef {
    pub id: ProcedureId,
    pub code: String,
    pub name: String,
}

/// The flow of the selected procedures as of one date (see `rollout_domain::analytics::flow`).
#[derive(Debug, Clone)]
pub struct FlowView {
    pub as_of: NaiveDate,
    pub wip: Vec<StateCount>,
    pub time_in_state: Vec<StateDurations>,
    pub cycle_time: Durations,
    pub throughput: Vec<QuarterCount>,
    pub blocked: BlockedTime,
    pub blocked_by_bureau: Vec<(BureauId, BlockedTime)>,
    /// Longest in state first; handed out by [`FlowView::aging`].
    aging: Vec<AgingItem>,
    facts: Arc<Vec<ProcedureFacts>>,
}

/// One aging procedure with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgingEntry {
    pub item: AgingItem,
    pub procedure: ProcedureRef,
}

impl FlowView {
    /// How many procedures are aging in all.
    pub fn aging_total(&self) -> usize {
        self.aging.len()
    }

    /// The first `first` aging procedures, longest in their state first.
    pub fn aging(&self, first: usize) -> AppResult<Vec<AgingEntry>> {
        if first > MAX_AGING_PAGE {
            return Err(AppError::validation(
                "first",
                format!(
                    "at most {MAX_AGING_PAGE} aging procedures are listed at once (got {first}); \
                     narrow the filter to see others"
                ),
            ));
        }
        let items = &self.aging[..first.min(self.aging.len())];
        let refs = procedure_refs(&self.facts, items.iter().map(|a| a.procedure_id))?;
        Ok(items
            .iter()
            .zip(refs)
            .map(|(item, procedure)| AgingEntry {
                item: item.clone(),
                procedure,
            })
            .collect())
    }

    /// Every bureau the view names (time in state, blocked time, aging), each once.
    pub fn bureau_ids(&self) -> Vec<BureauId> {
        let mut ids: Vec<BureauId> = self
            .time_in_state
            .iter()
            .filter_map(|r| r.bureau_id)
            .chain(self.blocked_by_bureau.iter().map(|(id, _)| *id))
            .chain(self.aging.iter().map(|a| a.bureau_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

impl App {
    /// Flow metrics of the procedures the filter selects (judged as of the date), as of the end
    /// of the date in Tokyo (today when none).
    #[instrument(name = "app.flow_metrics", skip(self, query), fields(as_of = ?query.as_of))]
    pub async fn flow_metrics(&self, query: &AnalyticsQuery) -> AppResult<FlowView> {
        let as_of = self.analytics_date(query.as_of)?;
        let filter = self.kpi_filter(&query.filter).await?;
        let facts = self.analytics_facts().await?;
        let m = flow_metrics(&facts, self.workflow(), as_of, &|p| filter.matches(p));
        Ok(FlowView {
            as_of: m.as_of,
            wip: m.wip,
            time_in_state: m.time_in_state,
            cycle_time: m.cycle_time,
            throughput: m.throughput,
            blocked: m.blocked,
            blocked_by_bureau: m.blocked_by_bureau,
            aging: m.aging,
            facts,
        })
    }

    /// The count of procedures in each state at each step between two Tokyo dates (both
    /// inclusive); `to` may not be after today.
    #[instrument(name = "app.cumulative_flow", skip(self, filter))]
    pub async fn cumulative_flow(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        step: Step,
        filter: &ProcedureFilter,
    ) -> AppResult<CumulativeFlow> {
        let today = self.today();
        if to > today {
            return Err(AppError::validation(
                "to",
                format!("{to} is in the future (today is {today} in Tokyo)"),
            ));
        }
        let filter = self.kpi_filter(filter).await?;
        let facts = self.analytics_facts().await?;
        cumulative_flow(&facts, self.workflow(), from, to, step, &|p| {
            filter.matches(p)
        })
        .map_err(range_error)
    }
}

/// A series the domain refused, on the argument at fault.
fn range_error(e: FlowRangeError) -> AppError {
    let field = match e {
        FlowRangeError::Reversed { .. } | FlowRangeError::TooManyPoints { .. } => "to",
        // Only `from` can fall before the fiscal calendar: `to` is after it and not in the future.
        FlowRangeError::Quarter(_) => "from",
    };
    AppError::validation(field, e.to_string())
}

/// The code and name of each of `ids`, in order: one pass over the facts, whatever the number
/// of ids (hashing a few hundred ids beats sorting 28,000 facts per read).
fn procedure_refs(
    facts: &[ProcedureFacts],
    ids: impl Iterator<Item = ProcedureId>,
) -> AppResult<Vec<ProcedureRef>> {
    let ids: Vec<ProcedureId> = ids.collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: HashSet<ProcedureId> = ids.iter().copied().collect();
    let found: HashMap<ProcedureId, &ProcedureFacts> = facts
        .iter()
        .filter(|f| wanted.contains(&f.id))
        .map(|f| (f.id, f))
        .collect();
    ids.iter()
        .map(|id| {
            let f = found.get(id).ok_or_else(|| {
                // The ids come from these very facts; a miss is a bug here.
                AppError::Internal(StoreError::corrupt(format!(
                    "procedure {} named by the figures is not among their facts",
                    id.0
                )))
            })?;
            Ok(ProcedureRef {
                id: f.id,
                code: f.code.clone(),
                name: f.name.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_errors_point_at_the_argument_at_fault() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let reversed = range_error(FlowRangeError::Reversed {
            from: d("2026-02-01"),
            to: d("2026-01-01"),
        });
        assert_eq!(reversed.user_errors()[0].path, ["to"]);
        let many = range_error(FlowRangeError::TooManyPoints {
            points: 600,
            max: 520,
        });
        assert_eq!(many.user_errors()[0].path, ["to"]);
        assert!(many.user_errors()[0].message.contains("600"));
    }
}
