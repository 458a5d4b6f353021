//! The real data: Tokyo's bureaus and a few dozen documented procedures, embedded from
//! `deploy/demo/`. Their states are not published per procedure, so they are assigned by rule:
//! a national one follows the law change it needs ([`super::laws`]): while that is open it mostly
//! waits for it, once enacted it is mostly online (released after the enactment); the early
//! "major 169" Tokyo ones are online, and the rest spread over the workflow. Sources stay in the CSV file; rollout does not store them.

use rand::Rng;
use rollout_domain::{Authority, Category, NewBureau, Platform};

use super::generator::{Draft, Generator, Outcome};
use super::laws;
use crate::import::parse_bureaus;

const BUREAUS_CSV: &str = include_str!("../../../../deploy/demo/bureaus.csv");
const PROCEDURES_CSV: &str = include_str!("../../../../deploy/demo/procedures.csv");

/// Procedures whose owning bureau is not stated are assigned to the Digital Service Bureau,
/// which runs the programme.
pub(super) const FALLBACK_BUREAU: &str = "DIGITAL";

/// The embedded bureaus, in file order.
pub(super) fn bureaus() -> Vec<NewBureau> {
    parse_bureaus(BUREAUS_CSV.as_bytes(), &|_| {})
        .expect("the embedded bureau list is valid (checked by a unit test)")
        .into_iter()
        .map(|(_, b)| b)
        .collect()
}

/// One row of the embedded procedure list.
#[derive(Debug, Clone)]
pub(super) struct RealProcedure {
    pub name_ja: String,
    pub name_en: String,
    pub bureau_code: String,
    pub category: Category,
    pub authority: Authority,
    pub annual_applications: Option<i64>,
}

/// The embedded procedures, in file order.
pub(super) fn procedures() -> Vec<RealProcedure> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(PROCEDURES_CSV.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.expect("the embedded procedure list is valid CSV");
            let field = |i: usize| r.get(i).unwrap_or("").to_owned();
            let category = match field(3).as_str() {
                "major169" => Category::Major,
                "subsidy" => Category::Subsidy,
                _ => Category::Standard,
            };
            RealProcedure {
                name_ja: field(0),
                name_en: field(1),
                bureau_code: Some(field(2))
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| FALLBACK_BUREAU.to_owned()),
                category,
                authority: Authority::parse(&field(4)).unwrap_or(Authority::Tokyo),
                annual_applications: field(5).parse().ok(),
            }
        })
        .collect()
}

/// Drafts for the real procedures, states assigned by the rule in the module comment.
pub(super) fn drafts(generator: &mut Generator<'_>) -> Vec<Draft> {
    let list = procedures();
    let plans = laws::plans(&list);
    let today = generator.today();
    list.into_iter()
        .map(|p| {
            let plan = plans.iter().find(|l| l.procedures.contains(&p.name_ja));
            let closed_on = plan
                .filter(|l| l.status_on(today).is_some_and(|s| !s.is_open()))
                .and_then(|l| l.steps_by(today).last().map(|(_, d)| *d));
            let requested = plan.is_some_and(|l| l.status_on(today).is_some());
            let rng = &mut generator.rng;
            let outcome = match p.authority {
                // Released only once the law change is through; waiting only while it is open.
                Authority::National if closed_on.is_some() => {
                    if rng.random_bool(0.7) {
                        Outcome::Done
                    } else {
                        Outcome::InProgress
                    }
                }
                Authority::National if requested && rng.random_bool(0.85) => Outcome::Blocked,
                Authority::National => Outcome::InProgress,
                Authority::Tokyo if p.category == Category::Major => Outcome::Done,
                Authority::Tokyo if rng.random_bool(0.5) => Outcome::Done,
                Authority::Tokyo => Outcome::InProgress,
            };
            let platform = match (p.category, p.authority) {
                (Category::Subsidy, _) => Platform::Jgrants,
                (_, Authority::National) => Platform::OtherNationalSystem,
                _ if rng.random_bool(0.5) => Platform::JointEApplication,
                _ => Platform::SaasEApplication,
            };
            let bureau = generator
                .bureau_index(&p.bureau_code)
                .or_else(|| generator.bureau_index(FALLBACK_BUREAU))
                .expect("the embedded bureau list has the Digital Service Bureau");
            Draft {
                bureau,
                name: p.name_ja,
                name_en: Some(p.name_en),
                category: p.category,
                authority: p.authority,
                annual_applications: p.annual_applications,
                process_count: 1,
                platform,
                outcome,
                released_after: closed_on.map(super::blockers::recorded_at),
            }
        })
        .collect()
}
