//! The report's topics and what each states: [`Topic`] (which category, which unit),
//! [`Count`] (procedures and their processes), [`ReportRow`] (one procedure at the quarter's
//! end, with what it counts towards) and [`TopicReport`] (a topic's figures and examples).

use chrono::{DateTime, NaiveDate, Utc};

use crate::analytics::facts::{ProcedureAt, tokyo_date};
use crate::analytics::scope::StateKinds;
use crate::{BureauId, Category, FiscalQuarter, Platform, ProcedureId};

/// The report's topics, in the order the programme publishes them. Each is one procedure
/// category (as of the quarter's last day). Subsidies are the SUBSIDY category, not the
/// procedures on the JGRANTS platform: the programme's target ("32 targeted") counts subsidies
/// that have no platform chosen yet, and a subsidy is only ever put online through jGrants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// The major procedures (主要手続), counted in procedures.
    Major,
    /// All other procedures (その他の手続), counted in processes (事務).
    Other,
    /// Subsidies through jGrants (補助金), counted in procedures.
    Subsidy,
}

impl Topic {
    pub const ALL: [Topic; 3] = [Topic::Major, Topic::Other, Topic::Subsidy];

    pub const fn category(self) -> Category {
        match self {
            Self::Major => Category::Major,
            Self::Other => Category::Standard,
            Self::Subsidy => Category::Subsidy,
        }
    }

    pub const fn of(category: Category) -> Self {
        match category {
            Category::Major => Self::Major,
            Category::Standard => Self::Other,
            Category::Subsidy => Self::Subsidy,
        }
    }

    /// The unit the programme states this topic's figures in.
    pub const fn headline(self) -> Measure {
        match self {
            Self::Other => Measure::Processes,
            Self::Major | Self::Subsidy => Measure::Procedures,
        }
    }

    /// The stable key (`MAJOR`, `OTHER`, `SUBSIDY`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Major => "MAJOR",
            Self::Other => "OTHER",
            Self::Subsidy => "SUBSIDY",
        }
    }
}

/// What a figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    Procedures,
    Processes,
}

/// A number of procedures and the processes they stand for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub procedures: i64,
    pub processes: i64,
}

impl Count {
    pub fn get(&self, measure: Measure) -> i64 {
        match measure {
            Measure::Procedures => self.procedures,
            Measure::Processes => self.processes,
        }
    }

    pub(super) fn add(&mut self, processes: i32) {
        self.procedures += 1;
        self.processes += i64::from(processes);
    }
}

/// `part / whole`, `None` when `whole` is zero.
pub fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// One procedure as it stood at the end of the quarter, with what it counts towards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub id: ProcedureId,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub bureau_id: BureauId,
    pub category: Category,
    /// The workflow state key at the quarter's end.
    pub state: String,
    pub processes: i32,
    pub annual_applications: Option<i64>,
    pub platform: Option<Platform>,
    pub target_quarter: Option<FiscalQuarter>,
    /// The Tokyo date it first entered a DONE state, if before the quarter ended.
    pub digitised_on: Option<NaiveDate>,
    /// In the scope Tokyo can decide (see [`super::scope`]).
    pub in_scope: bool,
    /// Counted as digitised (in scope and DONE).
    pub digitised: bool,
    /// First digitised during the quarter.
    pub in_quarter: bool,
    /// In scope, not digitised, and targeted at the next quarter.
    pub planned: bool,
}

impl ReportRow {
    pub(super) fn new(
        p: &ProcedureAt<'_>,
        kinds: &StateKinds<'_>,
        first_done: Option<DateTime<Utc>>,
    ) -> Self {
        let f = p.facts;
        let in_scope = kinds.in_scope(p);
        Self {
            id: f.id,
            code: f.code.clone(),
            name: f.name.clone(),
            name_en: f.name_en.clone(),
            bureau_id: p.bureau_id,
            category: p.category,
            state: p.state.to_owned(),
            processes: p.process_count,
            annual_applications: p.annual_applications,
            platform: p.platform,
            target_quarter: p.target_quarter,
            digitised_on: first_done.map(tokyo_date),
            in_scope,
            digitised: kinds.is_digitised(p),
            in_quarter: false,
            planned: false,
        }
    }
}

/// One topic's figures, with the procedures behind them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicReport {
    pub topic: Topic,
    /// First digitised during the quarter (and digitised at its end).
    pub in_quarter: Count,
    /// Digitised as of the quarter's last day.
    pub digitised: Count,
    /// In scope as of the quarter's last day: for subsidies, the number targeted.
    pub in_scope: Count,
    /// Next quarter's plan: in scope, not digitised, targeted at the next quarter.
    pub planned: Count,
    /// Up to [`super::EXAMPLES`] of those digitised in the quarter: real names first, then by the date
    /// digitised, then by code.
    pub in_quarter_examples: Vec<ReportRow>,
    /// Up to [`super::EXAMPLES`] of the planned ones: real names first, then by annual applications
    /// (largest first, unknown last), then by code.
    pub planned_examples: Vec<ReportRow>,
    /// Every procedure of the topic that existed at the quarter's end, in scope or not, by code:
    /// the data behind each figure.
    pub rows: Vec<ReportRow>,
}

impl TopicReport {
    pub(super) fn new(topic: Topic) -> Self {
        Self {
            topic,
            in_quarter: Count::default(),
            digitised: Count::default(),
            in_scope: Count::default(),
            planned: Count::default(),
            in_quarter_examples: Vec::new(),
            planned_examples: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Digitised out of in scope, in the topic's headline measure.
    pub fn rate(&self) -> Option<f64> {
        let m = self.topic.headline();
        share(self.digitised.get(m), self.in_scope.get(m))
    }
}
