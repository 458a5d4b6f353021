//! What the demo's procedures wait on: the law changes of [`super::laws`] as stored rows with
//! their status history, the platform milestones, and the dependencies of the real procedures
//! (each national one on its law change, SaaS ones on the SaaS platform going live, a few on
//! another procedure). Every edge keeps the demo consistent with the procedures' states: a
//! procedure waiting for a law change has an open one, a released procedure has no open blocker.

use chrono::{DateTime, NaiveDate, Utc};
use rand::rngs::SmallRng;
use rollout_domain::blockers::{
    BlockerRef, Dependency, LawChange, LawChangeStatus, LawChangeStatusChange, Milestone,
    MilestoneStatus,
};
use rollout_domain::workflow::{StateKind, WorkflowDefinition};
use rollout_domain::{
    Bureau, DependencyId, LawChangeId, LawChangeStatusChangeId, MilestoneId, Platform,
};
use rollout_store::{BlockerSeed, ProcedureSeed};

use super::calendar::{tokyo_date, tokyo_midnight, uuid_at};
use super::laws::LawPlan;

/// The instant a dated step is recorded: 10:00 in Tokyo that day.
pub(super) fn recorded_at(day: NaiveDate) -> DateTime<Utc> {
    tokyo_midnight(day) + chrono::TimeDelta::hours(10)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar date")
}

/// The law change and its history as of `today`, or `None` before it was requested.
pub(super) fn law_change(
    plan: &LawPlan,
    bureaus: &[Bureau],
    today: NaiveDate,
    rng: &mut SmallRng,
) -> Option<(LawChange, Vec<LawChangeStatusChange>)> {
    let steps = plan.steps_by(today);
    let (first, last) = (steps.first()?, steps.last()?);
    let bureau = bureaus.iter().find(|b| b.code.as_str() == plan.bureau)?;
    let created = recorded_at(first.1);
    let id = LawChangeId(uuid_at(rng, created));
    let reached = |s: LawChangeStatus| steps.iter().find(|(x, _)| *x == s).map(|(_, d)| *d);
    let actor = format!("coordinator.{}", plan.bureau.to_ascii_lowercase());
    let mut from = None;
    let history = steps
        .iter()
        .map(|&(status, day)| {
            let at = recorded_at(day);
            let record = LawChangeStatusChange {
                id: LawChangeStatusChangeId(uuid_at(rng, at)),
                law_change_id: id,
                from_status: from,
                to_status: status,
                on: Some(match status {
                    LawChangeStatus::DateShown => plan.expected.unwrap_or(day),
                    _ => day,
                }),
                reason: None,
                actor: actor.clone(),
                actor_id: None,
                at,
            };
            from = Some(status);
            record
        })
        .collect();
    let lc = LawChange {
        id,
        code: plan.code.clone(),
        title_ja: plan.title_ja.clone(),
        title_en: Some(plan.title_en.clone()),
        level: plan.level,
        ministry_ja: Some(plan.ministry_ja.to_owned()),
        ministry_en: Some(plan.ministry_en.to_owned()),
        law_name: plan.law_name.map(str::to_owned),
        article: None,
        owner_bureau_id: bureau.id,
        status: last.0,
        requested_on: Some(first.1),
        expected_effective_on: reached(LawChangeStatus::DateShown).and(plan.expected),
        enacted_on: reached(LawChangeStatus::Enacted),
        notes: Some(plan.notes.clone()),
        version: i32::try_from(steps.len()).unwrap_or(i32::MAX),
        created_at: created,
        updated_at: recorded_at(last.1),
    };
    Some((lc, history))
}

/// The platform milestones: the SaaS e-application platform going live (real), and illustrative
/// ones per platform. `(name, platform, planned, done, notes)`.
/// A calendar date as year, month, day.
type Ymd = (i32, u32, u32);

const MILESTONES: &[(&str, Platform, Ymd, Option<Ymd>, &str)] = &[
    (
        "電子申請SaaS稼働 (SaaS e-application platform live)",
        Platform::SaasEApplication,
        (2022, 3, 1),
        Some((2022, 3, 1)),
        "The SaaS e-application platform carried its first procedures from March 2022 \
         (programme progress reports, https://shintosei.metro.tokyo.lg.jp/); the day is not \
         published, the 1st is used.",
    ),
    (
        "【例示】電子申請SaaS 第2期機能追加 (illustrative)",
        Platform::SaasEApplication,
        (2027, 3, 31),
        None,
        "",
    ),
    (
        "【例示】共同電子申請 次期システム移行 (illustrative)",
        Platform::JointEApplication,
        (2023, 1, 10),
        Some((2023, 1, 10)),
        "",
    ),
    (
        "【例示】jGrants 連携開始 (illustrative)",
        Platform::Jgrants,
        (2022, 10, 3),
        Some((2022, 10, 3)),
        "",
    ),
    (
        "【例示】マイナポータル連携の拡張 (illustrative)",
        Platform::MynaPortal,
        (2027, 6, 30),
        None,
        "",
    ),
    (
        "【例示】国の申請システム改修 (illustrative)",
        Platform::OtherNationalSystem,
        (2027, 12, 28),
        None,
        "",
    ),
    (
        "【例示】個別システム調達 (illustrative)",
        Platform::DedicatedSystem,
        (2027, 9, 30),
        None,
        "",
    ),
];

/// The milestones as of `today`: one planned in the future is PLANNED, one done by then DONE.
pub(super) fn milestones(today: NaiveDate, rng: &mut SmallRng) -> Vec<Milestone> {
    MILESTONES
        .iter()
        .map(|&(name, platform, planned, done, notes)| {
            let planned = date(planned.0, planned.1, planned.2);
            let done = done.map(|(y, m, d)| date(y, m, d)).filter(|d| *d <= today);
            let created = recorded_at(date(2021, 4, 1));
            let notes = if notes.is_empty() {
                super::laws::ILLUSTRATIVE_NOTE.replace(
                    "it stands for one of the 31 national requests the programme reported for \
                     December 2021 without naming them",
                    "a platform milestone made up for the demo",
                )
            } else {
                notes.to_owned()
            };
            Milestone {
                id: MilestoneId(uuid_at(rng, created)),
                name: name.to_owned(),
                platform: Some(platform),
                planned_on: Some(planned),
                status: if done.is_some() {
                    MilestoneStatus::Done
                } else {
                    MilestoneStatus::Planned
                },
                done_on: done,
                notes: Some(notes),
                version: if done.is_some() { 2 } else { 1 },
                created_at: created,
                updated_at: done.map_or(created, recorded_at),
            }
        })
        .collect()
}

/// Procedure pairs of the real list where the first needs the second (`name_ja`s).
const PROCEDURE_EDGES: &[(&str, &str)] = &[
    ("宅地建物取引士証の交付申請", "宅地建物取引士資格登録申請"),
    (
        "宅地建物取引士に関する証明書の交付",
        "宅地建物取引士資格登録申請",
    ),
    (
        "宅地建物取引業免許証再交付申請",
        "宅地建物取引業免許申請（新規・更新）",
    ),
    (
        "NPO法人 設立登記完了届出書の提出",
        "特定非営利活動法人（NPO法人）設立認証申請",
    ),
    (
        "認定・特例認定NPO法人の認定申請",
        "特定非営利活動法人（NPO法人）設立認証申請",
    ),
    ("狩猟免許の更新", "狩猟免許試験の受験申込"),
    (
        "教育職員免許状の書換・再交付申請",
        "教育職員免許状の授与申請（個人申請）",
    ),
    (
        "教育職員免許状の再授与申請",
        "教育職員免許状の授与申請（個人申請）",
    ),
];

/// Builds dependencies that keep states consistent: a released procedure only on closed blockers.
pub(super) struct EdgeMaker<'a> {
    pub def: &'a WorkflowDefinition,
    pub rng: &'a mut SmallRng,
}

impl EdgeMaker<'_> {
    pub fn kind(&self, p: &ProcedureSeed) -> StateKind {
        self.def
            .state(&p.procedure.state)
            .map_or(StateKind::Active, |s| s.kind)
    }

    /// The edge `from → on`, or `None` when `from` is released and `on` still open.
    pub fn edge(
        &mut self,
        from: &ProcedureSeed,
        on: BlockerRef,
        on_open: bool,
        on_since: DateTime<Utc>,
        reason: &str,
    ) -> Option<Dependency> {
        if self.kind(from) == StateKind::Done && on_open {
            return None;
        }
        let at = from.procedure.created_at.max(on_since);
        Some(Dependency {
            id: DependencyId(uuid_at(self.rng, at)),
            procedure_id: from.procedure.id,
            on,
            reason: Some(reason.to_owned()),
            created_by: None,
            created_at: at,
            removed_at: None,
            removed_by: None,
            removed_reason: None,
        })
    }
}

/// The law changes, milestones and real procedures' dependencies, as of `now`.
pub(super) fn real_seed(
    plans: &[LawPlan],
    real: &[ProcedureSeed],
    bureaus: &[Bureau],
    maker: &mut EdgeMaker<'_>,
    now: DateTime<Utc>,
) -> BlockerSeed {
    let today = tokyo_date(now);
    let mut seed = BlockerSeed {
        milestones: milestones(today, maker.rng),
        ..BlockerSeed::default()
    };
    let named = |name: &str| real.iter().find(|s| s.procedure.name == name);
    for plan in plans {
        let Some((lc, history)) = law_change(plan, bureaus, today, maker.rng) else {
            continue;
        };
        for p in plan.procedures.iter().filter_map(|n| named(n)) {
            let reason = "オンライン化に法令改正が必要 / needs this rule change to go online";
            seed.dependencies.extend(maker.edge(
                p,
                BlockerRef::LawChange(lc.id),
                lc.is_open(),
                lc.created_at,
                reason,
            ));
        }
        seed.law_changes.push(lc);
        seed.law_change_history.extend(history);
    }
    if let Some(saas) = seed.milestones.first().cloned() {
        for p in real
            .iter()
            .filter(|p| p.procedure.platform == Some(Platform::SaasEApplication))
        {
            let reason = "電子申請SaaSで受付 / goes online on the SaaS platform";
            seed.dependencies.extend(maker.edge(
                p,
                BlockerRef::Milestone(saas.id),
                saas.is_open(),
                saas.created_at,
                reason,
            ));
        }
    }
    for (from, on) in PROCEDURE_EDGES {
        let (Some(from), Some(on)) = (named(from), named(on)) else {
            continue;
        };
        let open = !matches!(maker.kind(on), StateKind::Done | StateKind::Closed);
        let reason = "前提となる手続 / builds on this procedure";
        let on_ref = BlockerRef::Procedure(on.procedure.id);
        seed.dependencies
            .extend(maker.edge(from, on_ref, open, on.procedure.created_at, reason));
    }
    seed
}
