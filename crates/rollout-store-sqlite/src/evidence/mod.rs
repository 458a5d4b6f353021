//! Hearings, user tests, tasks and target history on SQLite, and the atomic write batch
//! ([`rollout_store::EvidenceStore`]): [`commit`] applies a batch, [`writes`] and [`target`]
//! write rows inside a transaction, [`bulk`] loads seeds, [`hearings`], [`tasks`] and
//! [`user_tests`] read, with encodings in [`rows`]. Writes go through the single writer
//! connection like every other write; reads through the reader pool. Batch reads are one
//! statement whatever the number of ids (SQLite's bound-variable limit, 32,766, is far above a
//! page of a few hundred).

mod bulk;
mod commit;
mod hearings;
pub(crate) mod rows;
pub(crate) mod target;
mod tasks;
mod user_tests;
mod writes;

use async_trait::async_trait;
use rollout_domain::audit::AuditEntry;
use rollout_domain::hearing::Hearing;
use rollout_domain::target::TargetChange;
use rollout_domain::task::{Task, TaskStatus};
use rollout_domain::user_test::{UserTest, UserTestVerdict};
use rollout_domain::{HearingId, IdempotencyKey, ProcedureId, TaskId, UserTestId};
use rollout_store::{
    BatchError, EvidenceSeed, EvidenceStore, HearingCursor, HearingFilter, HearingKeyHit, Page,
    PageRequest, StoreResult, TaskCursor, TaskFilter, Write,
};

use crate::SqliteStore;

#[async_trait]
impl EvidenceStore for SqliteStore {
    #[tracing::instrument(name = "store.commit", skip_all, fields(writes = writes.len()))]
    async fn commit(&self, writes: &[Write]) -> Result<(), BatchError> {
        commit::apply_all(&self.writer, writes).await
    }

    #[tracing::instrument(name = "store.insert_evidence", skip_all)]
    async fn insert_evidence(&self, seed: &EvidenceSeed, audit: &AuditEntry) -> StoreResult<u64> {
        bulk::insert(&self.writer, seed, audit).await
    }

    #[tracing::instrument(name = "store.hearing", skip(self), fields(hearing_id = %id))]
    async fn hearing(&self, id: HearingId) -> StoreResult<Option<Hearing>> {
        Ok(hearings::by_ids(&self.reader, &[id]).await?.pop())
    }

    #[tracing::instrument(name = "store.hearings_by_ids", skip_all, fields(count = ids.len()))]
    async fn hearings_by_ids(&self, ids: &[HearingId]) -> StoreResult<Vec<Hearing>> {
        hearings::by_ids(&self.reader, ids).await
    }

    #[tracing::instrument(name = "store.list_hearings", skip_all, fields(first = page.first))]
    async fn list_hearings(
        &self,
        filter: &HearingFilter,
        page: &PageRequest<HearingCursor>,
    ) -> StoreResult<Page<Hearing>> {
        hearings::list(&self.reader, filter, page).await
    }

    #[tracing::instrument(name = "store.hearings_for_procedures", skip_all, fields(count = procedures.len()))]
    async fn hearings_for_procedures(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<(ProcedureId, Hearing)>> {
        hearings::for_procedures(&self.reader, procedures).await
    }

    #[tracing::instrument(name = "store.hearing_key_hit", skip_all)]
    async fn hearing_key_hit(
        &self,
        owner: &str,
        key: &IdempotencyKey,
    ) -> StoreResult<Option<HearingKeyHit>> {
        hearings::key_hit(&self.reader, owner, key).await
    }

    #[tracing::instrument(name = "store.user_test", skip(self), fields(user_test_id = %id))]
    async fn user_test(&self, id: UserTestId) -> StoreResult<Option<UserTest>> {
        user_tests::get(&self.reader, id).await
    }

    #[tracing::instrument(name = "store.user_tests_for_procedures", skip_all, fields(count = procedures.len()))]
    async fn user_tests_for_procedures(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<UserTest>> {
        user_tests::for_procedures(&self.reader, procedures).await
    }

    #[tracing::instrument(name = "store.latest_user_test_verdicts", skip_all, fields(count = procedures.len()))]
    async fn latest_user_test_verdicts(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<(ProcedureId, UserTestVerdict)>> {
        user_tests::latest_verdicts(&self.reader, procedures).await
    }

    #[tracing::instrument(name = "store.task", skip(self), fields(task_id = %id))]
    async fn task(&self, id: TaskId) -> StoreResult<Option<Task>> {
        tasks::get(&self.reader, id).await
    }

    #[tracing::instrument(name = "store.tasks_by_ids", skip_all, fields(count = ids.len()))]
    async fn tasks_by_ids(&self, ids: &[TaskId]) -> StoreResult<Vec<Task>> {
        tasks::by_ids(&self.reader, ids).await
    }

    #[tracing::instrument(name = "store.list_tasks", skip_all, fields(first = page.first))]
    async fn list_tasks(
        &self,
        filter: &TaskFilter,
        page: &PageRequest<TaskCursor>,
    ) -> StoreResult<Page<Task>> {
        tasks::list(&self.reader, filter, page).await
    }

    #[tracing::instrument(name = "store.tasks_for_procedures", skip_all, fields(count = procedures.len()))]
    async fn tasks_for_procedures(
        &self,
        procedures: &[ProcedureId],
        status: Option<TaskStatus>,
    ) -> StoreResult<Vec<Task>> {
        tasks::for_procedures(&self.reader, procedures, status).await
    }

    #[tracing::instrument(name = "store.tasks_for_hearings", skip_all, fields(count = hearings.len()))]
    async fn tasks_for_hearings(&self, hearings: &[HearingId]) -> StoreResult<Vec<Task>> {
        tasks::for_hearings(&self.reader, hearings).await
    }

    #[tracing::instrument(name = "store.target_changes_for", skip_all, fields(count = procedures.len()))]
    async fn target_changes_for(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<TargetChange>> {
        target::for_procedures(&self.reader, procedures).await
    }
}
