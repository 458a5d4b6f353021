//! Decoding law changes, their status history, milestones, dependencies, the narrow procedure
//! facts and lead-time samples. Column lists live here beside their decoders, as in
//! [`crate::rows`], whose helpers report unknown keys and malformed values as corrupt data
//! naming the column.

use rollout_domain::blockers::{
    BlockerRef, Dependency, LawChange, LawChangeStatus, LawChangeStatusChange, LawLevel, Milestone,
    MilestoneStatus,
};
use rollout_domain::{
    BureauId, DependencyId, FiscalQuarter, LawChangeId, LawChangeStatusChangeId, MilestoneId,
    Platform, ProcedureId, UserId,
};
use rollout_store::{LeadSample, ProcedureFacts, StoreResult};
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::rows::{corrupt, get, keyed, parsed, parsed_opt};

pub(crate) const LAW_CHANGE_COLUMNS: &str = "id, code, title_ja, title_en, level, ministry_ja, \
     ministry_en, law_name, article, owner_bureau_id, status, requested_on, \
     expected_effective_on, enacted_on, notes, version, created_at, updated_at";

pub(crate) const HISTORY_COLUMNS: &str =
    "id, law_change_id, from_status, to_status, on_date, reason, actor, actor_id, at";

pub(crate) const MILESTONE_COLUMNS: &str =
    "id, name, platform, planned_on, status, done_on, notes, version, created_at, updated_at";

pub(crate) const DEPENDENCY_COLUMNS: &str = "id, procedure_id, on_kind, on_id, reason, \
     created_by, created_at, removed_at, removed_by, removed_reason";

pub(crate) const FACTS_COLUMNS: &str = "id, code, bureau_id, state, released_on, process_count, \
     annual_applications, platform, target_quarter";

pub(crate) fn law_change(row: &PgRow) -> StoreResult<LawChange> {
    const T: &str = "law_changes";
    Ok(LawChange {
        id: LawChangeId(get(row, "id")?),
        code: get(row, "code")?,
        title_ja: get(row, "title_ja")?,
        title_en: get(row, "title_en")?,
        level: parsed(row, T, "level", keyed(LawLevel::parse))?,
        ministry_ja: get(row, "ministry_ja")?,
        ministry_en: get(row, "ministry_en")?,
        law_name: get(row, "law_name")?,
        article: get(row, "article")?,
        owner_bureau_id: BureauId(get(row, "owner_bureau_id")?),
        status: parsed(row, T, "status", keyed(LawChangeStatus::parse))?,
        requested_on: get(row, "requested_on")?,
        expected_effective_on: get(row, "expected_effective_on")?,
        enacted_on: get(row, "enacted_on")?,
        notes: get(row, "notes")?,
        version: get(row, "version")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

pub(crate) fn history(row: &PgRow) -> StoreResult<LawChangeStatusChange> {
    const T: &str = "law_change_history";
    Ok(LawChangeStatusChange {
        id: LawChangeStatusChangeId(get(row, "id")?),
        law_change_id: LawChangeId(get(row, "law_change_id")?),
        from_status: parsed_opt(row, T, "from_status", keyed(LawChangeStatus::parse))?,
        to_status: parsed(row, T, "to_status", keyed(LawChangeStatus::parse))?,
        on: get(row, "on_date")?,
        reason: get(row, "reason")?,
        actor: get(row, "actor")?,
        actor_id: get::<Option<Uuid>>(row, "actor_id")?.map(UserId),
        at: get(row, "at")?,
    })
}

pub(crate) fn milestone(row: &PgRow) -> StoreResult<Milestone> {
    const T: &str = "milestones";
    Ok(Milestone {
        id: MilestoneId(get(row, "id")?),
        name: get(row, "name")?,
        platform: parsed_opt(row, T, "platform", keyed(Platform::parse))?,
        planned_on: get(row, "planned_on")?,
        status: parsed(row, T, "status", keyed(MilestoneStatus::parse))?,
        done_on: get(row, "done_on")?,
        notes: get(row, "notes")?,
        version: get(row, "version")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

pub(crate) fn dependency(row: &PgRow) -> StoreResult<Dependency> {
    let kind: String = get(row, "on_kind")?;
    let on = BlockerRef::from_parts(&kind, get(row, "on_id")?)
        .ok_or_else(|| corrupt("dependencies", "on_kind", &kind))?;
    Ok(Dependency {
        id: DependencyId(get(row, "id")?),
        procedure_id: ProcedureId(get(row, "procedure_id")?),
        on,
        reason: get(row, "reason")?,
        created_by: get::<Option<Uuid>>(row, "created_by")?.map(UserId),
        created_at: get(row, "created_at")?,
        removed_at: get(row, "removed_at")?,
        removed_by: get::<Option<Uuid>>(row, "removed_by")?.map(UserId),
        removed_reason: get(row, "removed_reason")?,
    })
}

pub(crate) fn facts(row: &PgRow) -> StoreResult<ProcedureFacts> {
    const T: &str = "procedures";
    Ok(ProcedureFacts {
        id: ProcedureId(get(row, "id")?),
        code: get(row, "code")?,
        bureau_id: BureauId(get(row, "bureau_id")?),
        state: get(row, "state")?,
        released_on: get(row, "released_on")?,
        process_count: i64::from(get::<i32>(row, "process_count")?),
        annual_applications: get::<Option<i64>>(row, "annual_applications")?.unwrap_or(0),
        platform: parsed_opt(row, T, "platform", keyed(Platform::parse))?,
        target_quarter: parsed_opt(row, T, "target_quarter", FiscalQuarter::parse)?,
    })
}

pub(crate) fn lead(row: &PgRow) -> StoreResult<LeadSample> {
    Ok(LeadSample {
        platform: parsed_opt(row, "procedures", "platform", keyed(Platform::parse))?,
        scheduled_at: get(row, "scheduled_at")?,
        released_at: get(row, "released_at")?,
    })
}
