//! Row ↔ domain conversion for law changes, their status history, milestones, dependencies and
//! the narrow procedure facts, in the encodings of [`crate::rows`]. Column lists live beside the
//! row structs that decode them, so the two cannot drift.

use rollout_domain::blockers::{
    BlockerRef, Dependency, LawChange, LawChangeStatus, LawChangeStatusChange, LawLevel, Milestone,
    MilestoneStatus,
};
use rollout_domain::{
    BureauId, DependencyId, FiscalQuarter, LawChangeId, LawChangeStatusChangeId, MilestoneId,
    Platform, ProcedureId, UserId,
};
use rollout_store::{LeadSample, ProcedureFacts, StoreResult};
use uuid::Uuid;

use crate::rows::{
    corrupt, parse_day, parse_i32, parse_instant, parse_key, parse_uuid, parse_with, uuid,
};

/// A JSON array of ids, bound as one parameter and read with `json_each`: one statement for any
/// number of ids, never near SQLite's bound-variable limit.
pub(crate) fn ids_json(ids: impl IntoIterator<Item = Uuid>) -> String {
    let list: Vec<String> = ids.into_iter().map(uuid).collect();
    serde_json::Value::from(list).to_string()
}

fn opt<T>(
    column: &str,
    raw: Option<String>,
    parse: impl FnOnce(&str, &str) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    raw.map(|raw| parse(column, &raw)).transpose()
}

fn opt_uuid(column: &str, raw: Option<String>) -> StoreResult<Option<Uuid>> {
    opt(column, raw, parse_uuid)
}

fn platform(column: &str, raw: Option<String>) -> StoreResult<Option<Platform>> {
    opt(column, raw, |c, r| parse_key(c, r, Platform::parse))
}

pub(crate) const LAW_CHANGE_COLUMNS: &str = "id, code, title_ja, title_en, level, ministry_ja, \
     ministry_en, law_name, article, owner_bureau_id, status, requested_on, \
     expected_effective_on, enacted_on, notes, version, created_at, updated_at";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct LawChangeRow {
    id: String,
    code: String,
    title_ja: String,
    title_en: Option<String>,
    level: String,
    ministry_ja: Option<String>,
    ministry_en: Option<String>,
    law_name: Option<String>,
    article: Option<String>,
    owner_bureau_id: String,
    status: String,
    requested_on: Option<String>,
    expected_effective_on: Option<String>,
    enacted_on: Option<String>,
    notes: Option<String>,
    version: i64,
    created_at: String,
    updated_at: String,
}

impl LawChangeRow {
    pub(crate) fn into_domain(self) -> StoreResult<LawChange> {
        Ok(LawChange {
            id: LawChangeId(parse_uuid("law_changes.id", &self.id)?),
            code: self.code,
            title_ja: self.title_ja,
            title_en: self.title_en,
            level: parse_key("law_changes.level", &self.level, LawLevel::parse)?,
            ministry_ja: self.ministry_ja,
            ministry_en: self.ministry_en,
            law_name: self.law_name,
            article: self.article,
            owner_bureau_id: BureauId(parse_uuid(
                "law_changes.owner_bureau_id",
                &self.owner_bureau_id,
            )?),
            status: parse_key("law_changes.status", &self.status, LawChangeStatus::parse)?,
            requested_on: opt("law_changes.requested_on", self.requested_on, parse_day)?,
            expected_effective_on: opt(
                "law_changes.expected_effective_on",
                self.expected_effective_on,
                parse_day,
            )?,
            enacted_on: opt("law_changes.enacted_on", self.enacted_on, parse_day)?,
            notes: self.notes,
            version: parse_i32("law_changes.version", self.version)?,
            created_at: parse_instant("law_changes.created_at", &self.created_at)?,
            updated_at: parse_instant("law_changes.updated_at", &self.updated_at)?,
        })
    }
}

pub(crate) const HISTORY_COLUMNS: &str =
    "id, law_change_id, from_status, to_status, on_date, reason, actor, actor_id, at";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct HistoryRow {
    id: String,
    law_change_id: String,
    from_status: Option<String>,
    to_status: String,
    on_date: Option<String>,
    reason: Option<String>,
    actor: String,
    actor_id: Option<String>,
    at: String,
}

impl HistoryRow {
    pub(crate) fn into_domain(self) -> StoreResult<LawChangeStatusChange> {
        let status = |column: &str, raw: &str| parse_key(column, raw, LawChangeStatus::parse);
        Ok(LawChangeStatusChange {
            id: LawChangeStatusChangeId(parse_uuid("law_change_history.id", &self.id)?),
            law_change_id: LawChangeId(parse_uuid(
                "law_change_history.law_change_id",
                &self.law_change_id,
            )?),
            from_status: opt("law_change_history.from_status", self.from_status, status)?,
            to_status: status("law_change_history.to_status", &self.to_status)?,
            on: opt("law_change_history.on_date", self.on_date, parse_day)?,
            reason: self.reason,
            actor: self.actor,
            actor_id: opt_uuid("law_change_history.actor_id", self.actor_id)?.map(UserId),
            at: parse_instant("law_change_history.at", &self.at)?,
        })
    }
}

pub(crate) const MILESTONE_COLUMNS: &str =
    "id, name, platform, planned_on, status, done_on, notes, version, created_at, updated_at";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MilestoneRow {
    id: String,
    name: String,
    platform: Option<String>,
    planned_on: Option<String>,
    status: String,
    done_on: Option<String>,
    notes: Option<String>,
    version: i64,
    created_at: String,
    updated_at: String,
}

impl MilestoneRow {
    pub(crate) fn into_domain(self) -> StoreResult<Milestone> {
        Ok(Milestone {
            id: MilestoneId(parse_uuid("milestones.id", &self.id)?),
            name: self.name,
            platform: platform("milestones.platform", self.platform)?,
            planned_on: opt("milestones.planned_on", self.planned_on, parse_day)?,
            status: parse_key("milestones.status", &self.status, MilestoneStatus::parse)?,
            done_on: opt("milestones.done_on", self.done_on, parse_day)?,
            notes: self.notes,
            version: parse_i32("milestones.version", self.version)?,
            created_at: parse_instant("milestones.created_at", &self.created_at)?,
            updated_at: parse_instant("milestones.updated_at", &self.updated_at)?,
        })
    }
}

pub(crate) const DEPENDENCY_COLUMNS: &str = "id, procedure_id, on_kind, on_id, reason, \
     created_by, created_at, removed_at, removed_by, removed_reason";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DependencyRow {
    id: String,
    procedure_id: String,
    on_kind: String,
    on_id: String,
    reason: Option<String>,
    created_by: Option<String>,
    created_at: String,
    removed_at: Option<String>,
    removed_by: Option<String>,
    removed_reason: Option<String>,
}

impl DependencyRow {
    pub(crate) fn into_domain(self) -> StoreResult<Dependency> {
        let on_id = parse_uuid("dependencies.on_id", &self.on_id)?;
        Ok(Dependency {
            id: DependencyId(parse_uuid("dependencies.id", &self.id)?),
            procedure_id: ProcedureId(parse_uuid("dependencies.procedure_id", &self.procedure_id)?),
            on: BlockerRef::from_parts(&self.on_kind, on_id)
                .ok_or_else(|| corrupt("dependencies.on_kind", &self.on_kind))?,
            reason: self.reason,
            created_by: opt_uuid("dependencies.created_by", self.created_by)?.map(UserId),
            created_at: parse_instant("dependencies.created_at", &self.created_at)?,
            removed_at: opt("dependencies.removed_at", self.removed_at, parse_instant)?,
            removed_by: opt_uuid("dependencies.removed_by", self.removed_by)?.map(UserId),
            removed_reason: self.removed_reason,
        })
    }
}

pub(crate) const FACTS_COLUMNS: &str = "id, code, bureau_id, state, released_on, process_count, \
     annual_applications, platform, target_quarter";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct FactsRow {
    id: String,
    code: String,
    bureau_id: String,
    state: String,
    released_on: Option<String>,
    process_count: i64,
    annual_applications: Option<i64>,
    platform: Option<String>,
    target_quarter: Option<String>,
}

impl FactsRow {
    pub(crate) fn into_domain(self) -> StoreResult<ProcedureFacts> {
        Ok(ProcedureFacts {
            id: ProcedureId(parse_uuid("procedures.id", &self.id)?),
            code: self.code,
            bureau_id: BureauId(parse_uuid("procedures.bureau_id", &self.bureau_id)?),
            state: self.state,
            released_on: opt("procedures.released_on", self.released_on, parse_day)?,
            process_count: self.process_count,
            annual_applications: self.annual_applications.unwrap_or(0),
            platform: platform("procedures.platform", self.platform)?,
            target_quarter: opt("procedures.target_quarter", self.target_quarter, |c, r| {
                parse_with(c, r, FiscalQuarter::parse)
            })?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct LeadRow {
    platform: Option<String>,
    scheduled_at: String,
    released_at: String,
}

impl LeadRow {
    pub(crate) fn into_domain(self) -> StoreResult<LeadSample> {
        Ok(LeadSample {
            platform: platform("procedures.platform", self.platform)?,
            scheduled_at: parse_instant("transition_records.at", &self.scheduled_at)?,
            released_at: parse_instant("transition_records.at", &self.released_at)?,
        })
    }
}
