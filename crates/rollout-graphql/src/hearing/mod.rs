//! Hearings as the API shows them: `Hearing` (a meeting with a bureau's policy department, a
//! ministry or a vendor) and `HearingOutcome` (what it decided for one procedure, and the move
//! applying it made), plus `hearings` and `recordHearing`. The rules live in the domain and the
//! `App` (`rollout_app::hearings`); this module only shapes results.
//!
//! The references of one page of hearings (bureaus, creators, the outcomes' procedures, the
//! tasks each hearing left) load together, one read each. An outcome's `record` is a point read:
//! only applied moves have one, and it is asked for when looking at one hearing, not at a list.

mod mutation;
mod query;

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use rollout_app::App;
use rollout_domain::hearing as domain;
use rollout_domain::{HearingId, ProcedureId};

pub(crate) use mutation::HearingMutation;
pub(crate) use query::HearingQuery;

use crate::bureau::Bureau;
use crate::enums::{HearingDecision, HearingKind, Platform};
use crate::history::TransitionRecord;
use crate::identity::User;
use crate::ids::{NodeType, global_id};
use rollout_domain::TransitionRecordId;
use rollout_domain::history as domain_record;

use crate::app;
use crate::loaders::{Batch, BureauBatch, ProcedureBatch, UserBatch, keyed, missing};
use crate::procedure::Procedure;
use crate::scalars::{Date, DateTime, FiscalQuarter};
use crate::task::{HearingTaskBatch, Task};

/// A hearing (ヒアリング) and what it decided for each procedure discussed.
#[derive(Debug, Clone)]
pub struct Hearing {
    row: Arc<domain::Hearing>,
    /// Shared by every hearing of the same page.
    page: Arc<PageRefs>,
}

/// What the hearings of one page refer to, loaded together.
#[derive(Debug)]
struct PageRefs {
    bureaus: BureauBatch,
    users: UserBatch,
    procedures: ProcedureBatch,
    tasks: HearingTaskBatch,
    /// The history records the page's outcomes made.
    records: Batch<TransitionRecordId, domain_record::TransitionRecord>,
}

impl Hearing {
    /// The hearings of one page, whose references load together.
    pub(crate) fn page(rows: Vec<domain::Hearing>) -> Vec<Self> {
        let page = Arc::new(PageRefs {
            bureaus: BureauBatch::new(rows.iter().map(|h| h.bureau_id)),
            users: UserBatch::new(rows.iter().map(|h| h.created_by)),
            procedures: ProcedureBatch::new(
                rows.iter()
                    .flat_map(|h| h.outcomes.iter().map(|o| o.procedure_id)),
            ),
            tasks: HearingTaskBatch::new(rows.iter().map(|h| h.id)),
            records: Batch::new(
                rows.iter()
                    .flat_map(|h| h.outcomes.iter().filter_map(|o| o.record_id)),
            ),
        });
        rows.into_iter()
            .map(|row| Self {
                row: Arc::new(row),
                page: page.clone(),
            })
            .collect()
    }

    pub(crate) fn single(row: domain::Hearing) -> Self {
        Self::page(vec![row])
            .pop()
            .expect("a page of one hearing has one hearing")
    }
}

#[Object]
impl Hearing {
    pub async fn id(&self) -> ID {
        global_id(NodeType::Hearing, self.row.id.as_uuid())
    }

    /// The bureau the hearing was held with (or about).
    async fn bureau(&self, ctx: &Context<'_>) -> async_graphql::Result<Bureau> {
        Ok(Bureau(
            self.page.bureaus.get(app(ctx)?, self.row.bureau_id).await?,
        ))
    }

    async fn held_on(&self) -> Date {
        Date(self.row.held_on)
    }

    async fn kind(&self) -> HearingKind {
        self.row.kind.into()
    }

    async fn title(&self) -> &str {
        &self.row.title
    }

    async fn attendees(&self) -> &[String] {
        &self.row.attendees
    }

    async fn notes(&self) -> Option<&str> {
        self.row.notes.as_deref()
    }

    /// One per procedure discussed, in the order given.
    async fn outcomes(&self) -> Vec<HearingOutcome> {
        (0..self.row.outcomes.len())
            .map(|index| HearingOutcome {
                hearing: self.clone(),
                index,
            })
            .collect()
    }

    /// Every task the hearing left, in creation order.
    async fn tasks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Task>> {
        self.page.tasks.get(app(ctx)?, self.row.id).await
    }

    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        self.page.users.get(app(ctx)?, self.row.created_by).await
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }
}

/// What a hearing decided for one procedure, and what applying it did.
#[derive(Debug, Clone)]
pub struct HearingOutcome {
    hearing: Hearing,
    index: usize,
}

impl HearingOutcome {
    fn row(&self) -> &domain::HearingOutcome {
        &self.hearing.row.outcomes[self.index]
    }
}

#[Object]
impl HearingOutcome {
    /// The procedure as it is now.
    async fn procedure(&self, ctx: &Context<'_>) -> async_graphql::Result<Procedure> {
        let refs = &self.hearing.page;
        refs.procedures
            .get(app(ctx)?, self.row().procedure_id)
            .await
    }

    async fn decision(&self) -> HearingDecision {
        self.row().decision.into()
    }

    async fn agreed_target_quarter(&self) -> Option<FiscalQuarter> {
        self.row().agreed_target_quarter.map(FiscalQuarter)
    }

    async fn agreed_platform(&self) -> Option<Platform> {
        self.row().agreed_platform.map(Into::into)
    }

    async fn issues(&self) -> Option<&str> {
        self.row().issues.as_deref()
    }

    async fn next_step(&self) -> Option<&str> {
        self.row().next_step.as_deref()
    }

    /// Whether what was agreed was applied to the procedure.
    async fn applied(&self) -> bool {
        self.row().applied
    }

    /// The history record of the move applying this outcome made; null when it made none.
    async fn record(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TransitionRecord>> {
        let Some(id) = self.row().record_id else {
            return Ok(None);
        };
        let app = app(ctx)?;
        let records = self
            .hearing
            .page
            .records
            .loaded("transition records", |ids| async move {
                let rows = app.store().transition_records_by_ids(&ids).await?;
                Ok(keyed(rows, |r| r.id))
            })
            .await?;
        let record = records
            .get(&id)
            .cloned()
            .ok_or_else(|| missing("transition record", id))?;
        let procedure = self
            .hearing
            .page
            .procedures
            .get(app, self.row().procedure_id)
            .await?;
        Ok(Some(TransitionRecord::new(record, procedure)))
    }

    /// The abolition request applying a PROPOSE_ABOLITION outcome opened, if any.
    async fn approval_request(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::approval::ApprovalRequest>> {
        match self.row().approval_request_id {
            None => Ok(None),
            Some(id) => Ok(Some(
                crate::approval::ApprovalRequest::referenced(ctx, id).await?,
            )),
        }
    }

    /// The tasks the hearing left for this procedure.
    async fn tasks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Task>> {
        let all = self
            .hearing
            .page
            .tasks
            .get(app(ctx)?, self.hearing.row.id)
            .await?;
        let procedure = self.row().procedure_id;
        Ok(all
            .into_iter()
            .filter(|t| t.row().procedure_id == Some(procedure))
            .collect())
    }
}

/// The hearings a page refers to by id (tasks' `source`).
pub(crate) type HearingBatch = Batch<HearingId, Hearing>;

impl HearingBatch {
    pub(crate) async fn get(&self, app: &App, id: HearingId) -> async_graphql::Result<Hearing> {
        let map = self
            .loaded("hearings", |ids| async move {
                let rows = app.store().hearings_by_ids(&ids).await?;
                Ok(keyed(Hearing::page(rows), |h| h.row.id))
            })
            .await?;
        map.get(&id).cloned().ok_or_else(|| missing("hearing", id))
    }
}

/// The hearings of each procedure of a page, oldest first: one read for the page.
pub(crate) type ProcedureHearingBatch = Batch<ProcedureId, Vec<Hearing>>;

impl ProcedureHearingBatch {
    pub(crate) async fn get(
        &self,
        app: &App,
        id: ProcedureId,
    ) -> async_graphql::Result<Vec<Hearing>> {
        let map = self
            .loaded("procedure_hearings", |ids| async move {
                let pairs = app.store().hearings_for_procedures(&ids).await?;
                let (procedures, rows): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
                let mut grouped: HashMap<ProcedureId, Vec<Hearing>> = HashMap::new();
                for (p, h) in procedures.into_iter().zip(Hearing::page(rows)) {
                    grouped.entry(p).or_default().push(h);
                }
                Ok(grouped)
            })
            .await?;
        Ok(map.get(&id).cloned().unwrap_or_default())
    }
}
