//! The report's figures as typed objects, converted by hand from the domain's report model:
//! per topic the counts (procedures and the processes they stand for) digitised in the quarter,
//! digitised in all, in scope and planned for the next quarter, with the named examples; the
//! national requests by how far the ministry had answered.

use async_graphql::{Enum, ID, SimpleObject};
use rollout_domain::analytics::report as domain;

use crate::bureau::Bureau;
use crate::ids::{NodeType, global_id};
use crate::scalars::Date;

/// A number of procedures and the administrative processes they stand for.
#[derive(Debug, Clone, Copy, SimpleObject)]
pub struct ReportCount {
    pub procedures: i64,
    pub processes: i64,
}

impl From<domain::Count> for ReportCount {
    fn from(c: domain::Count) -> Self {
        Self {
            procedures: c.procedures,
            processes: c.processes,
        }
    }
}

/// A topic of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ReportTopicKind {
    /// Major procedures (category MAJOR), counted in procedures.
    Major,
    /// All other procedures (category STANDARD), counted in processes.
    Other,
    /// Subsidies (category SUBSIDY), which go online through jGrants; counted in procedures.
    Subsidy,
}

/// What a topic's headline figures count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ReportMeasure {
    Procedures,
    Processes,
}

/// A procedure named as an example.
#[derive(Debug, Clone, SimpleObject)]
pub struct ReportExample {
    /// The procedure's global id.
    pub id: ID,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub bureau: Option<Bureau>,
    pub processes: i32,
    /// The Tokyo date it first went online (examples of the quarter's progress).
    pub digitised_on: Option<Date>,
}

impl ReportExample {
    fn new(r: &domain::QuarterlyReport, row: &domain::ReportRow) -> Self {
        Self {
            id: global_id(NodeType::Procedure, row.id.as_uuid()),
            code: row.code.clone(),
            name: row.name.clone(),
            name_en: row.name_en.clone(),
            bureau: r.bureaus.get(&row.bureau_id).cloned().map(Bureau),
            processes: row.processes,
            digitised_on: row.digitised_on.map(Date),
        }
    }
}

/// One topic's figures as of the report's date.
#[derive(Debug, Clone, SimpleObject)]
pub struct ReportTopic {
    pub topic: ReportTopicKind,
    /// The unit the programme states this topic in.
    pub headline: ReportMeasure,
    /// First digitised during the quarter.
    pub digitised_in_quarter: ReportCount,
    /// Digitised in all.
    pub digitised: ReportCount,
    /// In the scope Tokyo can decide; for subsidies, the number targeted.
    pub in_scope: ReportCount,
    /// Digitised / in scope in the headline unit (0–1); null for an empty scope.
    pub rate: Option<f64>,
    /// In scope, not digitised, targeted at the next quarter.
    pub planned: ReportCount,
    /// Up to five digitised in the quarter: real names first, then by date, then by code.
    pub examples_in_quarter: Vec<ReportExample>,
    /// Up to five planned: real names first, then by annual applications, then by code.
    pub examples_planned: Vec<ReportExample>,
}

impl ReportTopic {
    fn new(r: &domain::QuarterlyReport, topic: domain::Topic) -> Self {
        let t = r.topic(topic);
        Self {
            topic: match topic {
                domain::Topic::Major => ReportTopicKind::Major,
                domain::Topic::Other => ReportTopicKind::Other,
                domain::Topic::Subsidy => ReportTopicKind::Subsidy,
            },
            headline: match topic.headline() {
                domain::Measure::Procedures => ReportMeasure::Procedures,
                domain::Measure::Processes => ReportMeasure::Processes,
            },
            digitised_in_quarter: t.in_quarter.into(),
            digitised: t.digitised.into(),
            in_scope: t.in_scope.into(),
            rate: t.rate(),
            planned: t.planned.into(),
            examples_in_quarter: t
                .in_quarter_examples
                .iter()
                .map(|row| ReportExample::new(r, row))
                .collect(),
            examples_planned: t
                .planned_examples
                .iter()
                .map(|row| ReportExample::new(r, row))
                .collect(),
        }
    }
}

/// How far the ministry had answered a national request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum NationalRequestGroup {
    /// The ministry showed a date (DATE_SHOWN).
    DateShown,
    /// Under national study (UNDER_STUDY).
    UnderStudy,
    /// Requested, not yet answered (REQUESTED).
    NotYetAnswered,
    /// Declined by the ministry (DECLINED), still open.
    Declined,
}

impl From<domain::RequestBucket> for NationalRequestGroup {
    fn from(b: domain::RequestBucket) -> Self {
        match b {
            domain::RequestBucket::DateShown => Self::DateShown,
            domain::RequestBucket::UnderStudy => Self::UnderStudy,
            domain::RequestBucket::NotYetAnswered => Self::NotYetAnswered,
            domain::RequestBucket::Declined => Self::Declined,
        }
    }
}

/// An open national request named as an example.
#[derive(Debug, Clone, SimpleObject)]
pub struct NationalRequestExample {
    /// The law change's global id.
    pub id: ID,
    pub code: String,
    pub group: NationalRequestGroup,
    pub title_ja: String,
    pub title_en: Option<String>,
    pub ministry_ja: Option<String>,
    pub ministry_en: Option<String>,
    /// For DATE_SHOWN: the date the ministry showed.
    pub date_shown: Option<Date>,
    /// The codes of the procedures behind it.
    pub procedure_codes: Vec<String>,
}

/// The open national requests as of the report's date.
#[derive(Debug, Clone, SimpleObject)]
pub struct NationalRequestFigures {
    pub as_of: Date,
    pub total: i64,
    pub date_shown: i64,
    pub under_study: i64,
    pub not_yet_answered: i64,
    pub declined: i64,
    /// Up to five per group, real titles first, then by code.
    pub examples: Vec<NationalRequestExample>,
}

impl NationalRequestFigures {
    fn new(n: &domain::NationalRequests) -> Self {
        use domain::RequestBucket as B;
        Self {
            as_of: Date(n.as_of),
            total: n.total(),
            date_shown: n.count(B::DateShown),
            under_study: n.count(B::UnderStudy),
            not_yet_answered: n.count(B::NotYetAnswered),
            declined: n.count(B::Declined),
            examples: B::ALL
                .iter()
                .flat_map(|b| n.examples(*b))
                .map(|q| NationalRequestExample {
                    id: global_id(NodeType::LawChange, q.id.as_uuid()),
                    code: q.code.clone(),
                    group: q.bucket.into(),
                    title_ja: q.title_ja.clone(),
                    title_en: q.title_en.clone(),
                    ministry_ja: q.ministry_ja.clone(),
                    ministry_en: q.ministry_en.clone(),
                    date_shown: q.date_shown.map(Date),
                    procedure_codes: q.procedures.iter().map(|p| p.code.clone()).collect(),
                })
                .collect(),
        }
    }
}

/// The report's figures.
#[derive(Debug, Clone, SimpleObject)]
pub struct QuarterlyReportFigures {
    pub major: ReportTopic,
    pub other: ReportTopic,
    pub subsidies: ReportTopic,
    /// Every category together: digitised.
    pub overall_digitised: ReportCount,
    /// Every category together: in scope (the programme's "all ~28,000 processes").
    pub overall_in_scope: ReportCount,
    pub national_requests: NationalRequestFigures,
}

impl QuarterlyReportFigures {
    pub(super) fn new(r: &domain::QuarterlyReport) -> Self {
        Self {
            major: ReportTopic::new(r, domain::Topic::Major),
            other: ReportTopic::new(r, domain::Topic::Other),
            subsidies: ReportTopic::new(r, domain::Topic::Subsidy),
            overall_digitised: r.overall_digitised.into(),
            overall_in_scope: r.overall_in_scope.into(),
            national_requests: NationalRequestFigures::new(&r.national),
        }
    }
}
