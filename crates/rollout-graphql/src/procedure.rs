//! The `Procedure` type. Its scalar fields come from the stored row; `bureau` and
//! `pendingApproval` are loaded with those of the whole page ([`crate::loaders`]); `state` and
//! `nextTransitions` are computed from the in-memory workflow definition and the page's guard
//! facts (no query per row); `history` is one keyset-paginated read. The evidence fields
//! (`userTests`, `targetHistory`, `slipCount`) read one batch per page; `slipped` is computed.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use rollout_domain as domain;
use tracing::instrument;

use crate::app;
use crate::approval::ApprovalRequest;
use crate::bureau::Bureau;
use crate::connection::TransitionRecordConnection;
use crate::enums::{Authority, Platform, ProcedureCategory};
use crate::history::history_page;
use crate::ids::{NodeType, global_id};
use crate::loaders::{
    BureauBatch, GuardFactsBatch, HistoryBatches, PendingBatch, TargetHistoryBatch, UserTestsBatch,
};
use crate::scalars::{Date, DateTime, FiscalQuarter};
use crate::target::TargetChange;
use crate::user_test::UserTest;
use crate::workflow::{TransitionOption, WorkflowState, known_state, next_transitions};

/// An administrative procedure (手続) on its way online.
#[derive(Debug, Clone)]
pub struct Procedure {
    row: domain::Procedure,
    /// Shared by every procedure of the same page.
    page: Arc<PageRefs>,
}

/// What the procedures of one page refer to, loaded together.
#[derive(Debug)]
struct PageRefs {
    bureaus: BureauBatch,
    pending: PendingBatch,
    histories: HistoryBatches,
    // Issue 10, user tests and target history:
    guard_facts: GuardFactsBatch,
    user_tests: UserTestsBatch,
    target_histories: TargetHistoryBatch,
    hearings: crate::hearing::ProcedureHearingBatch,
    tasks: crate::task::ProcedureTaskBatches,
    // Issue 11, the dependency graph:
    deps: crate::deps::ProcedureDeps,
    // Issue 13, quality assessments:
    quality: crate::quality::AssessmentsBatch,
}

impl Procedure {
    /// A procedure on its own: its references are batches of one.
    pub(crate) fn single(row: domain::Procedure) -> Self {
        Self::page(vec![row])
            .pop()
            .expect("a page of one procedure has one procedure")
    }

    /// The procedures of one page, whose references load together.
    pub(crate) fn page(rows: Vec<domain::Procedure>) -> Vec<Self> {
        let page = Arc::new(PageRefs {
            bureaus: BureauBatch::new(rows.iter().map(|p| p.bureau_id)),
            pending: PendingBatch::new(rows.iter().map(|p| p.id)),
            histories: HistoryBatches::new(rows.iter().map(|p| p.id)),
            guard_facts: GuardFactsBatch::new(rows.iter()),
            user_tests: UserTestsBatch::new(rows.iter().map(|p| p.id)),
            target_histories: TargetHistoryBatch::new(rows.iter().map(|p| p.id)),
            hearings: crate::hearing::ProcedureHearingBatch::new(rows.iter().map(|p| p.id)),
            tasks: crate::task::ProcedureTaskBatches::new(rows.iter().map(|p| p.id)),
            deps: crate::deps::ProcedureDeps::new(rows.iter().map(|p| p.id)),
            quality: crate::quality::AssessmentsBatch::new(rows.iter().map(|p| p.id)),
        });
        rows.into_iter()
            .map(|row| Self {
                row,
                page: page.clone(),
            })
            .collect()
    }

    pub(crate) fn row(&self) -> &domain::Procedure {
        &self.row
    }

    /// The first page of this procedure's history, read with the rest of its page's.
    pub(crate) async fn first_history_page(
        &self,
        app: &rollout_app::App,
        request: &rollout_store::PageRequest<rollout_store::HistoryCursor>,
    ) -> async_graphql::Result<rollout_store::Page<domain::TransitionRecord>> {
        self.page.histories.get(app, self.row.id, request).await
    }
}

#[Object]
impl Procedure {
    pub async fn id(&self) -> ID {
        global_id(NodeType::Procedure, self.row.id.as_uuid())
    }

    /// E.g. "KANKYO-0012".
    async fn code(&self) -> &str {
        self.row.code.as_str()
    }

    /// The official Japanese name.
    async fn name(&self) -> &str {
        &self.row.name
    }

    async fn name_en(&self) -> Option<&str> {
        self.row.name_en.as_deref()
    }

    #[instrument(skip_all, fields(procedure = %self.row.id, bureau = %self.row.bureau_id))]
    async fn bureau(&self, ctx: &Context<'_>) -> async_graphql::Result<Bureau> {
        let bureau = self.page.bureaus.get(app(ctx)?, self.row.bureau_id).await?;
        Ok(Bureau(bureau))
    }

    /// The open approval request for a gated transition of this procedure; null when there is
    /// none (or it has passed its deadline, which closes it). While one is open, the procedure
    /// stays where it is and no other gated transition can be requested.
    #[instrument(skip_all, fields(procedure = %self.row.id))]
    async fn pending_approval(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ApprovalRequest>> {
        let app = app(ctx)?;
        let pending = self.page.pending.get(app, self.row.id).await?;
        Ok(pending.filter(|r| r.is_pending_at(app.now())))
    }

    async fn category(&self) -> ProcedureCategory {
        self.row.category.into()
    }

    async fn authority(&self) -> Authority {
        self.row.authority.into()
    }

    /// Applications per year, when known.
    async fn annual_applications(&self) -> Option<i64> {
        self.row.annual_applications
    }

    /// 10,000 or more applications a year.
    async fn is_priority(&self) -> bool {
        self.row.is_priority()
    }

    /// How many of the ~28,000 administrative processes this procedure stands for.
    async fn process_count(&self) -> i32 {
        self.row.process_count
    }

    async fn platform(&self) -> Option<Platform> {
        self.row.platform.map(Into::into)
    }

    /// The current workflow state.
    async fn state(&self, ctx: &Context<'_>) -> async_graphql::Result<WorkflowState> {
        known_state(app(ctx)?.workflow(), &self.row.state)
    }

    /// Optimistic-concurrency version: give it back as `expectedVersion` when changing this.
    async fn version(&self) -> i32 {
        self.row.version
    }

    async fn target_quarter(&self) -> Option<FiscalQuarter> {
        self.row.target_quarter.map(FiscalQuarter)
    }

    /// Set when the procedure first reaches a DONE state (Tokyo calendar date).
    async fn released_on(&self) -> Option<Date> {
        self.row.released_on.map(Date)
    }

    /// State changes, oldest first; the first record is the creation (`from: null`).
    async fn history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<TransitionRecordConnection> {
        history_page(ctx, self, first, after).await
    }

    /// Every transition out of the current state and whether its data guards hold now.
    async fn next_transitions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<TransitionOption>> {
        let app = app(ctx)?;
        let facts = self.page.guard_facts.get(app, &self.row).await?;
        next_transitions(app.workflow(), &self.row, &facts)
    }

    /// Quality assessments of this procedure, newest first: the first is its row on the
    /// quality map, the rest its history. One read for the whole page.
    async fn quality_assessments(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::quality::QualityAssessment>> {
        crate::quality::assessments_of(ctx, self, &self.page.quality).await
    }

    /// User tests of this procedure, oldest first. The latest one recorded since the procedure
    /// last entered `built` decides whether it may move to `user_tested`.
    #[instrument(skip_all, fields(procedure = %self.row.id))]
    async fn user_tests(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<UserTest>> {
        let tests = self.page.user_tests.get(app(ctx)?, self.row.id).await?;
        Ok(tests.into_iter().map(|t| t.through(self)).collect())
    }

    /// Every change of the target quarter, oldest first.
    #[instrument(skip_all, fields(procedure = %self.row.id))]
    async fn target_history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TargetChange>> {
        let history = self
            .page
            .target_histories
            .get(app(ctx)?, self.row.id)
            .await?;
        Ok(history.iter().map(TargetChange::from).collect())
    }

    /// How many times the target quarter moved later.
    #[instrument(skip_all, fields(procedure = %self.row.id))]
    async fn slip_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        let history = self
            .page
            .target_histories
            .get(app(ctx)?, self.row.id)
            .await?;
        Ok(i32::try_from(rollout_domain::target::slip_count(history)).unwrap_or(i32::MAX))
    }

    /// The target quarter has ended (today in Tokyo) and the procedure is neither done nor
    /// closed.
    async fn slipped(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(app(ctx)?.is_slipped(&self.row))
    }

    /// The hearings that discussed this procedure, oldest first (one read for the page).
    async fn hearings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::hearing::Hearing>> {
        self.page.hearings.get(app(ctx)?, self.row.id).await
    }

    /// This procedure's tasks (with `status` when given), by due date (one read for the page).
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        status: Option<crate::enums::TaskStatus>,
    ) -> async_graphql::Result<Vec<crate::task::Task>> {
        self.page.tasks.get(app(ctx)?, self.row.id, status).await
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    async fn updated_at(&self) -> DateTime {
        DateTime(self.row.updated_at)
    }

    /// What this procedure needs: law changes, milestones and other procedures, directly or
    /// (`transitive`) along the graph; open ones only unless `openOnly: false`.
    async fn blockers(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] transitive: bool,
        #[graphql(default = true)] open_only: bool,
    ) -> async_graphql::Result<Vec<crate::blockers::Blocker>> {
        let app = app(ctx)?;
        self.page
            .deps
            .blockers(app, self.row.id, transitive, open_only)
            .await
    }

    /// The procedures that need this one, directly or (`transitive`) along the graph.
    async fn dependents(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] transitive: bool,
    ) -> async_graphql::Result<Vec<Procedure>> {
        let app = app(ctx)?;
        self.page
            .deps
            .dependents(app, self.row.id, transitive)
            .await
    }

    /// The earliest fiscal quarter it can realistically be released, and what decides it.
    async fn earliest_release(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<crate::deps::EarliestRelease> {
        self.page
            .deps
            .earliest_release(app(ctx)?, self.row.id)
            .await
    }
}
