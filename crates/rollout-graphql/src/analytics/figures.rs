//! The API's shapes of the analytics figures: ratios, figures, KPI groups, targets' progress,
//! the scope ledger and quarter figures, converted from the domain's types (which stay free of
//! GraphQL).

use async_graphql::{Enum, ID, SimpleObject};
use rollout_domain::Bureau as DomainBureau;
use rollout_domain::analytics::kpi::{self as dk, GroupValue};
use rollout_domain::analytics::scope::ScopeReason;
use rollout_domain::analytics::snapshot as ds;
use rollout_domain::analytics::targets as dt;

use crate::bureau::Bureau;
use crate::enums::{Authority, Platform, ProcedureCategory};
use crate::ids::{NodeType, global_id};
use crate::scalars::{Date, DateTime};

/// A dimension the KPIs can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum KpiGroupBy {
    #[graphql(name = "BUREAU")]
    Bureau,
    #[graphql(name = "CATEGORY")]
    Category,
    #[graphql(name = "AUTHORITY")]
    Authority,
    #[graphql(name = "PLATFORM")]
    Platform,
    #[graphql(name = "PRIORITY")]
    Priority,
}

impl From<KpiGroupBy> for dk::KpiGroupBy {
    fn from(g: KpiGroupBy) -> Self {
        match g {
            KpiGroupBy::Bureau => Self::Bureau,
            KpiGroupBy::Category => Self::Category,
            KpiGroupBy::Authority => Self::Authority,
            KpiGroupBy::Platform => Self::Platform,
            KpiGroupBy::Priority => Self::Priority,
        }
    }
}

/// Digitised out of in scope.
#[derive(Debug, Clone, SimpleObject)]
pub struct KpiRatio {
    pub digitised: i64,
    pub in_scope: i64,
    /// `digitised / inScope` (0 to 1); null when nothing is in scope.
    pub rate: Option<f64>,
}

impl From<dk::Ratio> for KpiRatio {
    fn from(r: dk::Ratio) -> Self {
        Self {
            digitised: r.digitised,
            in_scope: r.in_scope,
            rate: r.rate(),
        }
    }
}

/// Figures over the scope Tokyo can decide (not abolished, authority TOKYO).
#[derive(Debug, Clone, SimpleObject)]
pub struct KpiFigures {
    pub procedures: KpiRatio,
    /// By processes (`processCount`): the programme's published rates are by processes.
    pub processes: KpiRatio,
    /// By annual applications, of the procedures that state a volume.
    pub applications: KpiRatio,
    /// Procedures that matched but were out of scope (abolished or national).
    pub out_of_scope: i64,
}

impl From<dk::KpiFigures> for KpiFigures {
    fn from(f: dk::KpiFigures) -> Self {
        Self {
            procedures: f.procedures.into(),
            processes: f.processes.into(),
            applications: f.applications.into(),
            out_of_scope: f.out_of_scope,
        }
    }
}

/// One group: the value of each grouping dimension (null for the dimensions not grouped by,
/// and for `platform` when none is chosen) and its figures.
#[derive(Debug, Clone, SimpleObject)]
pub struct KpiGroup {
    pub bureau: Option<Bureau>,
    pub category: Option<ProcedureCategory>,
    pub authority: Option<Authority>,
    pub platform: Option<Platform>,
    pub is_priority: Option<bool>,
    pub figures: KpiFigures,
}

impl KpiGroup {
    pub(crate) fn new(g: dk::KpiGroup, bureaus: &[DomainBureau]) -> Self {
        let mut out = Self {
            bureau: None,
            category: None,
            authority: None,
            platform: None,
            is_priority: None,
            figures: g.figures.into(),
        };
        for v in g.key {
            match v {
                GroupValue::Bureau(id) => {
                    out.bureau = bureaus.iter().find(|b| b.id == id).cloned().map(Bureau);
                }
                GroupValue::Category(c) => out.category = Some(c.into()),
                GroupValue::Authority(a) => out.authority = Some(a.into()),
                GroupValue::Platform(p) => out.platform = p.map(Into::into),
                GroupValue::Priority(p) => out.is_priority = Some(p),
            }
        }
        out
    }
}

/// What a target counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum TargetMeasure {
    #[graphql(name = "PROCEDURES")]
    Procedures,
    #[graphql(name = "PROCESSES")]
    Processes,
}

/// A programme target against the figures of a date.
#[derive(Debug, Clone, SimpleObject)]
pub struct TargetProgress {
    pub key: String,
    pub label_ja: String,
    pub label_en: String,
    pub measure: TargetMeasure,
    /// The share to reach, 0 to 1 (0.7 = 70%).
    pub share: f64,
    pub deadline: Date,
    /// Only this category's procedures; null for all.
    pub category: Option<ProcedureCategory>,
    pub figures: KpiFigures,
    /// The rate of the target's measure; null when nothing is in scope.
    pub rate: Option<f64>,
    /// `rate / share`, at most 1.
    pub progress: Option<f64>,
    /// Procedures still to digitise for the share of procedures.
    pub gap_procedures: i64,
    /// Processes still to digitise for the share of processes.
    pub gap_processes: i64,
    pub met: bool,
}

impl From<dt::TargetProgress> for TargetProgress {
    fn from(p: dt::TargetProgress) -> Self {
        Self {
            key: p.target.key,
            label_ja: p.target.label_ja,
            label_en: p.target.label_en,
            measure: match p.target.measure {
                dt::TargetMeasure::Procedures => TargetMeasure::Procedures,
                dt::TargetMeasure::Processes => TargetMeasure::Processes,
            },
            share: f64::from(p.target.basis_points) / 10_000.0,
            deadline: Date(p.target.deadline),
            category: p.target.category.map(Into::into),
            figures: p.figures.into(),
            rate: p.rate,
            progress: p.progress,
            gap_procedures: p.gap_procedures,
            gap_processes: p.gap_processes,
            met: p.met,
        }
    }
}

/// Why a procedure entered or left the scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ScopeChangeReason {
    #[graphql(name = "CREATED")]
    Created,
    #[graphql(name = "ABOLISHED")]
    Abolished,
    #[graphql(name = "REINSTATED")]
    Reinstated,
    #[graphql(name = "BECAME_NATIONAL")]
    BecameNational,
    #[graphql(name = "BECAME_TOKYO")]
    BecameTokyo,
}

impl From<ScopeReason> for ScopeChangeReason {
    fn from(r: ScopeReason) -> Self {
        match r {
            ScopeReason::Created => Self::Created,
            ScopeReason::Abolished => Self::Abolished,
            ScopeReason::Reinstated => Self::Reinstated,
            ScopeReason::BecameNational => Self::BecameNational,
            ScopeReason::BecameTokyo => Self::BecameTokyo,
        }
    }
}

/// One procedure entering or leaving the scope.
#[derive(Debug, Clone, SimpleObject)]
pub struct ScopeLedgerEntry {
    /// The procedure's global id.
    pub procedure_id: ID,
    pub code: String,
    pub name: String,
    /// True when it entered the scope, false when it left.
    pub entered: bool,
    pub reason: ScopeChangeReason,
    pub at: DateTime,
    /// The transition's comment or the revision's reason.
    pub comment: Option<String>,
    /// Its process count at that moment.
    pub processes: i32,
}

/// What entered and left the scope in a period, with its size before and after.
#[derive(Debug, Clone, SimpleObject)]
pub struct ScopeLedger {
    pub from: Date,
    pub to: Date,
    pub procedures_before: i64,
    pub processes_before: i64,
    pub procedures_after: i64,
    pub processes_after: i64,
    pub entries: Vec<ScopeLedgerEntry>,
}

impl From<rollout_app::analytics::LedgerView> for ScopeLedger {
    fn from(l: rollout_app::analytics::LedgerView) -> Self {
        Self {
            from: Date(l.from),
            to: Date(l.to),
            procedures_before: l.procedures_before,
            processes_before: l.processes_before,
            procedures_after: l.procedures_after,
            processes_after: l.processes_after,
            entries: l
                .entries
                .into_iter()
                .map(|e| ScopeLedgerEntry {
                    procedure_id: global_id(NodeType::Procedure, e.procedure_id.0),
                    code: e.code,
                    name: e.name,
                    entered: e.entered,
                    reason: e.reason.into(),
                    at: DateTime(e.at),
                    comment: e.comment,
                    processes: e.processes,
                })
                .collect(),
        }
    }
}

/// One category's figures in a quarter.
#[derive(Debug, Clone, SimpleObject)]
pub struct CategoryQuarterFigures {
    pub category: ProcedureCategory,
    pub figures: KpiFigures,
    pub digitised_in_quarter: i64,
    pub processes_in_quarter: i64,
}

/// A quarter's figures: as of its last day, and what was first digitised during it.
#[derive(Debug, Clone, SimpleObject)]
pub struct QuarterFigures {
    pub quarter: crate::scalars::FiscalQuarter,
    pub overall: KpiFigures,
    pub digitised_in_quarter: i64,
    pub processes_in_quarter: i64,
    pub categories: Vec<CategoryQuarterFigures>,
}

impl From<ds::QuarterFigures> for QuarterFigures {
    fn from(q: ds::QuarterFigures) -> Self {
        Self {
            quarter: crate::scalars::FiscalQuarter(q.quarter),
            overall: q.overall.into(),
            digitised_in_quarter: q.digitised_in_quarter,
            processes_in_quarter: q.processes_in_quarter,
            categories: q
                .categories
                .into_iter()
                .map(|c| CategoryQuarterFigures {
                    category: c.category.into(),
                    figures: c.figures.into(),
                    digitised_in_quarter: c.digitised_in_quarter,
                    processes_in_quarter: c.processes_in_quarter,
                })
                .collect(),
        }
    }
}
