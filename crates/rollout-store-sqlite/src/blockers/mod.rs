//! Law changes, milestones and dependencies on SQLite ([`rollout_store::BlockerStore`]):
//! [`graph`] reads the graph in one snapshot and keeps the graph version, [`writes`] writes rows
//! inside a batch's transaction (the arms of `Write` in `crate::evidence`), [`bulk`] loads seeds,
//! [`reads`] answers the other reads, with encodings in [`rows`]. Writes go through the single
//! writer connection, reads through the reader pool. It decides nothing: cycles, what is open
//! and which status may follow which are the domain's.

mod bulk;
pub(crate) mod graph;
mod reads;
pub(crate) mod rows;
pub(crate) mod writes;

pub(crate) use rows::ids_json;

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
    #[tracing::instrument(name = "store.graph_version", skip(self))]
    async fn graph_version(&self) -> StoreResult<i64> {
        graph::version(&self.reader).await
    }

    #[tracing::instrument(name = "store.graph_rows", skip(self))]
    async fn graph_rows(&self) -> StoreResult<GraphRows> {
        graph::rows(&self.reader).await
    }

    #[tracing::instrument(name = "store.procedure_facts", skip_all, fields(count = ids.map(<[ProcedureId]>::len)))]
    async fn procedure_facts(
        &self,
        ids: Option<&[ProcedureId]>,
    ) -> StoreResult<Vec<ProcedureFacts>> {
        reads::procedure_facts(&self.reader, ids).await
    }

    #[tracing::instrument(name = "store.procedure_ids", skip_all)]
    async fn procedure_ids(&self, filter: &ProcedureFilter) -> StoreResult<Vec<ProcedureId>> {
        reads::procedure_ids(&self.reader, filter).await
    }

    #[tracing::instrument(name = "store.lead_samples", skip(self, done_states))]
    async fn lead_samples(
        &self,
        scheduled_state: &str,
        done_states: &[String],
    ) -> StoreResult<Vec<LeadSample>> {
        reads::lead_samples(&self.reader, scheduled_state, done_states).await
    }

    #[tracing::instrument(name = "store.insert_blockers", skip_all)]
    async fn insert_blockers(&self, seed: &BlockerSeed, audit: &AuditEntry) -> StoreResult<u64> {
        bulk::insert(&self.writer, seed, audit).await
    }

    #[tracing::instrument(name = "store.law_change", skip(self), fields(law_change_id = %id))]
    async fn law_change(&self, id: LawChangeId) -> StoreResult<Option<LawChange>> {
        Ok(reads::law_changes(&self.reader, Some(&[id])).await?.pop())
    }

    #[tracing::instrument(name = "store.law_change_by_code", skip(self))]
    async fn law_change_by_code(&self, code: &str) -> StoreResult<Option<LawChange>> {
        reads::law_change_by_code(&self.reader, code).await
    }

    #[tracing::instrument(name = "store.law_changes_by_ids", skip_all, fields(count = ids.len()))]
    async fn law_changes_by_ids(&self, ids: &[LawChangeId]) -> StoreResult<Vec<LawChange>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        reads::law_changes(&self.reader, Some(ids)).await
    }

    #[tracing::instrument(name = "store.list_law_changes", skip_all, fields(first = page.first))]
    async fn list_law_changes(
        &self,
        filter: &LawChangeFilter,
        page: &PageRequest<LawChangeCursor>,
    ) -> StoreResult<Page<LawChange>> {
        reads::list_law_changes(&self.reader, filter, page).await
    }

    #[tracing::instrument(name = "store.law_change_history", skip_all)]
    async fn law_change_history(
        &self,
        ids: Option<&[LawChangeId]>,
    ) -> StoreResult<Vec<LawChangeStatusChange>> {
        if ids.is_some_and(<[LawChangeId]>::is_empty) {
            return Ok(Vec::new());
        }
        reads::history(&self.reader, ids).await
    }

    #[tracing::instrument(name = "store.milestone", skip(self), fields(milestone_id = %id))]
    async fn milestone(&self, id: MilestoneId) -> StoreResult<Option<Milestone>> {
        Ok(reads::milestones(&self.reader, Some(&[id])).await?.pop())
    }

    #[tracing::instrument(name = "store.milestones_by_ids", skip_all, fields(count = ids.len()))]
    async fn milestones_by_ids(&self, ids: &[MilestoneId]) -> StoreResult<Vec<Milestone>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        reads::milestones(&self.reader, Some(ids)).await
    }

    #[tracing::instrument(name = "store.list_milestones", skip(self))]
    async fn list_milestones(&self) -> StoreResult<Vec<Milestone>> {
        reads::milestones(&self.reader, None).await
    }

    #[tracing::instrument(name = "store.dependency", skip(self), fields(dependency_id = %id))]
    async fn dependency(&self, id: DependencyId) -> StoreResult<Option<Dependency>> {
        Ok(reads::dependencies(&self.reader, Some(&[id])).await?.pop())
    }

    #[tracing::instrument(name = "store.dependencies_by_ids", skip_all, fields(count = ids.len()))]
    async fn dependencies_by_ids(&self, ids: &[DependencyId]) -> StoreResult<Vec<Dependency>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        reads::dependencies(&self.reader, Some(ids)).await
    }

    #[tracing::instrument(name = "store.all_dependencies", skip(self))]
    async fn all_dependencies(&self) -> StoreResult<Vec<Dependency>> {
        reads::dependencies(&self.reader, None).await
    }
}
