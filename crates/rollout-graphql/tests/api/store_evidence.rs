//! The counting store's forwarding of the evidence methods (hearings, user tests, tasks, target
//! history and the write batch): each call is counted and fails during an outage.

use async_trait::async_trait;
use rollout_domain::hearing::Hearing;
use rollout_domain::target::TargetChange;
use rollout_domain::task::{Task, TaskStatus};
use rollout_domain::user_test::{UserTest, UserTestVerdict};
use rollout_domain::{HearingId, IdempotencyKey, ProcedureId, TaskId, UserTestId};
use rollout_store::{
    BatchError, EvidenceSeed, EvidenceStore, HearingCursor, HearingFilter, HearingKeyHit, Page,
    PageRequest, StoreResult, TaskCursor, TaskFilter, Write,
};

use crate::store::CountingStore;

#[async_trait]
impl EvidenceStore for CountingStore {
    async fn commit(&self, writes: &[Write]) -> Result<(), BatchError> {
        self.call("commit").map_err(BatchError::whole)?;
        self.inner().commit(writes).await
    }
    async fn insert_evidence(
        &self,
        seed: &EvidenceSeed,
        audit: &rollout_domain::audit::AuditEntry,
    ) -> StoreResult<u64> {
        self.call("insert_evidence")?;
        self.inner().insert_evidence(seed, audit).await
    }
    async fn hearing(&self, id: HearingId) -> StoreResult<Option<Hearing>> {
        self.call("hearing")?;
        self.inner().hearing(id).await
    }
    async fn hearings_by_ids(&self, ids: &[HearingId]) -> StoreResult<Vec<Hearing>> {
        self.call("hearings_by_ids")?;
        self.inner().hearings_by_ids(ids).await
    }
    async fn list_hearings(
        &self,
        filter: &HearingFilter,
        page: &PageRequest<HearingCursor>,
    ) -> StoreResult<Page<Hearing>> {
        self.paged("list_hearings", page)?;
        self.inner().list_hearings(filter, page).await
    }
    async fn hearings_for_procedures(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<(ProcedureId, Hearing)>> {
        self.call("hearings_for_procedures")?;
        self.inner().hearings_for_procedures(procedures).await
    }
    async fn hearing_key_hit(
        &self,
        owner: &str,
        key: &IdempotencyKey,
    ) -> StoreResult<Option<HearingKeyHit>> {
        self.call("hearing_key_hit")?;
        self.inner().hearing_key_hit(owner, key).await
    }
    async fn user_test(&self, id: UserTestId) -> StoreResult<Option<UserTest>> {
        self.call("user_test")?;
        self.inner().user_test(id).await
    }
    async fn user_tests_for_procedures(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<UserTest>> {
        self.call("user_tests_for_procedures")?;
        self.inner().user_tests_for_procedures(procedures).await
    }
    async fn latest_user_test_verdicts(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<(ProcedureId, UserTestVerdict)>> {
        self.call("latest_user_test_verdicts")?;
        self.inner().latest_user_test_verdicts(procedures).await
    }
    async fn task(&self, id: TaskId) -> StoreResult<Option<Task>> {
        self.call("task")?;
        self.inner().task(id).await
    }
    async fn tasks_by_ids(&self, ids: &[TaskId]) -> StoreResult<Vec<Task>> {
        self.call("tasks_by_ids")?;
        self.inner().tasks_by_ids(ids).await
    }
    async fn list_tasks(
        &self,
        filter: &TaskFilter,
        page: &PageRequest<TaskCursor>,
    ) -> StoreResult<Page<Task>> {
        self.paged("list_tasks", page)?;
        self.inner().list_tasks(filter, page).await
    }
    async fn tasks_for_procedures(
        &self,
        procedures: &[ProcedureId],
        status: Option<TaskStatus>,
    ) -> StoreResult<Vec<Task>> {
        self.call("tasks_for_procedures")?;
        self.inner().tasks_for_procedures(procedures, status).await
    }
    async fn tasks_for_hearings(&self, hearings: &[HearingId]) -> StoreResult<Vec<Task>> {
        self.call("tasks_for_hearings")?;
        self.inner().tasks_for_hearings(hearings).await
    }
    async fn target_changes_for(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<TargetChange>> {
        self.call("target_changes_for")?;
        self.inner().target_changes_for(procedures).await
    }
}
