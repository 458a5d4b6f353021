//! The bottleneck ranking as a use case: the target chosen (named, or the one with the latest
//! deadline, the programme's 100% target), the selection (the filter, and the target's category
//! when it has one), the domain's ranking (`rollout_domain::analytics::bottleneck`) with its
//! procedures named, and the procedures behind each state's WIP, replayed on demand.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use rollout_domain::analytics::bottleneck::{
    BureauBottleneck, PROCEDURES_PER_ROW, StateBottleneck, bottlenecks,
};
use rollout_domain::analytics::kpi::KpiFilter;
use rollout_domain::analytics::targets::ProgrammeTarget;
use rollout_domain::analytics::{ProcedureAt, ProcedureFacts, end_of_day, tokyo_date};
use rollout_domain::{BureauId, ProcedureId};
use tracing::instrument;

use super::{MAX_BOTTLENECKS, ProcedureRef, procedure_refs};
use crate::analytics::AnalyticsQuery;
use crate::{App, AppError, AppResult};

/// One state's WIP and aging, the aging procedures named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateRow {
    pub state: String,
    pub wip: u32,
    pub aging: u32,
    pub aging_procedures: Vec<ProcedureRef>,
}

/// One bureau's pace against its remaining scope, the procedures behind each count named.
#[derive(Debug, Clone, PartialEq)]
pub struct BureauRow {
    pub bureau_id: BureauId,
    pub aging: u32,
    pub aging_procedures: Vec<ProcedureRef>,
    pub remaining: u32,
    pub remaining_procedures: Vec<ProcedureRef>,
    pub released_last_quarter: u32,
    pub released_last_four_quarters: u32,
    pub released_procedures: Vec<ProcedureRef>,
    pub released_per_quarter_avg: f64,
    pub required_per_quarter: f64,
    pub deficit: f64,
}

/// States and bureaus ranked (see `rollout_domain::analytics::bottleneck`), against one target.
#[derive(Debug)]
pub struct BottleneckView {
    pub as_of: NaiveDate,
    /// The target whose deadline the bureaus' pace is measured against.
    pub target: ProgrammeTarget,
    pub quarters_left: u32,
    pub states: Vec<StateRow>,
    pub bureaus: Vec<BureauRow>,
    facts: Arc<Vec<ProcedureFacts>>,
    filter: KpiFilter,
    /// Per state key, the procedures in it as of the date; replayed on first use.
    wip: OnceLock<HashMap<String, Vec<ProcedureRef>>>,
}

impl BottleneckView {
    /// The procedures in `state` as of the date (those the ranking counted as its WIP), longest
    /// in it first, at most `PROCEDURES_PER_ROW` of them.
    pub fn wip_procedures(&self, state: &str) -> AppResult<Vec<ProcedureRef>> {
        if let Some(all) = self.wip.get() {
            return Ok(all.get(state).cloned().unwrap_or_default());
        }
        let cutoff = end_of_day(self.as_of);
        let mut by_state: HashMap<&str, Vec<(i64, ProcedureId)>> = HashMap::new();
        for f in self.facts.iter() {
            let Some(at) = f.as_of(cutoff) else { continue };
            if !self.keeps(&at) {
                continue;
            }
            let days = (self.as_of - tokyo_date(at.state_since)).num_days();
            by_state.entry(at.state).or_default().push((days, f.id));
        }
        let mut all = HashMap::new();
        for row in &self.states {
            let mut listed = by_state.remove(row.state.as_str()).unwrap_or_default();
            listed.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            listed.truncate(PROCEDURES_PER_ROW);
            let refs = procedure_refs(&self.facts, listed.into_iter().map(|(_, id)| id))?;
            all.insert(row.state.clone(), refs);
        }
        let all = self.wip.get_or_init(|| all);
        Ok(all.get(state).cloned().unwrap_or_default())
    }

    /// Every bureau the rankings name, each once.
    pub fn bureau_ids(&self) -> Vec<BureauId> {
        let mut ids: Vec<BureauId> = self.bureaus.iter().map(|b| b.bureau_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The ranking's selection: the filter, and the target's category when it has one.
    fn keeps(&self, p: &ProcedureAt<'_>) -> bool {
        self.filter.matches(p) && self.target.category.is_none_or(|c| c == p.category)
    }
}

impl App {
    /// States ranked by aging WIP and bureaus by throughput deficit as of the date, at most
    /// `first` (1 to [`MAX_BOTTLENECKS`]) of each. The deficit is measured against the target
    /// named `target`, or the one with the latest deadline (the programme's 100% target).
    #[instrument(name = "app.bottlenecks", skip(self, query), fields(as_of = ?query.as_of))]
    pub async fn bottlenecks(
        &self,
        query: &AnalyticsQuery,
        first: usize,
        target: Option<&str>,
    ) -> AppResult<BottleneckView> {
        if !(1..=MAX_BOTTLENECKS).contains(&first) {
            return Err(AppError::validation(
                "first",
                format!("first must be between 1 and {MAX_BOTTLENECKS} (got {first})"),
            ));
        }
        let target = bottleneck_target(&self.analytics_settings().targets, target)?.clone();
        let as_of = self.analytics_date(query.as_of)?;
        let filter = self.kpi_filter(&query.filter).await?;
        let facts = self.analytics_facts().await?;
        let mut view = BottleneckView {
            as_of,
            quarters_left: 0,
            states: Vec::new(),
            bureaus: Vec::new(),
            facts,
            filter,
            target,
            wip: OnceLock::new(),
        };
        let b = bottlenecks(
            &view.facts,
            self.workflow(),
            as_of,
            view.target.deadline,
            first,
            &|p| view.keeps(p),
        );
        view.quarters_left = b.quarters_left;
        view.states = b
            .states
            .into_iter()
            .map(|s| state_row(&view.facts, s))
            .collect::<AppResult<_>>()?;
        view.bureaus = b
            .bureaus
            .into_iter()
            .map(|r| bureau_row(&view.facts, r))
            .collect::<AppResult<_>>()?;
        Ok(view)
    }
}

/// The target a bottleneck ranking measures against: the one named, or the latest deadline's.
fn bottleneck_target<'a>(
    targets: &'a [ProgrammeTarget],
    key: Option<&str>,
) -> AppResult<&'a ProgrammeTarget> {
    match key {
        Some(key) => targets.iter().find(|t| t.key == key).ok_or_else(|| {
            let keys: Vec<&str> = targets.iter().map(|t| t.key.as_str()).collect();
            AppError::validation(
                "target",
                format!(
                    "no programme target has the key {key:?} (configured: {})",
                    keys.join(", ")
                ),
            )
        }),
        // Latest deadline; among equal deadlines the first configured.
        None => targets
            .iter()
            .rev()
            .max_by_key(|t| t.deadline)
            .ok_or_else(|| AppError::validation("target", "no programme target is configured")),
    }
}

fn state_row(facts: &[ProcedureFacts], s: StateBottleneck) -> AppResult<StateRow> {
    Ok(StateRow {
        aging_procedures: procedure_refs(facts, s.aging_procedures.into_iter())?,
        state: s.state,
        wip: s.wip,
        aging: s.aging,
    })
}

fn bureau_row(facts: &[ProcedureFacts], b: BureauBottleneck) -> AppResult<BureauRow> {
    Ok(BureauRow {
        bureau_id: b.bureau_id,
        aging: b.aging,
        aging_procedures: procedure_refs(facts, b.aging_procedures.into_iter())?,
        remaining: b.remaining,
        remaining_procedures: procedure_refs(facts, b.remaining_procedures.into_iter())?,
        released_last_quarter: b.released_last_quarter,
        released_last_four_quarters: b.released_last_four_quarters,
        released_procedures: procedure_refs(facts, b.released_procedures.into_iter())?,
        released_per_quarter_avg: b.released_per_quarter_avg,
        required_per_quarter: b.required_per_quarter,
        deficit: b.deficit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollout_domain::analytics::targets::default_targets;

    #[test]
    fn the_bottleneck_target_is_the_latest_deadline_unless_named() {
        let targets = default_targets();
        let latest = bottleneck_target(&targets, None).unwrap();
        assert_eq!(latest.key, "tokyo-scope-100-fy2026");
        assert_eq!(
            latest.deadline,
            NaiveDate::from_ymd_opt(2027, 3, 31).unwrap()
        );
        let named = bottleneck_target(&targets, Some("processes-70-fy2023")).unwrap();
        assert_eq!(
            named.deadline,
            NaiveDate::from_ymd_opt(2024, 3, 31).unwrap()
        );
        let unknown = bottleneck_target(&targets, Some("nope")).unwrap_err();
        assert_eq!(unknown.user_errors()[0].path, ["target"]);
        assert!(bottleneck_target(&[], None).is_err());
    }
}
