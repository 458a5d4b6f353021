//! The counting store's forwarding of the law change, milestone and dependency reads: each
//! call is counted and fails during an outage.

use async_trait::async_trait;
use rollout_domain::audit::AuditEntry;
use rollout_domain::blockers::{Dependency, LawChange, LawChangeStatusChange, Milestone};
use rollout_domain::{DependencyId, LawChangeId, MilestoneId, ProcedureId};
use rollout_store::{
    BlockerSeed, BlockerStore, GraphRows, LawChangeCursor, LawChangeFilter, LeadSample, Page,
    PageRequest, ProcedureFacts, ProcedureFilter, StoreResult,
};

use crate::store::CountingStore;

#[async_trait]
impl BlockerStore for CountingStore {
    async fn graph_version(&self) -> StoreResult<i64> {
        self.call("graph_version")?;
        self.inner().graph_version().await
    }
    async fn graph_rows(&self) -> StoreResult<GraphRows> {
        self.call("graph_rows")?;
        self.inner().graph_rows().await
    }
    async fn procedure_facts(
        &self,
        ids: Option<&[ProcedureId]>,
    ) -> StoreResult<Vec<ProcedureFacts>> {
        self.call("procedure_facts")?;
        self.inner().procedure_facts(ids).await
    }
    async fn procedure_ids(&self, filter: &ProcedureFilter) -> StoreResult<Vec<ProcedureId>> {
        self.call("procedure_ids")?;
        self.inner().procedure_ids(filter).await
    }
    async fn lead_samples(
        &self,
        scheduled_state: &str,
        done_states: &[String],
    ) -> StoreResult<Vec<LeadSample>> {
        self.call("lead_samples")?;
        self.inner()
            .lead_samples(scheduled_state, done_states)
            .await
    }
    async fn insert_blockers(&self, seed: &BlockerSeed, audit: &AuditEntry) -> StoreResult<u64> {
        self.call("insert_blockers")?;
        self.inner().insert_blockers(seed, audit).await
    }
    async fn law_change(&self, id: LawChangeId) -> StoreResult<Option<LawChange>> {
        self.call("law_change")?;
        self.inner().law_change(id).await
    }
    async fn law_change_by_code(&self, code: &str) -> StoreResult<Option<LawChange>> {
        self.call("law_change_by_code")?;
        self.inner().law_change_by_code(code).await
    }
    async fn law_changes_by_ids(&self, ids: &[LawChangeId]) -> StoreResult<Vec<LawChange>> {
        self.call("law_changes_by_ids")?;
        self.inner().law_changes_by_ids(ids).await
    }
    async fn list_law_changes(
        &self,
        filter: &LawChangeFilter,
        page: &PageRequest<LawChangeCursor>,
    ) -> StoreResult<Page<LawChange>> {
        self.call("list_law_changes")?;
        self.inner().list_law_changes(filter, page).await
    }
    async fn law_change_history(
        &self,
        ids: Option<&[LawChangeId]>,
    ) -> StoreResult<Vec<LawChangeStatusChange>> {
        self.call("law_change_history")?;
        self.inner().law_change_history(ids).await
    }
    async fn milestone(&self, id: MilestoneId) -> StoreResult<Option<Milestone>> {
        self.call("milestone")?;
        self.inner().milestone(id).await
    }
    async fn milestones_by_ids(&self, ids: &[MilestoneId]) -> StoreResult<Vec<Milestone>> {
        self.call("milestones_by_ids")?;
        self.inner().milestones_by_ids(ids).await
    }
    async fn list_milestones(&self) -> StoreResult<Vec<Milestone>> {
        self.call("list_milestones")?;
        self.inner().list_milestones().await
    }
    async fn dependency(&self, id: DependencyId) -> StoreResult<Option<Dependency>> {
        self.call("dependency")?;
        self.inner().dependency(id).await
    }
    async fn dependencies_by_ids(&self, ids: &[DependencyId]) -> StoreResult<Vec<Dependency>> {
        self.call("dependencies_by_ids")?;
        self.inner().dependencies_by_ids(ids).await
    }
    async fn all_dependencies(&self) -> StoreResult<Vec<Dependency>> {
        self.call("all_dependencies")?;
        self.inner().all_dependencies().await
    }
}
