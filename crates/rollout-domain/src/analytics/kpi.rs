//! The programme's headline figures as of a date: digitised / in scope / rate, by procedures,
//! by processes (`process_count`; the programme's published rates are by processes) and by
//! annual applications, overall and per group (bureau, category, authority, platform, priority).
//! Everything is replayed from history ([`ProcedureFacts::as_of`]), so a past date's figures
//! do not change when later history is written.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::facts::{ProcedureAt, ProcedureFacts, end_of_day};
use super::scope::StateKinds;
use crate::procedure::search_text;
use crate::workflow::WorkflowDefinition;
use crate::{Authority, BureauId, Category, FiscalQuarter, Platform, ProcedureId};

/// Which procedures count, judged on their values as of the date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KpiFilter {
    /// Empty means every bureau.
    pub bureau_ids: Vec<BureauId>,
    pub category: Option<Category>,
    pub authority: Option<Authority>,
    pub platform: Option<Platform>,
    pub is_priority: Option<bool>,
    /// Empty means any state (the state as of the date).
    pub states: Vec<String>,
    /// The target quarter as of the date.
    pub target_quarter: Option<FiscalQuarter>,
    /// A term already folded with [`crate::text::fold_for_search`], looked for in the code and the names.
    pub search: Option<String>,
    /// Only these procedures (sorted, for a binary search).
    pub ids: Option<Vec<ProcedureId>>,
}

impl KpiFilter {
    pub fn matches(&self, p: &ProcedureAt<'_>) -> bool {
        (self.bureau_ids.is_empty() || self.bureau_ids.contains(&p.bureau_id))
            && self.category.is_none_or(|c| c == p.category)
            && self.authority.is_none_or(|a| a == p.authority)
            && self.platform.is_none_or(|x| Some(x) == p.platform)
            && self.is_priority.is_none_or(|v| v == p.is_priority())
            && (self.states.is_empty() || self.states.iter().any(|s| s == p.state))
            && self
                .target_quarter
                .is_none_or(|q| Some(q) == p.target_quarter)
            && self
                .ids
                .as_ref()
                .is_none_or(|ids| ids.binary_search(&p.facts.id).is_ok())
            && self.search.as_ref().is_none_or(|term| {
                let f = p.facts;
                search_text(&f.code, &f.name, f.name_en.as_deref()).contains(term.as_str())
            })
    }
}

/// A dimension to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KpiGroupBy {
    Bureau,
    Category,
    Authority,
    Platform,
    Priority,
}

/// One group's value on one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupValue {
    Bureau(BureauId),
    Category(Category),
    Authority(Authority),
    /// `None`: no platform chosen yet.
    Platform(Option<Platform>),
    Priority(bool),
}

impl KpiGroupBy {
    fn value(self, p: &ProcedureAt<'_>) -> GroupValue {
        match self {
            Self::Bureau => GroupValue::Bureau(p.bureau_id),
            Self::Category => GroupValue::Category(p.category),
            Self::Authority => GroupValue::Authority(p.authority),
            Self::Platform => GroupValue::Platform(p.platform),
            Self::Priority => GroupValue::Priority(p.is_priority()),
        }
    }
}

/// Digitised out of in scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ratio {
    pub digitised: i64,
    pub in_scope: i64,
}

impl Ratio {
    /// `digitised / in_scope`, `None` for an empty scope.
    pub fn rate(&self) -> Option<f64> {
        (self.in_scope > 0).then(|| self.digitised as f64 / self.in_scope as f64)
    }

    fn add(&mut self, digitised: bool, amount: i64) {
        self.in_scope += amount;
        if digitised {
            self.digitised += amount;
        }
    }
}

/// One set of figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KpiFigures {
    pub procedures: Ratio,
    pub processes: Ratio,
    /// Annual applications of the procedures that state a volume.
    pub applications: Ratio,
    /// Procedures that existed and matched but were out of scope (abolished or national).
    pub out_of_scope: i64,
}

impl KpiFigures {
    fn count(&mut self, kinds: &StateKinds<'_>, p: &ProcedureAt<'_>) {
        if !kinds.in_scope(p) {
            self.out_of_scope += 1;
            return;
        }
        let done = kinds.is_digitised(p);
        self.procedures.add(done, 1);
        self.processes.add(done, i64::from(p.process_count));
        self.applications
            .add(done, p.annual_applications.unwrap_or(0).max(0));
    }
}

/// A group's key (one value per grouping dimension, in the order asked) and figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiGroup {
    pub key: Vec<GroupValue>,
    pub figures: KpiFigures,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kpis {
    pub as_of: NaiveDate,
    pub overall: KpiFigures,
    /// Sorted by key; empty without grouping.
    pub groups: Vec<KpiGroup>,
}

/// The figures as of the end of `as_of` (Asia/Tokyo).
pub fn kpis(
    facts: &[ProcedureFacts],
    def: &WorkflowDefinition,
    as_of: NaiveDate,
    filter: &KpiFilter,
    group_by: &[KpiGroupBy],
) -> Kpis {
    let kinds = StateKinds::new(def);
    let at = end_of_day(as_of);
    let mut overall = KpiFigures::default();
    let mut groups: BTreeMap<Vec<GroupValue>, KpiFigures> = BTreeMap::new();
    for p in facts.iter().filter_map(|f| f.as_of(at)) {
        if !filter.matches(&p) {
            continue;
        }
        overall.count(&kinds, &p);
        if !group_by.is_empty() {
            let key = group_by.iter().map(|g| g.value(&p)).collect();
            groups.entry(key).or_default().count(&kinds, &p);
        }
    }
    Kpis {
        as_of,
        overall,
        groups: groups
            .into_iter()
            .map(|(key, figures)| KpiGroup { key, figures })
            .collect(),
    }
}

/// What was digitised during a period (the first entry into a DONE state between the two dates,
/// both inclusive, of a procedure in scope at the end), with the procedures behind the count.
pub fn digitised_between<'a>(
    facts: &'a [ProcedureFacts],
    def: &WorkflowDefinition,
    from: NaiveDate,
    to: NaiveDate,
    filter: &KpiFilter,
) -> Vec<ProcedureAt<'a>> {
    let kinds = StateKinds::new(def);
    let start = end_of_day(from.pred_opt().unwrap_or(from));
    let end = end_of_day(to);
    let done: Vec<&str> = def
        .states_of_kind(crate::workflow::StateKind::Done)
        .collect();
    facts
        .iter()
        .filter(|f| f.first_entered(&done, end).is_some_and(|t| t >= start))
        .filter_map(|f| f.as_of(end))
        .filter(|p| filter.matches(p) && kinds.is_digitised(p))
        .collect()
}
