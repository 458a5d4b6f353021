//! Hearings, user tests, tasks, target history and the atomic write batch on postgres.
//! PLACEHOLDER while issue 10's store work is in progress: every method is filled in by the
//! store branch before this reaches main.

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

use crate::PgStore;

pub(crate) mod target;

#[async_trait]
impl EvidenceStore for PgStore {
    async fn commit(&self, _writes: &[Write]) -> Result<(), BatchError> {
        unimplemented!()
    }
    async fn insert_evidence(
        &self,
        _seed: &EvidenceSeed,
        _audit: &rollout_domain::audit::AuditEntry,
    ) -> StoreResult<u64> {
        unimplemented!()
    }
    async fn hearing(&self, _id: HearingId) -> StoreResult<Option<Hearing>> {
        unimplemented!()
    }
    async fn hearings_by_ids(&self, _ids: &[HearingId]) -> StoreResult<Vec<Hearing>> {
        unimplemented!()
    }
    async fn list_hearings(
        &self,
        _filter: &HearingFilter,
        _page: &PageRequest<HearingCursor>,
    ) -> StoreResult<Page<Hearing>> {
        unimplemented!()
    }
    async fn hearings_for_procedures(
        &self,
        _procedures: &[ProcedureId],
    ) -> StoreResult<Vec<(ProcedureId, Hearing)>> {
        unimplemented!()
    }
    async fn hearing_key_hit(
        &self,
        _owner: &str,
        _key: &IdempotencyKey,
    ) -> StoreResult<Option<HearingKeyHit>> {
        unimplemented!()
    }
    async fn user_test(&self, _id: UserTestId) -> StoreResult<Option<UserTest>> {
        unimplemented!()
    }
    async fn user_tests_for_procedures(
        &self,
        _procedures: &[ProcedureId],
    ) -> StoreResult<Vec<UserTest>> {
        unimplemented!()
    }
    async fn latest_user_test_verdicts(
        &self,
        _procedures: &[ProcedureId],
    ) -> StoreResult<Vec<(ProcedureId, UserTestVerdict)>> {
        Ok(Vec::new())
    }
    async fn task(&self, _id: TaskId) -> StoreResult<Option<Task>> {
        unimplemented!()
    }
    async fn tasks_by_ids(&self, _ids: &[TaskId]) -> StoreResult<Vec<Task>> {
        unimplemented!()
    }
    async fn list_tasks(
        &self,
        _filter: &TaskFilter,
        _page: &PageRequest<TaskCursor>,
    ) -> StoreResult<Page<Task>> {
        unimplemented!()
    }
    async fn tasks_for_procedures(
        &self,
        _procedures: &[ProcedureId],
        _status: Option<TaskStatus>,
    ) -> StoreResult<Vec<Task>> {
        unimplemented!()
    }
    async fn tasks_for_hearings(&self, _hearings: &[HearingId]) -> StoreResult<Vec<Task>> {
        unimplemented!()
    }
    async fn target_changes_for(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<TargetChange>> {
        target::for_procedures(&self.pool, procedures).await
    }
}
