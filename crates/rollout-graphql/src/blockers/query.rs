//! The blocker queries: `lawChanges` (a filtered listing by code, keyset-paginated), `lawChange`
//! (by code) and `milestones` (all of them, by planned date). Every role reads them. Arguments
//! are checked before any read, so a bad bureau code or cursor is a VALIDATION error.

use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject};
use rollout_domain::BureauCode;
use rollout_store::{LawChangeCursor, Page};
use tracing::instrument;

use super::{LawChange, Milestone};
use crate::connection::{PageInfo, page_request, page_size, selected_total};
use crate::enums::{LawChangeStatus, LawLevel};
use crate::ids::{decode_law_change_cursor, encode_law_change_cursor};
use crate::{actor, app, errors};

/// Which law changes to list; every given field narrows the result.
#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "LawChangeFilter")]
pub struct LawChangeFilterInput {
    /// In any of these statuses.
    pub statuses: Option<Vec<LawChangeStatus>>,
    /// At any of these levels.
    pub levels: Option<Vec<LawLevel>>,
    /// Owned by any of these bureaus.
    pub owner_bureau_codes: Option<Vec<String>>,
    /// National rules only (true), or Tokyo's own only (false).
    pub national: Option<bool>,
    /// A substring of the code or either title, compared case-insensitively.
    pub search: Option<String>,
}

impl LawChangeFilterInput {
    async fn into_store(
        self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<rollout_store::LawChangeFilter> {
        let app = app(ctx)?;
        let mut owner_bureau_ids = Vec::new();
        for raw in self.owner_bureau_codes.unwrap_or_default() {
            let code = BureauCode::parse(&raw).map_err(|e| errors::validation(e.0))?;
            let bureau = app
                .bureau_by_code(&code)
                .await
                .map_err(|e| errors::graphql_error(&e))?
                .ok_or_else(|| errors::validation(format!("no bureau with code {code}")))?;
            owner_bureau_ids.push(bureau.id);
        }
        Ok(rollout_store::LawChangeFilter {
            statuses: self
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            levels: self
                .levels
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            owner_bureau_ids,
            national: self.national,
            search: self.search,
        })
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct LawChangeEdge {
    pub cursor: String,
    pub node: LawChange,
}

/// One page of law changes, by code.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct LawChangeConnection {
    pub edges: Vec<LawChangeEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    total: Option<i64>,
}

#[ComplexObject]
impl LawChangeConnection {
    /// How many law changes match the filter in all, ignoring pagination.
    async fn total_count(&self) -> async_graphql::Result<i64> {
        selected_total(self.total)
    }
}

impl LawChangeConnection {
    fn new(mut page: Page<rollout_domain::blockers::LawChange>) -> Self {
        let cursors: Vec<String> = page
            .items
            .iter()
            .map(|l| {
                encode_law_change_cursor(&LawChangeCursor {
                    code: l.code.clone(),
                })
            })
            .collect();
        let page_info = PageInfo::of(&page, &cursors);
        let edges = LawChange::page(std::mem::take(&mut page.items))
            .into_iter()
            .zip(cursors)
            .map(|(node, cursor)| LawChangeEdge { cursor, node })
            .collect();
        Self {
            edges,
            page_info,
            total: page.total_count,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct BlockerQuery;

#[Object]
impl BlockerQuery {
    /// One page of law changes (default 50, at most 500), by code.
    #[instrument(skip_all)]
    async fn law_changes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<LawChangeFilterInput>,
    ) -> async_graphql::Result<LawChangeConnection> {
        let actor = actor(ctx)?;
        let first = page_size(first)?;
        let after = after
            .map(|raw| decode_law_change_cursor(&raw))
            .transpose()
            .map_err(|e| errors::validation(e.0))?;
        let filter = filter.unwrap_or_default().into_store(ctx).await?;
        let page = app(ctx)?
            .list_law_changes(&actor, &filter, page_request(ctx, first, after))
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(LawChangeConnection::new(page))
    }

    /// The law change with this code, or null.
    #[instrument(skip(self, ctx))]
    async fn law_change(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> async_graphql::Result<Option<LawChange>> {
        let actor = actor(ctx)?;
        let found = app(ctx)?
            .law_change_by_code(&actor, &code)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(found.map(LawChange::single))
    }

    /// Every milestone, by planned date (none last), then name.
    #[instrument(skip_all)]
    async fn milestones(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Milestone>> {
        let actor = actor(ctx)?;
        let rows = app(ctx)?
            .list_milestones(&actor)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(Milestone::page(rows))
    }
}
