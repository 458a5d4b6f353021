//! Law changes, milestones and dependencies (placeholder until the store helper lands).

use async_trait::async_trait;
use rollout_domain::audit::AuditEntry;
use rollout_domain::blockers::{Dependency, LawChange, LawChangeStatusChange, Milestone};
use rollout_domain::{DependencyId, LawChangeId, MilestoneId, ProcedureId};
use rollout_store::{
    BlockerSeed, BlockerStore, GraphRows, LawChangeCursor, LawChangeFilter, LeadSample, Page,
    PageRequest, ProcedureFacts, ProcedureFilter, StoreResult,
};

use crate::SqliteStore;

#[async_trait]
impl BlockerStore for SqliteStore {
    async fn graph_version(&self) -> StoreResult<i64> {
        todo!("graph_version")
    }
    async fn graph_rows(&self) -> StoreResult<GraphRows> {
        todo!("graph_rows")
    }
    async fn procedure_facts(
        &self,
        ids: Option<&[ProcedureId]>,
    ) -> StoreResult<Vec<ProcedureFacts>> {
        todo!("procedure_facts")
    }
    async fn procedure_ids(&self, filter: &ProcedureFilter) -> StoreResult<Vec<ProcedureId>> {
        todo!("procedure_ids")
    }
    async fn lead_samples(
        &self,
        scheduled_state: &str,
        done_states: &[String],
    ) -> StoreResult<Vec<LeadSample>> {
        todo!("lead_samples")
    }
    async fn insert_blockers(&self, seed: &BlockerSeed, audit: &AuditEntry) -> StoreResult<u64> {
        todo!("insert_blockers")
    }
    async fn law_change(&self, id: LawChangeId) -> StoreResult<Option<LawChange>> {
        todo!("law_change")
    }
    async fn law_change_by_code(&self, code: &str) -> StoreResult<Option<LawChange>> {
        todo!("law_change_by_code")
    }
    async fn law_changes_by_ids(&self, ids: &[LawChangeId]) -> StoreResult<Vec<LawChange>> {
        todo!("law_changes_by_ids")
    }
    async fn list_law_changes(
        &self,
        filter: &LawChangeFilter,
        page: &PageRequest<LawChangeCursor>,
    ) -> StoreResult<Page<LawChange>> {
        todo!("list_law_changes")
    }
    async fn law_change_history(
        &self,
        ids: Option<&[LawChangeId]>,
    ) -> StoreResult<Vec<LawChangeStatusChange>> {
        todo!("law_change_history")
    }
    async fn milestone(&self, id: MilestoneId) -> StoreResult<Option<Milestone>> {
        todo!("milestone")
    }
    async fn milestones_by_ids(&self, ids: &[MilestoneId]) -> StoreResult<Vec<Milestone>> {
        todo!("milestones_by_ids")
    }
    async fn list_milestones(&self) -> StoreResult<Vec<Milestone>> {
        todo!("list_milestones")
    }
    async fn dependency(&self, id: DependencyId) -> StoreResult<Option<Dependency>> {
        todo!("dependency")
    }
    async fn dependencies_by_ids(&self, ids: &[DependencyId]) -> StoreResult<Vec<Dependency>> {
        todo!("dependencies_by_ids")
    }
    async fn all_dependencies(&self) -> StoreResult<Vec<Dependency>> {
        todo!("all_dependencies")
    }
}
