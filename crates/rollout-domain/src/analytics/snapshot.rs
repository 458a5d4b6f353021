//! A quarter's figures, as frozen at its end: the KPIs overall and per category as of the
//! quarter's last day, and what was digitised during the quarter. [`quarter_figures`] computes
//! them from history, so a frozen snapshot can always be checked against a recomputation, and
//! [`QuarterDelta`] gives the change from the previous quarter.

use super::facts::ProcedureFacts;
use super::kpi::{GroupValue, KpiFigures, KpiFilter, KpiGroupBy, digitised_between, kpis};
use crate::workflow::WorkflowDefinition;
use crate::{Category, FiscalQuarter};

/// One category's figures in a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryFigures {
    pub category: Category,
    /// As of the quarter's last day.
    pub figures: KpiFigures,
    /// Procedures first digitised during the quarter.
    pub digitised_in_quarter: i64,
    /// Their processes.
    pub processes_in_quarter: i64,
}

/// The figures a quarter is reported with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterFigures {
    pub quarter: FiscalQuarter,
    pub overall: KpiFigures,
    pub digitised_in_quarter: i64,
    pub processes_in_quarter: i64,
    /// Every category, in declaration order (zeros when it has no procedure).
    pub categories: Vec<CategoryFigures>,
}

pub fn quarter_figures(
    facts: &[ProcedureFacts],
    def: &WorkflowDefinition,
    quarter: FiscalQuarter,
) -> QuarterFigures {
    let end = quarter.last_day();
    let k = kpis(
        facts,
        def,
        end,
        &KpiFilter::default(),
        &[KpiGroupBy::Category],
    );
    let done = digitised_between(facts, def, quarter.first_day(), end, &KpiFilter::default());
    let categories = Category::ALL
        .iter()
        .map(|&category| {
            let figures = k
                .groups
                .iter()
                .find(|g| g.key == [GroupValue::Category(category)])
                .map(|g| g.figures)
                .unwrap_or_default();
            let mine = done.iter().filter(|p| p.category == category);
            CategoryFigures {
                category,
                figures,
                digitised_in_quarter: mine.clone().count() as i64,
                processes_in_quarter: mine.map(|p| i64::from(p.process_count)).sum(),
            }
        })
        .collect();
    QuarterFigures {
        quarter,
        overall: k.overall,
        digitised_in_quarter: done.len() as i64,
        processes_in_quarter: done.iter().map(|p| i64::from(p.process_count)).sum(),
        categories,
    }
}

/// The change of each count from the previous quarter (this − previous).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FiguresDelta {
    pub procedures_digitised: i64,
    pub procedures_in_scope: i64,
    pub processes_digitised: i64,
    pub processes_in_scope: i64,
    pub applications_digitised: i64,
    pub applications_in_scope: i64,
}

impl FiguresDelta {
    pub fn between(now: &KpiFigures, before: &KpiFigures) -> Self {
        Self {
            procedures_digitised: now.procedures.digitised - before.procedures.digitised,
            procedures_in_scope: now.procedures.in_scope - before.procedures.in_scope,
            processes_digitised: now.processes.digitised - before.processes.digitised,
            processes_in_scope: now.processes.in_scope - before.processes.in_scope,
            applications_digitised: now.applications.digitised - before.applications.digitised,
            applications_in_scope: now.applications.in_scope - before.applications.in_scope,
        }
    }
}

/// A quarter against the one before it: overall and per category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterDelta {
    pub overall: FiguresDelta,
    pub categories: Vec<(Category, FiguresDelta)>,
}

impl QuarterDelta {
    pub fn between(now: &QuarterFigures, before: &QuarterFigures) -> Self {
        Self {
            overall: FiguresDelta::between(&now.overall, &before.overall),
            categories: now
                .categories
                .iter()
                .map(|c| {
                    let prev = before
                        .categories
                        .iter()
                        .find(|b| b.category == c.category)
                        .map(|b| b.figures)
                        .unwrap_or_default();
                    (c.category, FiguresDelta::between(&c.figures, &prev))
                })
                .collect(),
        }
    }
}
