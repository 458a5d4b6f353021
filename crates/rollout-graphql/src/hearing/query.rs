//! The `hearings` query: a filtered, keyset-paginated listing, latest hearing first. Every role
//! reads hearings. Arguments are checked before any read, so a bad id or bureau code is a
//! VALIDATION error rather than an empty page.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use rollout_domain::{BureauCode, ProcedureId};
use rollout_store::{HearingCursor, Page};
use tracing::instrument;

use super::Hearing;
use crate::connection::{PageInfo, page_request, page_size, selected_total};
use crate::enums::HearingKind;
use crate::ids::{NodeType, argument_id, decode_hearing_cursor, encode_hearing_cursor};
use crate::scalars::Date;
use crate::{actor, app, errors};

/// Which hearings to list; every given field narrows the result.
#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "HearingFilter")]
pub struct HearingFilterInput {
    /// Held with any of these bureaus.
    pub bureau_codes: Option<Vec<String>>,
    /// Held on or after this day.
    pub held_from: Option<Date>,
    /// Held on or before this day.
    pub held_to: Option<Date>,
    /// With an outcome for this Procedure.
    pub procedure_id: Option<ID>,
    pub kind: Option<HearingKind>,
}

impl HearingFilterInput {
    async fn into_store(
        self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<rollout_store::HearingFilter> {
        let app = app(ctx)?;
        let mut bureau_ids = Vec::new();
        for raw in self.bureau_codes.unwrap_or_default() {
            let code = BureauCode::parse(&raw).map_err(|e| errors::validation(e.0))?;
            let bureau = app
                .bureau_by_code(&code)
                .await
                .map_err(|e| errors::graphql_error(&e))?
                .ok_or_else(|| errors::validation(format!("no bureau with code {code}")))?;
            bureau_ids.push(bureau.id);
        }
        Ok(rollout_store::HearingFilter {
            bureau_ids,
            held_from: self.held_from.map(|d| d.0),
            held_to: self.held_to.map(|d| d.0),
            procedure_id: self
                .procedure_id
                .map(|id| argument_id(&id, NodeType::Procedure).map(ProcedureId))
                .transpose()?,
            kind: self.kind.map(Into::into),
        })
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct HearingEdge {
    pub cursor: String,
    pub node: Hearing,
}

/// One page of hearings, latest first.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct HearingConnection {
    pub edges: Vec<HearingEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    total: Option<i64>,
}

#[ComplexObject]
impl HearingConnection {
    /// How many hearings match the filter in all, ignoring pagination.
    async fn total_count(&self) -> async_graphql::Result<i64> {
        selected_total(self.total)
    }
}

impl HearingConnection {
    fn new(mut page: Page<rollout_domain::hearing::Hearing>) -> Self {
        let cursors: Vec<String> = page
            .items
            .iter()
            .map(|h| {
                encode_hearing_cursor(&HearingCursor {
                    held_on: h.held_on,
                    id: h.id,
                })
            })
            .collect();
        let page_info = PageInfo::of(&page, &cursors);
        let edges = Hearing::page(std::mem::take(&mut page.items))
            .into_iter()
            .zip(cursors)
            .map(|(node, cursor)| HearingEdge { cursor, node })
            .collect();
        Self {
            edges,
            page_info,
            total: page.total_count,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct HearingQuery;

#[Object]
impl HearingQuery {
    /// One page of hearings (default 50, at most 500), latest first.
    #[instrument(skip_all)]
    async fn hearings(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<HearingFilterInput>,
    ) -> async_graphql::Result<HearingConnection> {
        actor(ctx)?;
        let first = page_size(first)?;
        let after = after
            .map(|raw| decode_hearing_cursor(&raw))
            .transpose()
            .map_err(|e| errors::validation(e.0))?;
        let filter = filter.unwrap_or_default().into_store(ctx).await?;
        let page = app(ctx)?
            .list_hearings(&filter, page_request(ctx, first, after))
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(HearingConnection::new(page))
    }
}
