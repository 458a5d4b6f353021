//! Builders for the blockers the contract cases store: law changes with their creation record,
//! milestones and dependencies, with fresh ids and fixed, microsecond-precise times. Like
//! [`super::fixtures`] they decide nothing: the store records whatever the app layer planned.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_domain::blockers::{
    BlockerRef, Dependency, LawChange, LawChangeStatus, LawChangeStatusChange, LawLevel, Milestone,
    MilestoneStatus,
};
use rollout_domain::{
    BureauId, DependencyId, LawChangeId, LawChangeStatusChangeId, MilestoneId, ProcedureId,
};
use uuid::Uuid;

use super::fixtures::{at, audit, date};
use crate::{Store, Write};

/// A version-1 national law change of `bureau`, REQUESTED, created at `created`.
pub fn law_change(code: &str, bureau: BureauId, created: DateTime<Utc>) -> LawChange {
    LawChange {
        id: LawChangeId(Uuid::now_v7()),
        code: code.to_owned(),
        title_ja: format!("{code} 旅券法施行規則の改正"),
        title_en: Some(format!("{code} amendment of the Passport Act rules")),
        level: LawLevel::MinisterialOrdinance,
        ministry_ja: Some("外務省".to_owned()),
        ministry_en: Some("Ministry of Foreign Affairs".to_owned()),
        law_name: Some("旅券法施行規則".to_owned()),
        article: Some("第3条".to_owned()),
        owner_bureau_id: bureau,
        status: LawChangeStatus::Requested,
        requested_on: Some(date(2021, 6, 1)),
        expected_effective_on: None,
        enacted_on: None,
        notes: Some("四半期ごとに確認".to_owned()),
        version: 1,
        created_at: created,
        updated_at: created,
    }
}

/// A status change of `l` from `from` to `to` at `when`.
pub fn status_change(
    l: &LawChange,
    from: Option<LawChangeStatus>,
    to: LawChangeStatus,
    when: DateTime<Utc>,
) -> LawChangeStatusChange {
    LawChangeStatusChange {
        id: LawChangeStatusChangeId(Uuid::now_v7()),
        law_change_id: l.id,
        from_status: from,
        to_status: to,
        on: Some(date(2021, 12, 1)),
        reason: Some("省庁回答".to_owned()),
        actor: "office@metro.tokyo.lg.jp".to_owned(),
        actor_id: None,
        at: when,
    }
}

/// A version-1 PLANNED milestone named `name`, planned on `planned_on`.
pub fn milestone(
    name: &str,
    planned_on: Option<chrono::NaiveDate>,
    created: DateTime<Utc>,
) -> Milestone {
    Milestone {
        id: MilestoneId(Uuid::now_v7()),
        name: name.to_owned(),
        platform: Some(rollout_domain::Platform::SaasEApplication),
        planned_on,
        status: MilestoneStatus::Planned,
        done_on: None,
        notes: None,
        version: 1,
        created_at: created,
        updated_at: created,
    }
}

/// An active edge "`from` needs `on`", created at `created` by no one (an import).
pub fn dependency(from: ProcedureId, on: BlockerRef, created: DateTime<Utc>) -> Dependency {
    Dependency {
        id: DependencyId(Uuid::now_v7()),
        procedure_id: from,
        on,
        reason: Some("法改正待ち".to_owned()),
        created_by: None,
        created_at: created,
        removed_at: None,
        removed_by: None,
        removed_reason: None,
    }
}

/// Commits `writes` after a bump of the graph version from what it is now, with an audit entry.
pub async fn commit_graph_change(store: &Arc<dyn Store>, writes: Vec<Write>) {
    let expected = store.graph_version().await.unwrap();
    let mut batch = vec![Write::BumpGraphVersion { expected }];
    batch.extend(writes);
    batch.push(Write::Audit(audit(
        "blockers.write",
        "Blockers",
        "batch",
        at(0, 0),
    )));
    store.commit(&batch).await.unwrap();
}

/// Creates `l` with its creation record, as one graph change.
pub async fn seed_law_change(store: &Arc<dyn Store>, l: &LawChange) {
    let creation = status_change(l, None, l.status, l.created_at);
    commit_graph_change(
        store,
        vec![
            Write::InsertLawChange(l.clone()),
            Write::LawChangeStatus(creation),
        ],
    )
    .await;
}
