//! Tests of the demo generator: the embedded data, the shape of generated data, and histories
//! that the workflow engine would have written itself.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeZone, Utc};
use rollout_domain::workflow::{StateKind, WorkflowDefinition, default_workflow};
use rollout_domain::{Authority, Category, FiscalQuarter, Platform};
use rollout_store::ProcedureSeed;

use rollout_domain::UserId;
use uuid::Uuid;

use super::calendar::{quarter_end, tokyo_date};
use super::{DEFAULT_SEED, DemoStaff, Generated, Generator, StaffMember, real};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 10, 3, 0, 0).unwrap()
}

/// Demo users with fixed ids: two in the project office, the environment bureau's coordinator.
pub(super) fn staff(g: &Generator<'_>) -> DemoStaff {
    let member = |n: u128, label: &str| StaffMember {
        id: UserId(Uuid::from_u128(n)),
        label: label.to_owned(),
    };
    let kankyo = g
        .bureaus()
        .iter()
        .find(|b| b.code.as_str() == "KANKYO")
        .expect("the environment bureau")
        .id;
    DemoStaff {
        office: vec![
            member(1, "sato@office.demo"),
            member(2, "suzuki@office.demo"),
        ],
        coordinators: vec![(kankyo, member(3, "tanaka@kankyo.demo"))],
    }
}

/// The real procedures and `synthetic` generated ones, with their evidence.
pub(super) fn generate_all(
    def: &WorkflowDefinition,
    at: DateTime<Utc>,
    synthetic: usize,
) -> Generated {
    let mut g = Generator::new(def, at, DEFAULT_SEED);
    let staff = staff(&g);
    let mut all = g.real_procedures(&staff);
    let more = g.synthetic_procedures(synthetic, &staff);
    all.procedures.extend(more.procedures);
    let (e, m) = (&mut all.evidence, more.evidence);
    e.hearings.extend(m.hearings);
    e.user_tests.extend(m.user_tests);
    e.tasks.extend(m.tasks);
    all
}

fn generate(def: &WorkflowDefinition, at: DateTime<Utc>, synthetic: usize) -> Vec<ProcedureSeed> {
    generate_all(def, at, synthetic).procedures
}

fn share(seeds: &[ProcedureSeed], pred: impl Fn(&ProcedureSeed) -> bool) -> f64 {
    seeds.iter().filter(|s| pred(s)).count() as f64 / seeds.len() as f64
}

/// Every property a generated history must have to be one the running system could write.
fn assert_valid(def: &WorkflowDefinition, seed: &ProcedureSeed, at: DateTime<Utc>) {
    let p = &seed.procedure;
    let h = &seed.history;
    let first = &h[0];
    assert_eq!(
        (
            first.from_state.as_deref(),
            first.to_state.as_str(),
            first.transition.as_str()
        ),
        (None, def.initial().key.as_str(), "create"),
        "{}",
        p.code
    );
    for (i, r) in h.iter().enumerate() {
        assert_eq!(r.procedure_version, i as i32 + 1, "{}", p.code);
        assert_eq!(r.procedure_id, p.id);
        assert_eq!(r.workflow_version, def.version_tag());
        assert!(
            r.actor.starts_with("coordinator.") || r.actor.ends_with("@office.demo"),
            "{}",
            r.actor
        );
        assert!(r.at <= at, "{} record at {} after now", p.code, r.at);
    }
    for pair in h.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(a.at < b.at, "{}: times not increasing", p.code);
        assert_eq!(
            b.from_state.as_deref(),
            Some(a.to_state.as_str()),
            "{}",
            p.code
        );
        let t = def.transition(&a.to_state, &b.to_state).unwrap_or_else(|| {
            panic!("{}: no transition {} -> {}", p.code, a.to_state, b.to_state)
        });
        assert_eq!(t.key, b.transition);
        // A move a hearing applied carries the hearing's title and date, even where the
        // transition requires no comment.
        assert!(
            !t.requires_comment() || b.comment.is_some(),
            "{}: {}",
            p.code,
            t.key
        );
        assert_eq!(
            b.comment.is_some(),
            t.requires_comment() || b.actor.ends_with("@office.demo"),
            "{}: {}",
            p.code,
            t.key
        );
    }
    let last = h.last().expect("history is never empty");
    assert_eq!(p.state, last.to_state);
    assert_eq!(p.version, h.len() as i32);
    assert_eq!((p.created_at, p.updated_at), (first.at, last.at));
    let kind = def.state(&p.state).expect("a state of the workflow").kind;
    if kind == StateKind::Done {
        let released = p
            .released_on
            .expect("released procedures have a release date");
        assert_eq!(released, tokyo_date(last.at));
        let q = p
            .target_quarter
            .expect("released procedures have a target quarter");
        assert!(
            released <= q.last_day(),
            "{}: released {released} after {q}",
            p.code
        );
        assert!(p.platform.is_some());
    } else {
        assert_eq!(p.released_on, None);
    }
    if let Some(q) = p.target_quarter {
        let range = FiscalQuarter::new(2020, 1).unwrap()..=FiscalQuarter::new(2026, 4).unwrap();
        assert!(range.contains(&q), "{}: {q}", p.code);
    }
}

#[test]
fn embedded_data_is_complete() {
    let bureaus = real::bureaus();
    assert_eq!(bureaus.len(), 31);
    assert!(bureaus.iter().any(|b| b.code.as_str() == "DIGITAL"));
    let procedures = real::procedures();
    assert_eq!(procedures.len(), 44);
    let majors = procedures
        .iter()
        .filter(|p| p.category == Category::Major)
        .count();
    let subsidies = procedures
        .iter()
        .filter(|p| p.category == Category::Subsidy)
        .count();
    assert_eq!((majors, subsidies), (10, 1));
    assert_eq!(procedures[1].annual_applications, Some(764_687));
    let known: HashSet<&str> = bureaus.iter().map(|b| b.code.as_str()).collect();
    for p in &procedures {
        assert!(known.contains(p.bureau_code.as_str()), "{}", p.bureau_code);
    }
}

#[test]
fn real_procedures_are_numbered_per_bureau_and_placed_plausibly() {
    let def = default_workflow();
    let seeds = generate(&def, now(), 0);
    assert_eq!(seeds.len(), 44);
    let codes: Vec<&str> = seeds.iter().map(|s| s.procedure.code.as_str()).collect();
    assert_eq!(codes[0], "DIGITAL-0001");
    assert_eq!(codes[1], "SEIKATSU-0001");
    assert_eq!(codes[2], "SEIKATSU-0002");
    assert_eq!(codes[43], "DIGITAL-0002");
    let subsidy = &seeds[43].procedure;
    assert_eq!(subsidy.category, Category::Subsidy);
    assert!(matches!(subsidy.platform, None | Some(Platform::Jgrants)));
    let national: Vec<_> = seeds
        .iter()
        .filter(|s| s.procedure.authority == Authority::National)
        .collect();
    let blocked = national
        .iter()
        .filter(|s| s.procedure.state == "awaiting_law_change")
        .count();
    assert!(
        blocked * 2 > national.len(),
        "{blocked} of {}",
        national.len()
    );
    for s in &seeds {
        assert_valid(&def, s, now());
        if s.procedure.authority == Authority::Tokyo && s.procedure.category == Category::Major {
            assert_eq!(s.procedure.state, "released", "{}", s.procedure.code);
        }
    }
}

#[test]
fn synthetic_procedures_follow_the_programme_distribution() {
    let def = default_workflow();
    let mut g = Generator::new(&def, now(), DEFAULT_SEED);
    let staff = staff(&g);
    g.real_procedures(&staff);
    let seeds = g.synthetic_procedures(5_000, &staff).procedures;
    let in_state = |state: &'static str| move |s: &ProcedureSeed| s.procedure.state == state;
    let released = share(&seeds, in_state("released"));
    let blocked = share(&seeds, in_state("awaiting_law_change"));
    let abolished = share(&seeds, in_state("abolished"));
    assert!((0.85..0.91).contains(&released), "released {released}");
    assert!((0.02..0.04).contains(&blocked), "blocked {blocked}");
    assert!((0.004..0.02).contains(&abolished), "abolished {abolished}");
    let priority = share(&seeds, |s| s.procedure.is_priority());
    let unknown = share(&seeds, |s| s.procedure.annual_applications.is_none());
    let subsidy = share(&seeds, |s| s.procedure.category == Category::Subsidy);
    let tokyo = share(&seeds, |s| s.procedure.authority == Authority::Tokyo);
    assert!((0.03..0.07).contains(&priority), "priority {priority}");
    assert!((0.08..0.12).contains(&unknown), "unknown volume {unknown}");
    assert!((0.02..0.06).contains(&subsidy), "subsidy {subsidy}");
    assert!((0.8..0.9).contains(&tokyo), "tokyo {tokyo}");
    assert!(
        seeds
            .iter()
            .all(|s| s.procedure.category != Category::Major)
    );
    let mut per_bureau: HashMap<_, usize> = HashMap::new();
    for s in &seeds {
        *per_bureau.entry(s.procedure.bureau_id).or_default() += 1;
    }
    let largest = per_bureau.values().max().copied().unwrap_or(0);
    let smallest = per_bureau.values().min().copied().unwrap_or(0);
    assert_eq!(per_bureau.len(), 31);
    assert!(
        largest >= 10 * smallest,
        "largest {largest}, smallest {smallest}"
    );
    for s in seeds
        .iter()
        .filter(|s| s.procedure.category == Category::Subsidy)
    {
        assert!(matches!(
            s.procedure.platform,
            None | Some(Platform::Jgrants)
        ));
    }
}

#[test]
fn every_history_is_valid_against_the_workflow() {
    let def = default_workflow();
    let seeds = generate(&def, now(), 3_000);
    let mut codes = HashSet::new();
    let mut ids = HashSet::new();
    for s in &seeds {
        assert!(
            codes.insert(s.procedure.code.clone()),
            "duplicate {}",
            s.procedure.code
        );
        assert!(ids.insert(s.procedure.id), "duplicate id");
        assert_valid(&def, s, now());
    }
    let longest = seeds.iter().map(|s| s.history.len()).max();
    assert_eq!(
        longest,
        Some(5),
        "hearing → scheduled → built → user_tested → released"
    );
}

#[test]
fn generation_is_deterministic() {
    let def = default_workflow();
    let a = generate(&def, now(), 300);
    let b = generate(&def, now(), 300);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.procedure, y.procedure);
        assert_eq!(x.history, y.history);
    }
    let mut g = Generator::new(&def, now(), 7);
    let other = g.synthetic_procedures(1, &staff(&g)).procedures;
    assert_ne!(other[0].procedure.id, a[44].procedure.id);
}

#[test]
fn other_workflows_and_early_clocks_still_give_valid_histories() {
    let toml = r#"
        [workflow]
        name = "small"
        version = 3
        [[states]]
        key = "draft"
        label_ja = "下書き"
        label_en = "Draft"
        kind = "INITIAL"
        [[states]]
        key = "review"
        label_ja = "審査"
        label_en = "Review"
        kind = "ACTIVE"
        [[states]]
        key = "live"
        label_ja = "公開"
        label_en = "Live"
        kind = "DONE"
        [[transitions]]
        key = "submit"
        from = "draft"
        to = "review"
        comment_required = true
        [[transitions]]
        key = "publish"
        from = "review"
        to = "live"
        guards = ["platform_set", "target_quarter_set"]
    "#;
    let def = WorkflowDefinition::from_toml(toml).expect("valid workflow");
    let early = Utc.with_ymd_and_hms(2020, 6, 1, 0, 0, 0).unwrap();
    for at in [now(), early] {
        let seeds = generate(&def, at, 500);
        for s in &seeds {
            assert_valid(&def, s, at);
        }
        let live = share(&seeds, |s| s.procedure.state == "live");
        // Without BLOCKED and CLOSED states those procedures stay in progress.
        assert!(live > 0.75, "{live}");
    }
    assert!(quarter_end(FiscalQuarter::new(2026, 4).unwrap()) > now());
}
