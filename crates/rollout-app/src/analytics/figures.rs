//! KPIs as of a date, the scope ledger of a period and the targets' progress: the listing filter
//! turned into the analytics filter (bureau codes to ids, the search term folded, conditions
//! that only make sense today refused), then the domain's arithmetic over the cached facts.

use chrono::{DateTime, NaiveDate, Utc};
use rollout_domain::ProcedureId;
use rollout_domain::analytics::kpi::{KpiFilter, KpiGroupBy, Kpis, kpis};
use rollout_domain::analytics::scope::{ScopeReason, scope_ledger};
use rollout_domain::analytics::targets::{TargetProgress, progress};
use rollout_domain::text::fold_for_search;
use rollout_store::ProcedureFilter;
use tracing::instrument;

use crate::{App, AppError, AppResult};

/// The longest period a scope ledger covers.
const LEDGER_MAX_DAYS: i64 = 3_660;

/// The date and filter of an analytics read.
#[derive(Debug, Clone, Default)]
pub struct AnalyticsQuery {
    /// A Tokyo date; today when `None`.
    pub as_of: Option<NaiveDate>,
    pub filter: ProcedureFilter,
}

/// One entry of the scope ledger, owned (see `rollout_domain::analytics::scope`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub procedure_id: ProcedureId,
    pub code: String,
    pub name: String,
    pub entered: bool,
    pub reason: ScopeReason,
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
    pub processes: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub procedures_before: i64,
    pub processes_before: i64,
    pub procedures_after: i64,
    pub processes_after: i64,
    pub entries: Vec<LedgerEntry>,
}

impl App {
    /// The date an analytics read is for: `as_of`, or today in Tokyo; a future date is refused.
    pub fn analytics_date(&self, as_of: Option<NaiveDate>) -> AppResult<NaiveDate> {
        let today = self.today();
        match as_of {
            Some(d) if d > today => Err(AppError::validation(
                "asOf",
                format!("{d} is in the future (today is {today} in Tokyo)"),
            )),
            Some(d) => Ok(d),
            None => Ok(today),
        }
    }

    /// The analytics filter of a listing filter. Bureau codes that name no bureau select
    /// nothing; `slipped` (judged against today) has no meaning as of another date and is
    /// refused.
    pub async fn kpi_filter(&self, filter: &ProcedureFilter) -> AppResult<KpiFilter> {
        if filter.slipped.is_some() {
            return Err(AppError::validation(
                "filter.slipped",
                "slipped is judged against today and cannot filter figures as of a date; \
                 use targetQuarter and states instead",
            ));
        }
        let mut bureau_ids = Vec::new();
        for code in &filter.bureau_codes {
            match self.bureau_by_code(code).await? {
                Some(b) => bureau_ids.push(b.id),
                None => {
                    return Err(AppError::validation(
                        "filter.bureauCodes",
                        format!("no bureau has the code {code}"),
                    ));
                }
            }
        }
        let mut ids = filter.ids.clone();
        if let Some(ids) = ids.as_mut() {
            ids.sort_unstable();
        }
        Ok(KpiFilter {
            bureau_ids,
            category: filter.category,
            authority: filter.authority,
            platform: filter.platform,
            is_priority: filter.is_priority,
            states: filter.states.clone(),
            target_quarter: filter.target_quarter,
            search: filter.search.as_deref().map(fold_for_search),
            ids,
        })
    }

    /// Digitised / in scope / rate by procedures, processes and applications as of the end of
    /// the day, overall and per group.
    #[instrument(name = "app.kpis", skip(self, query), fields(as_of = ?query.as_of, groups = group_by.len()))]
    pub async fn kpis(&self, query: &AnalyticsQuery, group_by: &[KpiGroupBy]) -> AppResult<Kpis> {
        let as_of = self.analytics_date(query.as_of)?;
        let filter = self.kpi_filter(&query.filter).await?;
        let facts = self.analytics_facts().await?;
        Ok(kpis(&facts, self.workflow(), as_of, &filter, group_by))
    }

    /// Each configured target against the figures as of the date (its category's, or all).
    #[instrument(name = "app.target_progress", skip(self))]
    pub async fn target_progress(
        &self,
        as_of: Option<NaiveDate>,
    ) -> AppResult<Vec<TargetProgress>> {
        let as_of = self.analytics_date(as_of)?;
        let facts = self.analytics_facts().await?;
        Ok(self
            .analytics_settings()
            .targets
            .iter()
            .map(|t| {
                let filter = KpiFilter {
                    category: t.category,
                    ..KpiFilter::default()
                };
                let k = kpis(&facts, self.workflow(), as_of, &filter, &[]);
                progress(t, k.overall)
            })
            .collect())
    }

    /// What entered and left the scope between two Tokyo dates (both inclusive).
    #[instrument(name = "app.scope_ledger", skip(self))]
    pub async fn scope_ledger(&self, from: NaiveDate, to: NaiveDate) -> AppResult<LedgerView> {
        if from > to {
            return Err(AppError::validation("to", format!("{to} is before {from}")));
        }
        if (to - from).num_days() > LEDGER_MAX_DAYS {
            return Err(AppError::validation(
                "to",
                format!("a ledger covers at most {LEDGER_MAX_DAYS} days"),
            ));
        }
        let facts = self.analytics_facts().await?;
        let l = scope_ledger(&facts, self.workflow(), from, to);
        Ok(LedgerView {
            from: l.from,
            to: l.to,
            procedures_before: l.procedures_before,
            processes_before: l.processes_before,
            procedures_after: l.procedures_after,
            processes_after: l.processes_after,
            entries: l
                .entries
                .into_iter()
                .map(|e| LedgerEntry {
                    procedure_id: e.procedure.id,
                    code: e.procedure.code.clone(),
                    name: e.procedure.name.clone(),
                    entered: e.entered,
                    reason: e.reason,
                    at: e.at,
                    comment: e.comment.map(str::to_owned),
                    processes: e.processes,
                })
                .collect(),
        })
    }
}
