//! The quarterly progress report's model: the language-independent figures and named examples
//! of one fiscal quarter, in the programme's published structure. Per topic (major procedures;
//! all other procedures, by processes; subsidies through jGrants): what was digitised in the
//! quarter, the cumulative count against the scope as of the quarter's last day, and next
//! quarter's plan; once for the report, the requests to the national government
//! ([`national`]). Everything is replayed from history with the same rules as the KPIs and the
//! quarter snapshots ([`super::snapshot::quarter_figures`]), so a published quarter's report
//! states exactly its frozen figures ([`QuarterlyReport::check_against`]).
//!
//! Rendering (Markdown, HTML, XLSX) and wording in either language are not here: they belong to
//! the `rollout-report` crate, which reads only this model.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::facts::{ProcedureFacts, end_of_day};
use super::scope::StateKinds;
use super::snapshot::QuarterFigures;
use crate::workflow::{StateKind, WorkflowDefinition};
use crate::{Bureau, BureauId, FiscalQuarter};

pub mod national;
mod topic;

pub use national::{NationalRequest, NationalRequests, RequestBucket, national_requests};
pub use topic::{Count, Measure, ReportRow, Topic, TopicReport, share};

/// How many named examples a figure carries at most.
pub const EXAMPLES: usize = 5;

/// Names of illustrative records (demo data, not a real procedure or request) start with this;
/// examples prefer real names.
pub const ILLUSTRATIVE_MARK: &str = "【例示】";

/// Whether a name is a real one (not marked illustrative).
pub fn is_real_name(name: &str) -> bool {
    !name.trim_start().starts_with(ILLUSTRATIVE_MARK)
}

/// A workflow state's labels, for renderers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateLabel {
    pub key: String,
    pub label_ja: String,
    pub label_en: String,
    pub kind: StateKind,
}

/// A report's figures against its quarter's frozen snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotCheck {
    /// When it was frozen.
    pub frozen_at: DateTime<Utc>,
    /// The first figure that differs (history rewritten since), `None` when all agree.
    pub difference: Option<String>,
}

/// The quarterly progress report's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarterlyReport {
    pub quarter: FiscalQuarter,
    /// The quarter the plan is for; `None` only after FY2199-Q4.
    pub next_quarter: Option<FiscalQuarter>,
    /// The date every figure is as of, at its end (Asia/Tokyo): the quarter's last day, or
    /// today for a quarter not yet ended.
    pub as_of: NaiveDate,
    /// Whether the quarter had ended (else the figures are the quarter's so far).
    pub complete: bool,
    /// How the figures compare with the quarter's frozen snapshot; `None` when none was frozen
    /// (set by the caller, who reads snapshots: see [`QuarterlyReport::check_against`]).
    pub snapshot: Option<SnapshotCheck>,
    /// Major, other, subsidy, in [`Topic::ALL`] order.
    pub topics: Vec<TopicReport>,
    /// Every category together (the programme's "all ~28,000 processes").
    pub overall_digitised: Count,
    pub overall_in_scope: Count,
    pub national: NationalRequests,
    /// The bureaus the rows may name, by id.
    pub bureaus: BTreeMap<BureauId, Bureau>,
    /// The workflow's states, in file order.
    pub states: Vec<StateLabel>,
}

impl QuarterlyReport {
    pub fn topic(&self, topic: Topic) -> &TopicReport {
        self.topics
            .iter()
            .find(|t| t.topic == topic)
            .expect("every topic is reported")
    }

    pub fn state(&self, key: &str) -> Option<&StateLabel> {
        self.states.iter().find(|s| s.key == key)
    }

    /// Whether the report states the same figures as a quarter's snapshot (frozen or
    /// recomputed): `Err` names the first figure that differs.
    pub fn check_against(&self, figures: &QuarterFigures) -> Result<(), String> {
        let same = |what: &str, mine: i64, theirs: i64| {
            if mine == theirs {
                Ok(())
            } else {
                Err(format!("{what}: report {mine}, snapshot {theirs}"))
            }
        };
        if figures.quarter != self.quarter {
            return Err(format!(
                "quarter: report {}, snapshot {}",
                self.quarter, figures.quarter
            ));
        }
        let o = &figures.overall;
        same(
            "overall digitised procedures",
            self.overall_digitised.procedures,
            o.procedures.digitised,
        )?;
        same(
            "overall in-scope procedures",
            self.overall_in_scope.procedures,
            o.procedures.in_scope,
        )?;
        same(
            "overall digitised processes",
            self.overall_digitised.processes,
            o.processes.digitised,
        )?;
        same(
            "overall in-scope processes",
            self.overall_in_scope.processes,
            o.processes.in_scope,
        )?;
        for c in &figures.categories {
            let t = self.topic(Topic::of(c.category));
            let name = c.category.as_str();
            let f = &c.figures;
            same(
                &format!("{name} digitised procedures"),
                t.digitised.procedures,
                f.procedures.digitised,
            )?;
            same(
                &format!("{name} in-scope procedures"),
                t.in_scope.procedures,
                f.procedures.in_scope,
            )?;
            same(
                &format!("{name} digitised processes"),
                t.digitised.processes,
                f.processes.digitised,
            )?;
            same(
                &format!("{name} in-scope processes"),
                t.in_scope.processes,
                f.processes.in_scope,
            )?;
            same(
                &format!("{name} procedures in quarter"),
                t.in_quarter.procedures,
                c.digitised_in_quarter,
            )?;
            same(
                &format!("{name} processes in quarter"),
                t.in_quarter.processes,
                c.processes_in_quarter,
            )?;
        }
        Ok(())
    }
}

/// Builds the report of `quarter` from every procedure's history: one pass over the facts.
/// `today` (Asia/Tokyo) decides whether the quarter has ended: if not, the report is of the
/// quarter so far, as of the end of `today`. `national` is the national-request section as of
/// the report's date ([`national_requests`]); `bureaus` are those the rows may name (others are
/// simply not named).
pub fn quarterly_report(
    facts: &[ProcedureFacts],
    def: &WorkflowDefinition,
    quarter: FiscalQuarter,
    today: NaiveDate,
    national: NationalRequests,
    bureaus: &[Bureau],
) -> QuarterlyReport {
    let complete = today > quarter.last_day();
    let as_of = if complete { quarter.last_day() } else { today };
    let kinds = StateKinds::new(def);
    let done: Vec<&str> = def.states_of_kind(StateKind::Done).collect();
    let start = end_of_day(
        quarter
            .first_day()
            .pred_opt()
            .unwrap_or(quarter.first_day()),
    );
    let end = end_of_day(as_of);
    let next_quarter = quarter.next();
    let mut topics = Topic::ALL.map(TopicReport::new);
    let (mut overall_digitised, mut overall_in_scope) = (Count::default(), Count::default());
    for f in facts {
        let Some(p) = f.as_of(end) else { continue };
        let first_done = f.first_entered(&done, end);
        let mut row = ReportRow::new(&p, &kinds, first_done);
        let t = &mut topics[Topic::ALL
            .iter()
            .position(|t| *t == Topic::of(p.category))
            .expect("every category has a topic")];
        if row.in_scope {
            t.in_scope.add(row.processes);
            overall_in_scope.add(row.processes);
        }
        if row.digitised {
            t.digitised.add(row.processes);
            overall_digitised.add(row.processes);
            row.in_quarter = first_done.is_some_and(|at| at >= start);
            if row.in_quarter {
                t.in_quarter.add(row.processes);
            }
        } else if row.in_scope && next_quarter.is_some() && row.target_quarter == next_quarter {
            row.planned = true;
            t.planned.add(row.processes);
        }
        t.rows.push(row);
    }
    for t in &mut topics {
        t.rows
            .sort_by(|a, b| (&a.code, a.id.0).cmp(&(&b.code, b.id.0)));
        t.in_quarter_examples = examples(&t.rows, |r| r.in_quarter, |r| r.digitised_on);
        t.planned_examples = examples(
            &t.rows,
            |r| r.planned,
            |r| std::cmp::Reverse(r.annual_applications.unwrap_or(-1)),
        );
    }
    QuarterlyReport {
        quarter,
        next_quarter,
        as_of,
        complete,
        snapshot: None,
        topics: topics.into(),
        overall_digitised,
        overall_in_scope,
        national,
        bureaus: bureaus.iter().map(|b| (b.id, b.clone())).collect(),
        states: def
            .states()
            .iter()
            .map(|s| StateLabel {
                key: s.key.clone(),
                label_ja: s.label_ja.clone(),
                label_en: s.label_en.clone(),
                kind: s.kind,
            })
            .collect(),
    }
}

/// Up to [`EXAMPLES`] rows that pass `keep`: real names first, then by `order`, then by code
/// (rows come sorted by code, and the sort is stable).
fn examples<K: Ord>(
    rows: &[ReportRow],
    keep: impl Fn(&ReportRow) -> bool,
    order: impl Fn(&ReportRow) -> K,
) -> Vec<ReportRow> {
    let mut picked: Vec<&ReportRow> = rows.iter().filter(|r| keep(r)).collect();
    picked.sort_by_key(|r| (!is_real_name(&r.name), order(r)));
    picked.into_iter().take(EXAMPLES).cloned().collect()
}

#[cfg(test)]
mod national_tests;
#[cfg(test)]
mod tests;
