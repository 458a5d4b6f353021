//! The `LawChange` type (a change of a national or Tokyo rule that procedures wait on) and its
//! status history (`LawChangeStatusChange`). The owning bureau, the history and the blocked
//! procedures of a page of law changes load together.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use rollout_app::App;
use rollout_domain::LawChangeId;
use rollout_domain::blockers::{self as domain, BlockerRef};

use super::BlockedBatches;
use crate::app;
use crate::bureau::Bureau;
use crate::enums::{LawChangeStatus, LawLevel};
use crate::ids::{NodeType, global_id};
use crate::loaders::{Batch, BureauBatch};
use crate::procedure::Procedure;
use crate::scalars::{Date, DateTime};

/// A change of a law, cabinet order, ministerial ordinance, notice or Tokyo rule that
/// procedures need before they can go online.
#[derive(Debug, Clone)]
pub struct LawChange {
    row: domain::LawChange,
    page: Arc<PageRefs>,
}

#[derive(Debug)]
struct PageRefs {
    bureaus: BureauBatch,
    history: Batch<LawChangeId, Vec<LawChangeStatusChange>>,
    blocked: BlockedBatches,
}

impl LawChange {
    /// The law changes of one page, whose references load together.
    pub(crate) fn page(rows: Vec<domain::LawChange>) -> Vec<Self> {
        let page = Arc::new(PageRefs {
            bureaus: BureauBatch::new(rows.iter().map(|l| l.owner_bureau_id)),
            history: Batch::new(rows.iter().map(|l| l.id)),
            blocked: BlockedBatches::new(rows.iter().map(|l| BlockerRef::LawChange(l.id))),
        });
        rows.into_iter()
            .map(|row| Self {
                row,
                page: page.clone(),
            })
            .collect()
    }

    pub(crate) fn single(row: domain::LawChange) -> Self {
        Self::page(vec![row])
            .pop()
            .expect("a page of one law change has one law change")
    }

    pub(crate) fn row(&self) -> &domain::LawChange {
        &self.row
    }

    async fn history_of(&self, app: &App) -> async_graphql::Result<Vec<LawChangeStatusChange>> {
        let map = self
            .page
            .history
            .loaded("law_change_history", |ids| async move {
                let rows = app.store().law_change_history(Some(&ids)).await?;
                let mut grouped: HashMap<LawChangeId, Vec<LawChangeStatusChange>> = HashMap::new();
                for r in rows {
                    grouped
                        .entry(r.law_change_id)
                        .or_default()
                        .push(LawChangeStatusChange(r));
                }
                Ok(grouped)
            })
            .await?;
        Ok(map.get(&self.row.id).cloned().unwrap_or_default())
    }
}

#[Object]
impl LawChange {
    pub async fn id(&self) -> ID {
        global_id(NodeType::LawChange, self.row.id.as_uuid())
    }

    /// E.g. "LAW-0007".
    async fn code(&self) -> &str {
        &self.row.code
    }

    async fn title_ja(&self) -> &str {
        &self.row.title_ja
    }

    async fn title_en(&self) -> Option<&str> {
        self.row.title_en.as_deref()
    }

    async fn level(&self) -> LawLevel {
        self.row.level.into()
    }

    /// The ministry that owns the rule (e.g. 環境省); null for Tokyo's own rules.
    async fn ministry_ja(&self) -> Option<&str> {
        self.row.ministry_ja.as_deref()
    }

    async fn ministry_en(&self) -> Option<&str> {
        self.row.ministry_en.as_deref()
    }

    async fn law_name(&self) -> Option<&str> {
        self.row.law_name.as_deref()
    }

    async fn article(&self) -> Option<&str> {
        self.row.article.as_deref()
    }

    /// The Tokyo bureau that owns the request.
    async fn owner_bureau(&self, ctx: &Context<'_>) -> async_graphql::Result<Bureau> {
        Ok(Bureau(
            self.page
                .bureaus
                .get(app(ctx)?, self.row.owner_bureau_id)
                .await?,
        ))
    }

    async fn status(&self) -> LawChangeStatus {
        self.row.status.into()
    }

    /// Open law changes hold their dependents back (everything but ENACTED and WITHDRAWN).
    async fn open(&self) -> bool {
        self.row.is_open()
    }

    async fn requested_on(&self) -> Option<Date> {
        self.row.requested_on.map(Date)
    }

    /// The effective date the ministry has shown.
    async fn expected_effective_on(&self) -> Option<Date> {
        self.row.expected_effective_on.map(Date)
    }

    async fn enacted_on(&self) -> Option<Date> {
        self.row.enacted_on.map(Date)
    }

    async fn notes(&self) -> Option<&str> {
        self.row.notes.as_deref()
    }

    /// Every status change, oldest first, beginning with the creation record.
    async fn history(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<LawChangeStatusChange>> {
        self.history_of(app(ctx)?).await
    }

    /// The procedures that depend on this law change: directly, or also through other
    /// procedures (`transitive`); the first `first` (0 to 500) when given, all otherwise.
    async fn blocked_procedures(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] transitive: bool,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Procedure>> {
        let first = super::blocked_first(first)?;
        self.page
            .blocked
            .get(
                app(ctx)?,
                BlockerRef::LawChange(self.row.id),
                transitive,
                first,
            )
            .await
    }

    /// How many procedures depend on this law change (directly, or also `transitive`ly),
    /// without reading them.
    async fn blocked_count(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] transitive: bool,
    ) -> async_graphql::Result<i32> {
        self.page
            .blocked
            .count(app(ctx)?, BlockerRef::LawChange(self.row.id), transitive)
            .await
    }

    /// Optimistic-concurrency version: give it back as `expectedVersion` when changing this.
    async fn version(&self) -> i32 {
        self.row.version
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    async fn updated_at(&self) -> DateTime {
        DateTime(self.row.updated_at)
    }
}

/// One change of a law change's status, with who, when and why.
#[derive(Debug, Clone)]
pub struct LawChangeStatusChange(pub(crate) domain::LawChangeStatusChange);

#[Object]
impl LawChangeStatusChange {
    /// Null for the record made when the law change was created.
    async fn from(&self) -> Option<LawChangeStatus> {
        self.0.from_status.map(Into::into)
    }

    async fn to(&self) -> LawChangeStatus {
        self.0.to_status.into()
    }

    /// The date the status names: requested on, the expected effective date shown, enacted on.
    async fn on(&self) -> Option<Date> {
        self.0.on.map(Date)
    }

    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// An e-mail address, or `system:…`.
    async fn actor(&self) -> &str {
        &self.0.actor
    }

    async fn at(&self) -> DateTime {
        DateTime(self.0.at)
    }
}
